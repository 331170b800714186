"""Transport faults: Anam unreachable, the connection reset, no answer in time.

Two ways to cause each fault, so that every driver can be judged on the same
faults:

- In-process Python plugins: at the aiohttp client layer, with aioresponses
  (the maintained fork ``aioresponses-ng``; see ``pyproject.toml``). The fault is
  raised where aiohttp would raise it, at once: a timeout costs no waiting. Every
  request the plugin makes while :func:`client_faults` is active gets the fault
  (nothing reaches a socket), and is recorded as the double would record it.
- Out-of-process drivers (the Node driver, a manual session against the
  emulator): the server-side equivalent in :data:`SERVER_EQUIVALENTS`, scripted
  on the double (``AnamDouble.script_reply``) or queued on the emulator
  (``POST /v1/emulator/answers``). A refused connection needs no server: point
  the plugin at a loopback port nothing listens on (:func:`refused_url`).

For every answer Anam gives (statuses, bodies) the loopback double stays the one
source of truth; only what no answer can express is faked on the client.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import aioresponses

from .anam_double import CLOSE, STALL
from .evidence import RecordedRequest, parse_json


def _refused() -> Exception:
    key = ConnectionKey("127.0.0.1", None, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connect call failed"))


#: The fault, as aiohttp raises it to the plugin.
CLIENT_FAULTS: dict[str, Callable[[], BaseException]] = {
    "refused": _refused,  # nothing listens: ClientConnectorError
    "reset": aiohttp.ServerDisconnectedError,  # the connection closed without an answer
    "timeout": asyncio.TimeoutError,  # aiohttp's total timeout (ClientTimeout(total=...))
    "read-timeout": lambda: aiohttp.ServerTimeoutError("Timeout on reading data from socket"),
}
TIMEOUT_FAULTS = ("timeout", "read-timeout")
CONNECTION_FAULTS = ("refused", "reset")

#: The same fault caused by a server, for drivers aioresponses cannot reach.
SERVER_EQUIVALENTS: dict[str, dict[str, Any]] = {
    "refused": {"how": "api_url on a loopback port nothing listens on (transport.refused_url())"},
    "reset": {"fault": CLOSE},
    "timeout": {"fault": STALL},
    "read-timeout": {"fault": STALL},
}

LOOPBACK_ANY = re.compile(r"^https?://127\.0\.0\.1(:\d+)?/.*$")


def refused_url() -> str:
    """A loopback URL whose port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _recorded(method: str, url: Any, calls: list[Any]) -> list[RecordedRequest]:
    recorded = []
    for call in calls:
        kwargs = call.kwargs
        body = kwargs.get("json")
        text = kwargs.get("data") if body is None else None
        headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
        recorded.append(
            RecordedRequest(
                method=method,
                path=url.path,
                headers=headers,
                text=str(text) if text is not None else "",
                body=body if body is not None else parse_json(str(text or "")),
            )
        )
    return recorded


@contextmanager
def client_faults(fault: str) -> Iterator[list[RecordedRequest]]:
    """Every request to loopback fails with ``fault``; the list fills with the requests made."""
    make = CLIENT_FAULTS[fault]
    requests: list[RecordedRequest] = []
    with aioresponses() as mocked:
        for method in ("POST", "GET", "PUT", "DELETE"):
            mocked.add(LOOPBACK_ANY, method=method, exception=make(), repeat=True)  # type: ignore[arg-type]
        try:
            yield requests
        finally:
            for (method, url), calls in (mocked.requests or {}).items():
                requests += _recorded(method, url, calls)
