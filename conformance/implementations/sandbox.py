"""How far the judged code is kept from the judge: a sandbox, a plain process, or (debugging only) none.

Every implementation runs in a driver process of its own (``drivers/PROTOCOL.md``),
so it never shares the judge's memory, its verdict or its reports. Where
bubblewrap works, that process is also sandboxed: the whole file system
read-only but for one scratch folder (the suite's files, its evidence and its
reports cannot be written), a PID namespace of its own (the judge's process
cannot be signalled, and nothing the plugin forks outlives it), a network
namespace of its own whose only way out is the relay to the Anam doubles the
suite named (:mod:`.relay`, ``drivers/relay.py``), a new session
(no ioctl into the judge's terminal), an environment cleared to what a runtime
needs (the judge's secrets stay out), and death with the judge. Whether it works
is found by running it once, never guessed from the binary's presence: on
Ubuntu 24.04 and later AppArmor refuses unprivileged user namespaces, and
``bwrap`` then fails with "setting up uid map: Permission denied".
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from .relay import RELAY, JudgeRelay

#: How isolated the judged code was, as every report records it.
Isolation = Literal["sandbox", "process", "in-process"]
#: What ``--anam-isolation`` takes: ``auto`` is the sandbox where it works, else a plain process.
CHOICES = ("auto", "sandbox", "process", "in-process")
OPTION = "--anam-isolation"
ENV_VAR = "ANAM_ISOLATION"
#: What a runtime inside the sandbox is given of the judge's environment: how to find programs and
#: modules, the locale, and the drivers' own settings; never a credential.
PASSED_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUTF8",
    "VIRTUAL_ENV",
    "NODE_PATH",
)
PASSED_PREFIX = "ANAM_DRIVER_"
PROBE_SECONDS = 10.0


class SandboxUnavailable(RuntimeError):
    """The sandbox was required (``--anam-isolation=sandbox``) and does not work on this machine."""


@dataclass(frozen=True)
class Sandbox:
    """bubblewrap, as every driver process of one run is wrapped in it."""

    bwrap: str
    scratch: Path

    def command(
        self, argv: Sequence[str], cwd: Path | None, environ: Mapping[str, str], *, relay: bool = True
    ) -> list[str]:
        """``argv`` as it runs inside the sandbox, in ``cwd`` (read-only, like everything but scratch),
        behind the relay that is its only way to the Anam doubles (none without ``relay``)."""
        env = {k: v for k, v in environ.items() if k in PASSED_ENV or k.startswith(PASSED_PREFIX)}
        env |= {"HOME": str(self.scratch), "TMPDIR": str(self.scratch)}
        wrapped = [
            self.bwrap,
            *_WALLS,
            "--bind",
            str(self.scratch),
            str(self.scratch),
            "--clearenv",
        ]
        for key, value in sorted(env.items()):
            wrapped += ["--setenv", key, value]
        if cwd is not None:
            wrapped += ["--chdir", str(cwd)]
        if relay:
            argv = [sys.executable, str(RELAY), str(_judge_relay(self.scratch).socket_path), "--", *argv]
        return [*wrapped, "--", *argv]

    def allow(self, command: Mapping[str, object]) -> None:
        """Let the relay through to the loopback ports a command's starts name (their Anam doubles)."""
        starts = command.get("starts")
        for start in starts if isinstance(starts, list) else [command]:
            url = start.get("api_url") if isinstance(start, dict) else None
            if isinstance(url, str):
                parts = urlsplit(url)
                if parts.hostname == "127.0.0.1" and parts.port:
                    _judge_relay(self.scratch).allow(parts.port)


#: The walls, whatever runs inside: read-only everything, its own /dev, /proc and PIDs, its own
#: session, dead with the judge.
_WALLS = (
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--new-session",
    "--die-with-parent",
)


@cache
def _judge_relay(scratch: Path) -> JudgeRelay:
    """One relay per judge process, its socket in the scratch folder the sandbox can reach."""
    return JudgeRelay(scratch / "relay.sock")


@cache
def _scratch() -> Path:
    """One scratch folder per judge process, so a driver started early is the very command adopted;
    removed at exit with whatever the plugin left in it."""
    folder = Path(tempfile.mkdtemp(prefix="anam-sandbox-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def why_unavailable() -> str | None:
    """Why the sandbox cannot run here (None when it can): found by running ``true`` in it once."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    probe = Sandbox(bwrap, _scratch()).command(
        ["true"], None, {"PATH": os.environ.get("PATH", "")}, relay=False
    )
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=PROBE_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be run: {error}"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"bwrap does not work here: {said}"
    return None


def choose(isolation: str, say: Callable[[str], None]) -> Sandbox | None:
    """The sandbox a run's drivers use; None for a plain process.

    ``auto`` falls back to a plain process where the sandbox does not work, and says so in one line;
    ``sandbox`` raises :class:`SandboxUnavailable` instead.
    """
    if isolation not in ("auto", "sandbox"):
        return None
    problem = why_unavailable()
    if problem is None:
        bwrap = shutil.which("bwrap")
        assert bwrap is not None
        return Sandbox(bwrap, _scratch())
    if isolation == "sandbox":
        raise SandboxUnavailable(f"{OPTION}=sandbox: {problem} (see docs/isolation.md)")
    say(f"no sandbox: {problem}; the plugin runs in a plain process ({OPTION}=sandbox requires one)")
    return None
