"""The sandbox's only way out: the judge's loopback ports its commands name, over one Unix socket.

Run inside the sandbox's own network namespace, in front of the driver:
``python relay.py SOCKET -- DRIVER...``. It reads the judge's commands on its
stdin and hands each, unchanged, to the driver (the driver's stdout and stderr
are its own). Before it does, it listens on every loopback port a command's
``api_url`` names (the Anam double of that start) and forwards each connection
to the judge's end of ``SOCKET``, which connects it to that port on the judge's
loopback: what arrives at the double is exactly what the sandbox sent. A port
the judge finds nothing listening on is not listened on here either, so a
refused connection is still refused. Nothing else can be reached from inside.

Standalone (the standard library only): it runs under any Python 3.9+.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
CHUNK = 65536


def ports_named(line: str) -> set[int]:
    """The loopback ports the ``api_url`` of a ``start`` or each ``start-batch`` item names."""
    try:
        message: Any = json.loads(line)
    except ValueError:
        return set()
    if not isinstance(message, dict):
        return set()
    starts = message.get("starts") if isinstance(message.get("starts"), list) else [message]
    ports = set()
    for start in starts:
        url = start.get("api_url") if isinstance(start, dict) else None
        if isinstance(url, str):
            parts = urlsplit(url)
            if parts.hostname == LOOPBACK and parts.port:
                ports.add(parts.port)
    return ports


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()


class Relay:
    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.listening: dict[int, asyncio.AbstractServer] = {}
        #: Every connection being forwarded: asyncio holds a connection's task only weakly once its
        #: first socket closes, and a task collected mid-way would leave the other side unanswered.
        self.forwarding: set[asyncio.Task[None]] = set()

    async def ask(self, line: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        reader, writer = await asyncio.open_unix_connection(self.socket_path)
        writer.write(line.encode() + b"\n")
        await writer.drain()
        answer = await reader.readline()
        return reader, writer, answer.strip() == b"+"

    async def listen(self, port: int) -> None:
        """Listen on ``port`` here when the judge has something listening on it there."""
        if port in self.listening:
            return
        _, writer, open_there = await self.ask(f"?{port}")
        writer.close()
        if not open_there:
            return
        self.listening[port] = await asyncio.start_server(
            lambda r, w: self.forward(port, r, w), LOOPBACK, port
        )

    async def forward(self, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.forwarding.add(task)
            task.add_done_callback(self.forwarding.discard)
        try:
            there_reader, there_writer, connected = await self.ask(str(port))
        except OSError:
            writer.transport.abort()
            return
        if not connected:
            there_writer.close()
            writer.transport.abort()  # gone since: as abrupt as a connection the double dropped
            return
        try:
            await asyncio.gather(pipe(reader, there_writer), pipe(there_reader, writer))
        except asyncio.CancelledError:
            pass  # the driver has ended, and the relay with it
        finally:
            writer.close()
            there_writer.close()


def _code(returncode: int) -> int:
    """The driver's exit status as this process can exit with it (a signal as the shell says it)."""
    return 128 - returncode if returncode < 0 else returncode


async def main(socket_path: str, argv: list[str]) -> int:
    relay = Relay(socket_path)
    driver = subprocess.Popen(argv, stdin=subprocess.PIPE)
    assert driver.stdin is not None
    # The relay ends the moment the driver does: it holds the driver's stdout too, and the judge
    # must see that stdout close to know the driver is gone.
    threading.Thread(target=lambda: os._exit(_code(driver.wait())), daemon=True).start()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        for port in ports_named(line):
            try:
                await relay.listen(port)
            except OSError as error:  # the driver's start meets a refused connection, as it would
                print(f"relay: cannot open port {port}: {error}", file=sys.stderr, flush=True)
        try:
            driver.stdin.write(line.encode())
            driver.stdin.flush()
        except OSError:
            break  # the driver is gone: the judge hears it from the driver's closed stdout
    with contextlib.suppress(OSError):
        driver.stdin.close()
    return await loop.run_in_executor(None, driver.wait)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: relay.py SOCKET -- DRIVER [ARG...]")
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[3:])))
