"""Transport faults: Anam unreachable, the connection reset, no answer in time.

Two ways to cause each fault, so that every implementation can be judged on the same
faults:

- At the implementation's own HTTP client (the capability ``client-faults``): the
  call names the fault (``StartCall.client_fault``), and the Python driver, or the
  in-process adapter with the driver's own code, raises it at the plugin's aiohttp
  client with aioresponses, where aiohttp would raise it, at once: a timeout costs no
  waiting. Nothing reaches a socket; the implementation reports the requests made.
- At a server, for every implementation (the Node driver, a manual session against
  the emulator): the equivalent in :data:`SERVER_EQUIVALENTS`, scripted on the double
  (``AnamDouble.script_reply``) or queued on the emulator
  (``POST /v1/emulator/answers``). A refused connection needs no server: point the
  plugin at a loopback port nothing listens on (:func:`refused_url`).

For every answer Anam gives (statuses, bodies) the loopback double stays the one
source of truth; only what no answer can express is faked on the client.
"""

from __future__ import annotations

import socket
from typing import Any

from ..port.call import ClientFault
from .anam_double import CLOSE, STALL

#: The client faults (``port.call.CLIENT_FAULTS``) of a connection, and of a timeout.
CONNECTION_FAULTS: tuple[ClientFault, ...] = ("refused", "reset")
TIMEOUT_FAULTS: tuple[ClientFault, ...] = ("timeout", "read-timeout")

#: The same fault caused by a server, for implementations that do not offer client-faults.
SERVER_EQUIVALENTS: dict[str, dict[str, Any]] = {
    "refused": {"how": "api_url on a loopback port nothing listens on (transport.refused_url())"},
    "reset": {"fault": CLOSE},
    "timeout": {"fault": STALL},
    "read-timeout": {"fault": STALL},
}


def refused_url() -> str:
    """A loopback URL whose port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
