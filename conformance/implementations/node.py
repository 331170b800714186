"""The Node plugin under test: an exact npm release in the suite's cache, or a local checkout.

``npm:@livekit/agents-plugin-anam@1.5.0`` installs that release together with
the ``@livekit/agents`` and ``@livekit/rtc-node`` versions it declares as peers
(what an agent using that release would run), into
``$XDG_CACHE_HOME/anam-conformance/npm/<name>@<version>/``, reused when
present: the suite judges the release as published, and the only network it
needs is the npm registry, once. ``node:PATH`` judges a package folder as it
is (a pull request's ``plugins/anam``, built), with the peers its own
``node_modules`` resolve.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .locations import DRIVERS_DIR
from .process import DriverProcess
from .sandbox import Sandbox

NPM_PREFIX = "npm:"
NODE_PREFIX = "node:"
NODE_DRIVER = DRIVERS_DIR / "node" / "driver.mjs"
PEERS = ("@livekit/agents", "@livekit/rtc-node")
HOW_TO_GET_NODE = (
    "Node.js 18+ with npm is needed to judge the Node plugin: install it from https://nodejs.org/ "
    "or your system's packages (Debian/Ubuntu: apt-get install nodejs npm), and put node and npm on PATH"
)
INSTALL_TIMEOUT = 600


class NodeUnavailable(Exception):
    """``node`` or ``npm`` is not on PATH (the run stops with a usage error saying how to get them)."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise NodeUnavailable(f"{name} was not found on PATH. {HOW_TO_GET_NODE}")
    return found


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anam-conformance" / "npm"


def split_package_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@1.5.0`` -> (``@scope/name``, ``1.5.0``); the version must be exact."""
    name, sep, version = spec.rpartition("@")
    if not sep or not name or not version or name.endswith("/"):
        raise ValueError(f"{spec!r} is not <package>@<exact version>")
    return name, version


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One installer per cache folder, across xdist workers and parallel runs."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"`{' '.join(argv)}` failed ({done.returncode}): {' | '.join(tail)}")
    return done.stdout


#: How many of the newest releases a "no such release" error lists.
KNOWN_SHOWN = 12


def _releases(npm: str, name: str, folder: Path) -> list[str] | None:
    """The package's published versions, oldest first; None when npm cannot tell (offline)."""
    try:
        found = json.loads(_run([npm, "view", name, "versions", "--json"], folder) or "[]")
    except (RuntimeError, ValueError, subprocess.TimeoutExpired):
        return None
    return [found] if isinstance(found, str) else [str(v) for v in found]


def _check_release(npm: str, name: str, version: str, folder: Path) -> None:
    releases = _releases(npm, name, folder)
    if releases is None or version in releases:
        return
    if not releases:
        raise ValueError(f"no such package on npm: {name}")
    shown = releases[-KNOWN_SHOWN:]
    earlier = f" and {len(releases) - len(shown)} earlier" if len(releases) > len(shown) else ""
    raise ValueError(f"no such release: {name}@{version}; known releases: {', '.join(shown)}{earlier}")


def _release_dirs(name: str, version: str) -> tuple[Path, Path]:
    """The release's folder in the cache, and the plugin's package folder in it."""
    folder = cache_root() / f"{name.replace('/', '+')}@{version}"
    return folder, folder / "node_modules" / name


def installed_release(name: str, version: str) -> Path | None:
    """The release's package folder when the cache holds it whole; None otherwise (nothing installed)."""
    folder, plugin_dir = _release_dirs(name, version)
    return plugin_dir if (folder / ".complete").exists() and (plugin_dir / "package.json").exists() else None


def install_release(name: str, version: str, say: Callable[[str], None] = lambda _: None) -> Path:
    """The release and its declared peers in the suite's cache; returns the plugin's package folder.

    The first install of a release takes a while (about 200 packages): ``say`` tells what is
    installed, where, and how long it took.
    """
    npm = _tool("npm")
    _tool("node")
    folder, plugin_dir = _release_dirs(name, version)
    with _locked(folder):
        if installed_release(name, version) is not None:
            return plugin_dir
        _check_release(npm, name, version, folder)
        started = time.monotonic()
        peers = json.loads(
            _run([npm, "view", f"{name}@{version}", "peerDependencies", "--json"], folder) or "{}"
        )
        wanted = [f"{name}@{version}"] + [f"{peer}@{peers[peer]}" for peer in PEERS if peer in peers]
        (folder / "package.json").write_text(
            json.dumps({"name": "anam-conformance-cache", "private": True}) + "\n", encoding="utf-8"
        )
        say(f"installing {' '.join(wanted)} from npm into {folder} (once per release)")
        _run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact", *wanted], folder)
        (folder / ".complete").write_text(" ".join(wanted) + "\n", encoding="utf-8")
        say(f"installed {name}@{version} in {time.monotonic() - started:.0f} s")
    return plugin_dir


def node_driver(plugin_dir: Path, name: str, sandbox: Sandbox | None = None) -> DriverProcess:
    node = _tool("node")
    return DriverProcess(name, [node, str(NODE_DRIVER), "--plugin-dir", str(plugin_dir)], sandbox=sandbox)
