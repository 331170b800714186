"""The judge's end of the sandbox's only way out (``drivers/relay.py`` is the other).

The sandbox has a network namespace of its own: the plugin reaches nothing, not
even the judge's loopback. Its relay connects here, over one Unix socket in the
sandbox's scratch folder, naming a port; this end connects it to that port on
the judge's loopback and passes the bytes both ways, unchanged. Only ports the
suite itself named in a command it sent the driver (the Anam doubles of its
starts) are connected: nothing else on the machine is within the plugin's reach.

It serves from a thread of its own, with its own event loop, since each test
runs on a loop of its own and the relay lives as long as the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

from ..drivers.relay import pipe  # the sandbox's end, the same bytes both ways
from ..masking import masked
from .locations import DRIVERS_DIR

#: The sandbox's end of the relay, run by the judge's own Python (it needs only the standard library).
RELAY = DRIVERS_DIR / "relay.py"
LOOPBACK = "127.0.0.1"
CONNECT_TIMEOUT = 5.0


class JudgeRelay:
    """The Unix socket a sandbox's relay connects through; ports are allowed as commands name them."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self.allowed: set[int] = set()
        #: Every connection being passed on, held: asyncio holds a connection's task only weakly once
        #: its first socket closes, and one collected mid-way would leave the plugin unanswered.
        self.passing: set[asyncio.Task[None]] = set()
        self.refused: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="anam sandbox relay", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)

    def allow(self, port: int) -> None:
        self.allowed.add(port)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_unix_server(self._handle, str(self.socket_path)))
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.passing.add(task)
            task.add_done_callback(self.passing.discard)
        try:
            asked = (await reader.readline()).decode(errors="replace").strip()
            probe = asked.startswith("?")
            port = int(asked.removeprefix("?")) if asked.removeprefix("?").isdigit() else 0
            if port not in self.allowed:
                self.refused.append(masked(asked[:40]))  # a port the suite never named: not the plugin's
                writer.write(b"-\n")
                return
            try:
                there_reader, there_writer = await asyncio.wait_for(
                    asyncio.open_connection(LOOPBACK, port), CONNECT_TIMEOUT
                )
            except (TimeoutError, OSError):
                writer.write(b"-\n")
                return
            writer.write(b"+\n")
            await writer.drain()
            if probe:
                there_writer.close()
                return
            await asyncio.gather(pipe(reader, there_writer), pipe(there_reader, writer))
            there_writer.close()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
