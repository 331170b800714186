"""The Node rows of the matrix: each npm release, judged through the Node driver, is as expected.

The same criterion as the release matrix (``expectations/npm-<version>.toml``),
run with the gauntlet's quick property profile: an outcome that changes is a
regression in the suite's reading of the Node plugin, or of the driver. Each
release is installed from the lockfile the project keeps
(``drivers/node/releases/<version>/``), install scripts off, and the report
names the peers that lockfile resolves.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from anam_conformance import expectations
from anam_conformance.implementations import node
from details import blocking_cycles, contradictions_in

ROOT = Path(__file__).resolve().parent.parent
EXPECTATIONS = ROOT / "expectations"
RELEASES = ["1.0.36", "1.5.0"]


@pytest.fixture(scope="module")
def node_available() -> None:
    for version in RELEASES:
        try:
            node.install_release(node.PLUGIN, version)
        except (node.NodeUnavailable, RuntimeError, OSError) as error:
            pytest.skip(f"the Node plugin cannot be installed here: {error}")


@pytest.mark.parametrize("version", RELEASES)
def test_npm_release_is_judged_as_expected(run_suite: Any, node_available: None, version: str) -> None:
    run = run_suite(f"npm:{node.PLUGIN}@{version}", "--conformance-profile=quick")
    assert run.report is not None, run.output[-3000:]
    expected = expectations.for_label(EXPECTATIONS, f"npm-{version}")
    mismatches = expectations.compare(expected, run.report)
    assert not mismatches, [str(m) for m in mismatches]
    assert run.report["plugin"]["language"] == "javascript"
    assert not contradictions_in(run.report), contradictions_in(run.report)
    assert not blocking_cycles(run.report), blocking_cycles(run.report)
    # The peers judged are the ones the kept lockfile resolves, as the installed packages say.
    lock_dir = node.kept_lockfile(node.PLUGIN, version)
    assert lock_dir is not None
    assert run.report["plugin"]["framework"] == node.locked_versions(lock_dir)
    assert run.report["plugin"]["driver"] == f"node ({node.PLUGIN}@{version})"
    assert node.RESOLVED_WITHOUT_LOCKFILE not in run.output


@pytest.mark.parametrize("version", RELEASES)
def test_a_known_release_is_installed_from_its_kept_lockfile(node_available: None, version: str) -> None:
    lock_dir = node.kept_lockfile(node.PLUGIN, version)
    plugin_dir = node.installed_release(node.PLUGIN, version)
    assert lock_dir is not None and plugin_dir is not None
    folder = plugin_dir.parents[2]
    lock = (lock_dir / "package-lock.json").read_bytes()
    assert folder.name.endswith(f"_lock-{hashlib.sha256(lock).hexdigest()[:16]}")
    assert (folder / "package-lock.json").read_bytes() == lock
    assert json.loads((folder / node.COMPLETE).read_text())["peers"] == node.locked_versions(lock_dir)


def test_every_known_release_has_a_kept_lockfile() -> None:
    known = sorted(p.stem.removeprefix("npm-") for p in EXPECTATIONS.glob("npm-*.toml"))
    assert node.kept_releases() == RELEASES == known


@pytest.mark.parametrize("version", RELEASES)
def test_a_kept_lockfile_pins_exactly_the_release_and_its_declared_peers(version: str) -> None:
    """package.json: the release and the peers it declares, as declared; the lockfile: one of each."""
    lock_dir = node.kept_lockfile(node.PLUGIN, version)
    assert lock_dir is not None
    manifest = json.loads((lock_dir / "package.json").read_text())
    lock = json.loads((lock_dir / "package-lock.json").read_text())
    plugin = lock["packages"][f"node_modules/{node.PLUGIN}"]
    declared = {peer: plugin["peerDependencies"][peer] for peer in node.PEERS}
    assert manifest["dependencies"] == {node.PLUGIN: version, **declared}
    assert (lock_dir / "package.json").read_text() == node.release_manifest(node.PLUGIN, version, declared)
    assert lock["lockfileVersion"] == 3 and lock["packages"][""]["dependencies"] == manifest["dependencies"]
    assert plugin["version"] == version
    assert node.locked_versions(lock_dir)["@livekit/agents"] == declared["@livekit/agents"]
    # One copy of each peer, at the top, where the plugin and the driver resolve it; every package
    # pinned by its content's hash.
    nested = [p for p in lock["packages"] if p.count("node_modules/") > 1 and p.endswith(node.PEERS)]
    assert nested == []
    unpinned = [p for p, entry in lock["packages"].items() if p and not entry.get("integrity")]
    assert unpinned == []


def test_the_lockfiles_travel_in_the_distribution() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["anam_conformance.drivers"]
    drivers = ROOT / "drivers"
    for version in RELEASES:
        for name in ("package.json", "package-lock.json"):
            path = (node.RELEASES_DIR / version / name).relative_to(drivers).as_posix()
            assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns), path
