"""The Node plugin under test: an exact npm release in the suite's cache, or a local checkout.

``npm:@livekit/agents-plugin-anam@1.5.0`` installs that release together with
the ``@livekit/agents`` and ``@livekit/rtc-node`` versions it declares as peers
(what an agent using that release would run). A release the suite keeps a
lockfile for (``drivers/node/releases/<version>/``) is installed from it with
``npm ci``, into ``$XDG_CACHE_HOME/anam-conformance/npm/<name>@<version>_lock-<hash>/``
(keyed by the lockfile's hash, so another lockfile is never judged on an old
install): every machine judges the very same packages. Any other exact release
is resolved by npm at its first install, into ``<name>@<version>_unlocked/``,
and every run says so. Install scripts never run (``--ignore-scripts``: the
native parts come prebuilt, as optional dependencies). An install is made in a
staging folder beside its final one and renamed into place whole; one that
fails leaves nothing behind. ``node:PATH`` judges a package folder as it is (a
pull request's ``plugins/anam``, built), with the peers its own
``node_modules`` resolve.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .locations import DRIVERS_DIR
from .process import DriverProcess
from .sandbox import Sandbox

NPM_PREFIX = "npm:"
NODE_PREFIX = "node:"
NODE_DRIVER = DRIVERS_DIR / "node" / "driver.mjs"
#: The package whose releases the suite keeps lockfiles for, one folder per version.
PLUGIN = "@livekit/agents-plugin-anam"
RELEASES_DIR = DRIVERS_DIR / "node" / "releases"
PEERS = ("@livekit/agents", "@livekit/rtc-node")
HOW_TO_GET_NODE = (
    "Node.js 18+ with npm is needed to judge the Node plugin: install it from https://nodejs.org/ "
    "or your system's packages (Debian/Ubuntu: apt-get install nodejs npm), and put node and npm on PATH"
)
INSTALL_TIMEOUT = 600
#: An exact semver version: a dist-tag (``latest``) or a range names no one release.
EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
#: The suffix of a cache folder whose release npm resolved without a kept lockfile.
UNLOCKED = "_unlocked"
#: In a cache folder, written last (before the rename): the install is whole.
COMPLETE = ".complete"
#: A staging folder's suffix: one left by an install that was killed is removed by the next install.
STAGING = ".installing"
RESOLVED_WITHOUT_LOCKFILE = "resolved without a lockfile"
#: Never an install script (the packages' own code, run at install time), never a question.
NPM_FLAGS = ("--ignore-scripts", "--include=optional", "--no-audit", "--no-fund", "--loglevel=error")


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


def kept_releases() -> list[str]:
    """The versions of :data:`PLUGIN` the suite keeps a lockfile for, oldest first."""
    found = [lock.parent.name for lock in RELEASES_DIR.glob("*/package-lock.json")]
    return sorted(found, key=lambda v: [int(p) if p.isdigit() else p for p in re.split(r"[.+-]", v)])


def split_package_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@1.5.0`` -> (``@scope/name``, ``1.5.0``); the version must be exact."""
    name, sep, version = spec.rpartition("@")
    if not sep or not name or not version or name.endswith("/"):
        raise ValueError(f"{spec!r} is not <package>@<exact version>")
    if not EXACT_VERSION.fullmatch(version):
        kept = kept_releases() if name == PLUGIN else []
        example = f"; the suite keeps lockfiles for {', '.join(kept)}" if kept else ""
        raise ValueError(f"{spec!r}: {version!r} is not an exact version (<package>@1.5.0){example}")
    return name, version


def kept_lockfile(name: str, version: str) -> Path | None:
    """The folder with the ``package.json`` and ``package-lock.json`` the release installs from, if kept."""
    if name != PLUGIN or not EXACT_VERSION.fullmatch(version):
        return None
    folder = RELEASES_DIR / version
    whole = all((folder / kept).is_file() for kept in ("package.json", "package-lock.json"))
    return folder if whole else None


def _lock_hash(lock_dir: Path) -> str:
    return hashlib.sha256((lock_dir / "package-lock.json").read_bytes()).hexdigest()[:16]


def _release_dirs(name: str, version: str) -> tuple[Path, Path]:
    """The release's folder in the cache, and the plugin's package folder in it."""
    lock_dir = kept_lockfile(name, version)
    key = f"_lock-{_lock_hash(lock_dir)}" if lock_dir is not None else UNLOCKED
    folder = cache_root() / f"{name.replace('/', '+')}@{version}{key}"
    return folder, folder / "node_modules" / name


def installed_release(name: str, version: str) -> Path | None:
    """The release's package folder when the cache holds it whole; None otherwise (nothing installed).

    The folder is the one its kept lockfile names, when the suite keeps one; else the one npm resolved.
    """
    folder, plugin_dir = _release_dirs(name, version)
    return plugin_dir if (folder / COMPLETE).exists() and (plugin_dir / "package.json").exists() else None


def resolved_without_lockfile(plugin_dir: Path) -> bool:
    """Whether a package folder is in a cached release that npm resolved without a kept lockfile."""
    try:
        top = plugin_dir.resolve().relative_to(cache_root().resolve()).parts[0]
    except (ValueError, IndexError, OSError):
        return False
    return top.endswith(UNLOCKED)


@contextlib.contextmanager
def _install_lock(root: Path) -> Iterator[None]:
    """One installer at a time in the cache, across xdist workers and parallel runs.

    The lock is the cache folder itself (``flock`` on its descriptor): no lock file is left behind.
    """
    root.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


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


def _declared_peers(npm: str, name: str, version: str, folder: Path) -> dict[str, str]:
    """The ``@livekit/agents`` and ``@livekit/rtc-node`` ranges the release declares as peers."""
    peers = json.loads(_run([npm, "view", f"{name}@{version}", "peerDependencies", "--json"], folder) or "{}")
    return {peer: str(peers[peer]) for peer in PEERS if isinstance(peers, dict) and peer in peers}


def release_manifest(name: str, version: str, peers: dict[str, str]) -> str:
    """The ``package.json`` of an install: exactly the release, and its peers as it declares them."""
    return (
        json.dumps(
            {
                "name": "anam-conformance-npm-release",
                "private": True,
                "description": f"{name}@{version} and the peers it declares, as the suite installs them",
                "dependencies": dict(sorted({name: version, **peers}.items())),
            },
            indent=2,
        )
        + "\n"
    )


def locked_versions(lock_dir: Path) -> dict[str, str]:
    """What the kept lockfile resolves each peer to."""
    packages = json.loads((lock_dir / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    found = (packages.get(f"node_modules/{peer}") for peer in PEERS)
    return {peer: str(entry["version"]) for peer, entry in zip(PEERS, found, strict=True) if entry}


def installed_peers(folder: Path) -> dict[str, str]:
    """The peer versions a cached release holds, read from the installed packages."""
    found = {}
    for peer in PEERS:
        with contextlib.suppress(OSError, ValueError, KeyError):
            manifest = folder / "node_modules" / peer / "package.json"
            found[peer] = str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    return found


def _kept_ones() -> str:
    kept = kept_releases()
    return f"the suite keeps lockfiles for {', '.join(kept)}" if kept else "the suite keeps no lockfile"


def _named(versions: dict[str, str]) -> str:
    return " and ".join(f"{peer}@{version}" for peer, version in versions.items()) or "no peers"


def _install(npm: str, name: str, version: str, folder: Path, say: Callable[[str], None]) -> None:
    """Install the release in a staging folder beside ``folder``, then rename it into place whole."""
    lock_dir = kept_lockfile(name, version)
    root = folder.parent
    for stale in root.glob(f".*{STAGING}"):
        shutil.rmtree(stale, ignore_errors=True)  # a killed install's: the lock is ours, no other runs
    if folder.exists():
        shutil.rmtree(folder)  # not whole (a user removed part of it): installed afresh
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=STAGING, dir=root))
    staging.chmod(0o755)  # as any folder npm makes (mkdtemp's is the owner's alone)
    try:
        started = time.monotonic()
        if lock_dir is not None:
            for kept in ("package.json", "package-lock.json"):
                shutil.copyfile(lock_dir / kept, staging / kept)
            say(
                f"installing {name}@{version} with {_named(locked_versions(lock_dir))} from its lockfile "
                f"({lock_dir / 'package-lock.json'}) into {folder} (once per lockfile)"
            )
            _run([npm, "ci", *NPM_FLAGS], staging)
        else:
            peers = _declared_peers(npm, name, version, staging)
            (staging / "package.json").write_text(release_manifest(name, version, peers), encoding="utf-8")
            say(
                f"installing {name}@{version} with {_named(peers)} from npm into {folder}, "
                f"{RESOLVED_WITHOUT_LOCKFILE} ({_kept_ones()}; once per release)"
            )
            _run([npm, "install", *NPM_FLAGS], staging)
        if not (staging / "node_modules" / name / "package.json").is_file():
            raise RuntimeError(f"npm installed no {name} in {staging}")
        record = {
            "release": f"{name}@{version}",
            "peers": installed_peers(staging),
            "lockfile": _lock_hash(lock_dir) if lock_dir is not None else None,
        }
        (staging / COMPLETE).write_text(json.dumps(record) + "\n", encoding="utf-8")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    say(f"installed {name}@{version} in {time.monotonic() - started:.0f} s")


def install_release(name: str, version: str, say: Callable[[str], None] = lambda _: None) -> Path:
    """The release and its declared peers in the suite's cache; returns the plugin's package folder.

    The first install of a release takes a while (about 200 packages): ``say`` tells what is
    installed, from what, where, and how long it took; and, on every run, that a release without a
    kept lockfile was resolved without one, with the peers it got. A spec refused (a version that is
    not exact, or not published) or an install that fails leaves nothing in the cache.
    """
    if not EXACT_VERSION.fullmatch(version):
        raise ValueError(f"{name}@{version}: {version!r} is not an exact version")
    npm = _tool("npm")
    _tool("node")
    folder, plugin_dir = _release_dirs(name, version)
    if installed_release(name, version) is None:
        if kept_lockfile(name, version) is None:
            with tempfile.TemporaryDirectory(prefix="anam-conformance-npm-") as scratch:
                _check_release(npm, name, version, Path(scratch))  # refused before the cache is touched
        with _install_lock(folder.parent):
            if installed_release(name, version) is None:
                _install(npm, name, version, folder, say)
    if resolved_without_lockfile(plugin_dir):
        say(
            f"{name}@{version} was {RESOLVED_WITHOUT_LOCKFILE}, at its first install on this machine, "
            f"with {_named(installed_peers(folder))} ({_kept_ones()}): another machine may judge other peers"
        )
    return plugin_dir


def node_driver(plugin_dir: Path, name: str, sandbox: Sandbox | None = None) -> DriverProcess:
    """The Node driver on a plugin folder; named as resolved without a lockfile when it was."""
    node = _tool("node")
    if resolved_without_lockfile(plugin_dir):
        name = f"{name} [{RESOLVED_WITHOUT_LOCKFILE}]"
    return DriverProcess(name, [node, str(NODE_DRIVER), "--plugin-dir", str(plugin_dir)], sandbox=sandbox)


def lock_release(version: str, say: Callable[[str], None] = lambda _: None) -> Path:
    """Write ``drivers/node/releases/<version>/``: the release's ``package.json`` and its lockfile.

    ``python -m anam_conformance.implementations.node lock 1.6.0``, in a checkout (an editable
    install). npm resolves in a scratch folder; the two files replace the kept ones only whole.
    """
    name, version = split_package_spec(f"{PLUGIN}@{version}")
    npm = _tool("npm")
    with tempfile.TemporaryDirectory(prefix="anam-conformance-lock-") as scratch:
        work = Path(scratch)
        _check_release(npm, name, version, work)
        peers = _declared_peers(npm, name, version, work)
        (work / "package.json").write_text(release_manifest(name, version, peers), encoding="utf-8")
        # The tarballs' addresses in the lockfile (a user's .npmrc may omit them): npm ci fetches them
        # directly, and rewrites registry.npmjs.org to a configured mirror itself.
        lock_only = ("--package-lock-only", "--no-omit-lockfile-registry-resolved")
        _run([npm, "install", *lock_only, *NPM_FLAGS], work)
        folder = RELEASES_DIR / version
        folder.mkdir(parents=True, exist_ok=True)
        for made in ("package.json", "package-lock.json"):
            shutil.copyfile(work / made, folder / made)
    say(f"{name}@{version}: {_named(locked_versions(folder))}, locked in {folder / 'package-lock.json'}")
    return folder


def main(argv: list[str] | None = None) -> int:
    """``python -m anam_conformance.implementations.node lock VERSION``: keep a release's lockfile."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m anam_conformance.implementations.node",
        description=f"Keep the lockfile a {PLUGIN} release is installed from (drivers/node/releases/).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="write drivers/node/releases/VERSION/{package,package-lock}.json")
    lock.add_argument("version", metavar="VERSION", help="an exact release, e.g. 1.5.0")
    args = parser.parse_args(argv)
    try:
        lock_release(args.version, print)
    except (ValueError, RuntimeError, OSError) as error:
        parser.exit(2, f"{parser.prog} lock: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
