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
from collections.abc import Iterator
from pathlib import Path

from .process import DRIVERS_DIR, DriverProcess

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


def install_release(name: str, version: str) -> Path:
    """The release and its declared peers in the suite's cache; returns the plugin's package folder."""
    npm = _tool("npm")
    _tool("node")
    folder = cache_root() / f"{name.replace('/', '+')}@{version}"
    plugin_dir = folder / "node_modules" / name
    with _locked(folder):
        if (folder / ".complete").exists() and (plugin_dir / "package.json").exists():
            return plugin_dir
        peers = json.loads(
            _run([npm, "view", f"{name}@{version}", "peerDependencies", "--json"], folder) or "{}"
        )
        wanted = [f"{name}@{version}"] + [f"{peer}@{peers[peer]}" for peer in PEERS if peer in peers]
        (folder / "package.json").write_text(
            json.dumps({"name": "anam-conformance-cache", "private": True}) + "\n", encoding="utf-8"
        )
        _run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact", *wanted], folder)
        (folder / ".complete").write_text(" ".join(wanted) + "\n", encoding="utf-8")
    return plugin_dir


def node_driver(plugin_dir: Path, name: str) -> DriverProcess:
    node = _tool("node")
    return DriverProcess(name, [node, str(NODE_DRIVER), "--plugin-dir", str(plugin_dir)])
