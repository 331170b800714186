"""How an npm release reaches the suite's cache: from the lockfile the project keeps, scripts off, whole.

A stand-in ``npm`` on PATH records what it is asked and writes the packages a
``package.json`` names, so these run offline and in a second: a kept release
installs with ``npm ci --ignore-scripts`` into a folder keyed by its lockfile's
hash; a release without one is resolved by npm and said to be, at every run; an
install that fails, or a spec refused, leaves nothing in the cache.
(``tests/test_node_releases.py`` installs the real releases from the real lockfiles.)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from anam_conformance.implementations import node

PLUGIN = node.PLUGIN
KEPT = "1.5.0"
UNKEPT = "2.0.0"
FAKE_NPM = f"""#!{sys.executable}
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
with open(os.environ["FAKE_NPM_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
if args[:1] == ["view"]:
    if args[2] == "versions":
        print(json.dumps(["1.0.36", "1.5.0", "2.0.0"]))
    else:
        print(json.dumps({{"@livekit/agents": "2.0.0", "@livekit/rtc-node": "^0.13.30"}}))
    sys.exit(0)
if args[:1] == ["install"] and "--package-lock-only" in args:
    wanted = json.loads(Path("package.json").read_text())["dependencies"]
    packages = {{f"node_modules/{{n}}": {{"version": v.lstrip("^")}} for n, v in wanted.items()}}
    lock = {{"lockfileVersion": 3, "packages": {{"": {{"dependencies": wanted}}, **packages}}}}
    Path("package-lock.json").write_text(json.dumps(lock))
    sys.exit(0)
if args[:1] in (["ci"], ["install"]):
    for name, version in json.loads(Path("package.json").read_text())["dependencies"].items():
        package = Path("node_modules", name)
        package.mkdir(parents=True, exist_ok=True)
        (package / "package.json").write_text(json.dumps({{"name": name, "version": version.lstrip("^")}}))
        if os.environ.get("FAKE_NPM_FAIL"):
            print("npm error code E404", file=sys.stderr)
            sys.exit(1)  # after one package: a partial install
    sys.exit(0)
sys.exit(9)
"""


@dataclass
class FakeNpm:
    log: Path
    releases: Path

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def keep(self, version: str, resolved_rtc: str = "0.13.35") -> Path:
        """A kept lockfile for ``version`` (the stand-in npm reads only its package.json)."""
        folder = self.releases / version
        folder.mkdir(parents=True, exist_ok=True)
        peers = {"@livekit/agents": version, "@livekit/rtc-node": "^0.13.30"}
        (folder / "package.json").write_text(node.release_manifest(PLUGIN, version, peers))
        lock = {
            "lockfileVersion": 3,
            "packages": {
                "node_modules/@livekit/agents": {"version": version},
                "node_modules/@livekit/rtc-node": {"version": resolved_rtc},
            },
        }
        (folder / "package-lock.json").write_text(json.dumps(lock))
        return folder


@pytest.fixture
def npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeNpm:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "npm").chmod(0o755)
    if shutil.which("node") is None:
        (bin_dir / "node").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FAKE_NPM_LOG", str(tmp_path / "npm.log"))
    monkeypatch.delenv("FAKE_NPM_FAIL", raising=False)
    fake = FakeNpm(tmp_path / "npm.log", tmp_path / "releases")
    monkeypatch.setattr(node, "RELEASES_DIR", fake.releases)
    fake.keep(KEPT)
    return fake


def cached() -> list[str]:
    """What the cache holds, hidden entries included; [] when it does not exist."""
    root = node.cache_root()
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_a_kept_release_installs_from_its_lockfile_with_scripts_off(npm: FakeNpm) -> None:
    said: list[str] = []
    assert node.installed_release(PLUGIN, KEPT) is None
    plugin_dir = node.install_release(PLUGIN, KEPT, said.append)
    (call,) = npm.calls()  # no `npm view`: the lockfile says it all
    assert call[0] == "ci" and "--ignore-scripts" in call and "--include=optional" in call
    folder = plugin_dir.parents[2]
    lock = (npm.releases / KEPT / "package-lock.json").read_bytes()
    assert folder.name == f"@livekit+agents-plugin-anam@{KEPT}_lock-{hashlib.sha256(lock).hexdigest()[:16]}"
    assert (folder / "package-lock.json").read_bytes() == lock
    assert cached() == [folder.name]  # no lock file, no staging folder
    assert node.installed_release(PLUGIN, KEPT) == plugin_dir
    assert "from its lockfile" in said[0] and "@livekit/rtc-node@0.13.35" in said[0]
    assert not any(node.RESOLVED_WITHOUT_LOCKFILE in line for line in said)
    assert node.install_release(PLUGIN, KEPT) == plugin_dir and len(npm.calls()) == 1
    assert not node.node_driver(plugin_dir, "node").name.endswith(f"[{node.RESOLVED_WITHOUT_LOCKFILE}]")


def test_another_lockfile_is_never_judged_on_an_old_install(npm: FakeNpm) -> None:
    before = node.install_release(PLUGIN, KEPT)
    npm.keep(KEPT, resolved_rtc="0.13.36")
    assert node.installed_release(PLUGIN, KEPT) is None
    after = node.install_release(PLUGIN, KEPT)
    assert after != before and [c[0] for c in npm.calls()] == ["ci", "ci"]
    assert b"0.13.36" in (after.parents[2] / "package-lock.json").read_bytes()


def test_a_release_without_a_kept_lockfile_is_said_to_be_resolved_without_one(npm: FakeNpm) -> None:
    said: list[str] = []
    plugin_dir = node.install_release(PLUGIN, UNKEPT, said.append)
    assert [c[:3] for c in npm.calls()] == [
        ["view", PLUGIN, "versions"],
        ["view", f"{PLUGIN}@{UNKEPT}", "peerDependencies"],
        ["install", *node.NPM_FLAGS][:3],
    ]
    assert "--ignore-scripts" in npm.calls()[-1]
    folder = plugin_dir.parents[2]
    assert folder.name == f"@livekit+agents-plugin-anam@{UNKEPT}{node.UNLOCKED}"
    manifest = json.loads((folder / "package.json").read_text())
    assert manifest["dependencies"] == {
        PLUGIN: UNKEPT,
        "@livekit/agents": "2.0.0",
        "@livekit/rtc-node": "^0.13.30",
    }
    assert node.RESOLVED_WITHOUT_LOCKFILE in said[0] and "the suite keeps lockfiles for 1.5.0" in said[0]
    assert "with @livekit/agents@2.0.0 and @livekit/rtc-node@0.13.30" in said[-1]
    # Every run says so, not only the first; and the driver (the report's plugin.driver) says so.
    again: list[str] = []
    assert node.install_release(PLUGIN, UNKEPT, again.append) == plugin_dir
    assert len(again) == 1 and node.RESOLVED_WITHOUT_LOCKFILE in again[0]
    assert node.installed_release(PLUGIN, UNKEPT) == plugin_dir
    driver = node.node_driver(plugin_dir, f"node ({PLUGIN}@{UNKEPT})")
    assert driver.name == f"node ({PLUGIN}@{UNKEPT}) [{node.RESOLVED_WITHOUT_LOCKFILE}]"


@pytest.mark.parametrize("version", [KEPT, UNKEPT])
def test_a_failed_install_leaves_nothing_behind(
    npm: FakeNpm, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    with pytest.raises(RuntimeError, match="E404"):
        node.install_release(PLUGIN, version)
    assert npm.calls()[-1][0] in ("ci", "install")
    assert cached() == []
    assert node.installed_release(PLUGIN, version) is None
    monkeypatch.delenv("FAKE_NPM_FAIL")
    assert node.install_release(PLUGIN, version).is_dir()


@pytest.mark.parametrize(
    ("version", "problem"),
    [
        ("latest", r"'latest' is not an exact version"),
        ("^1.5.0", r"'\^1\.5\.0' is not an exact version"),
        ("9.9.9", r"^no such release: @livekit/agents-plugin-anam@9\.9\.9; known releases: "),
    ],
)
def test_a_refused_spec_leaves_nothing_behind(npm: FakeNpm, version: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        node.install_release(PLUGIN, version)
    assert not node.cache_root().exists()
    assert all(call[0] == "view" for call in npm.calls())


def test_a_tag_is_refused_where_the_spec_is_read(npm: FakeNpm) -> None:
    with pytest.raises(ValueError, match=r"'latest' is not an exact version .*lockfiles for 1\.5\.0$"):
        node.split_package_spec(f"{PLUGIN}@latest")
    assert node.split_package_spec(f"{PLUGIN}@1.5.0-rc.1") == (PLUGIN, "1.5.0-rc.1")
    assert npm.calls() == [] and not node.cache_root().exists()


def test_a_killed_install_is_cleared_by_the_next(npm: FakeNpm) -> None:
    """A staging folder left by a killed install, and a folder that is not whole, are not reused."""
    folder, plugin_dir = node._release_dirs(PLUGIN, KEPT)
    stale = folder.parent / f".{folder.name}.x1y2{node.STAGING}"
    (stale / "node_modules").mkdir(parents=True)
    (plugin_dir).mkdir(parents=True)
    (plugin_dir / "package.json").write_text("{}")  # no .complete: not whole
    assert node.installed_release(PLUGIN, KEPT) is None
    assert node.install_release(PLUGIN, KEPT) == plugin_dir
    assert cached() == [folder.name] and (folder / node.COMPLETE).is_file()


def test_a_lockfile_is_written_from_what_the_release_declares(npm: FakeNpm) -> None:
    """``python -m anam_conformance.implementations.node lock VERSION``: package.json and lockfile."""
    said: list[str] = []
    folder = node.lock_release(UNKEPT, said.append)
    assert folder == npm.releases / UNKEPT
    assert npm.calls()[-1][:2] == ["install", "--package-lock-only"] and "--ignore-scripts" in npm.calls()[-1]
    assert json.loads((folder / "package.json").read_text())["dependencies"] == {
        "@livekit/agents": "2.0.0",
        PLUGIN: UNKEPT,
        "@livekit/rtc-node": "^0.13.30",
    }
    assert node.kept_lockfile(PLUGIN, UNKEPT) == folder and node.kept_releases() == [KEPT, UNKEPT]
    assert said == [
        f"{PLUGIN}@{UNKEPT}: @livekit/agents@2.0.0 and @livekit/rtc-node@0.13.30, locked in "
        f"{folder / 'package-lock.json'}"
    ]
    # From then on, the release installs from it.
    node.install_release(PLUGIN, UNKEPT)
    assert npm.calls()[-1][0] == "ci"
