"""Partial runs and updates leave the request snapshots alone, except what they were asked to rewrite.

Each test works on a copy of ``snapshots/`` (``--conformance-snapshots``), so a
regression here can never damage the real files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from anam_conformance.snapshot_storage import RequestSnapshots
from syrupy.extensions.json import JSONSnapshotExtension

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "snapshots"
MODULE = ROOT / "conformance" / "suite" / "test_snapshots.py"
ONE_CASE = f"{MODULE}::test_session_request_is_the_pinned_one[no-options]"


def _ran_clean(result: pytest.RunResult) -> bool:
    """Every selected test passed (a partial run's verdict is nonconforming: most clauses did not run)."""
    outcomes = result.parseoutcomes()
    return "passed" in outcomes and not {"failed", "errors", "error"} & outcomes.keys()


def _state(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.glob("*.json"))}


@pytest.fixture(autouse=True)
def not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # syrupy leaves unused-snapshot cleanup to the xdist controller: under `pytest tests -n 2`
    # the inner run must not look like a worker, or it would never delete and prove nothing.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


@pytest.fixture
def copy(pytester: pytest.Pytester) -> Path:
    target = pytester.path / "snapshots" / "test_snapshots"  # the layout syrupy ties to the module
    shutil.copytree(SNAPSHOTS, target)
    return target


def _run(pytester: pytest.Pytester, copy: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        *args,
        f"--conformance-snapshots={copy}",
        "-p",
        "no:randomly",
        "-o",
        "addopts=",  # the project's addopts turn the cache (and so --lf) off
        "-o",
        f"cache_dir={pytester.path / 'cache'}",
    )


@pytest.mark.parametrize(
    "selection",
    [
        pytest.param((str(MODULE), "-k", "no-options"), id="keyword"),
        pytest.param((ONE_CASE,), id="node-id"),
        pytest.param((str(MODULE), "-k", "test_each_wire_flow"), id="other-test-of-the-module"),
    ],
)
def test_a_partial_update_neither_reports_nor_deletes_other_snapshots(
    pytester: pytest.Pytester, copy: Path, selection: tuple[str, ...]
) -> None:
    before = _state(copy)
    result = _run(pytester, copy, *selection, "--snapshot-update")
    output = result.stdout.str()
    assert _ran_clean(result), output
    assert "unused" not in output and "deleted" not in output, output
    assert _state(copy) == before


def test_syrupys_own_discovery_would_delete_them(
    pytester: pytest.Pytester, copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: with syrupy's discovery back, the same partial update deletes."""
    monkeypatch.setattr(RequestSnapshots, "discover_snapshots", JSONSnapshotExtension.discover_snapshots)
    monkeypatch.setattr(RequestSnapshots, "delete_snapshots", JSONSnapshotExtension.delete_snapshots)
    before = _state(copy)
    _run(pytester, copy, ONE_CASE, "--snapshot-update")
    assert set(_state(copy)) < set(before)


def test_last_failed_rewrites_only_the_case_that_changed(pytester: pytest.Pytester, copy: Path) -> None:
    changed = copy / "cara-3-720x480.json"
    original = changed.read_text()
    changed.write_text(original.replace('"livekitUrl": "wss://', '"livekitUrl": "wss://elsewhere.', 1))
    untouched = {k: v for k, v in _state(copy).items() if k != changed.name}

    first = _run(pytester, copy, str(MODULE))
    assert first.ret == 1 and "clause request.snapshot" in first.stdout.str()
    second = _run(pytester, copy, str(MODULE), "--lf", "--snapshot-update")
    output = second.stdout.str()
    assert _ran_clean(second), output
    assert "1 snapshot updated" in output and "unused" not in output, output
    assert changed.read_text() == original
    assert {k: v for k, v in _state(copy).items() if k != changed.name} == untouched


def test_a_full_update_rewrites_only_what_changed(pytester: pytest.Pytester, copy: Path) -> None:
    changed = copy / "no-options.json"
    original = changed.read_text()
    changed.write_text(original.replace("POST", "PUT"))
    untouched = {k: v for k, v in _state(copy).items() if k != changed.name}
    result = _run(pytester, copy, str(MODULE), "--snapshot-update")
    assert _ran_clean(result), result.stdout.str()
    assert changed.read_text() == original
    assert {k: v for k, v in _state(copy).items() if k != changed.name} == untouched


@pytest.mark.parametrize("flag", ["--snapshot-update", "--snapshot-update-new-only"])
def test_another_plugin_never_writes_snapshots(pytester: pytest.Pytester, copy: Path, flag: str) -> None:
    before = _state(copy)
    result = _run(
        pytester, copy, str(MODULE), "--anam-plugin=broken_plugins.renamed_avatar_participant", flag
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{flag}: *never written from another plugin*renamed_avatar_participant*"])
    assert _state(copy) == before


def test_a_missing_snapshot_fails_and_is_not_written(pytester: pytest.Pytester, copy: Path) -> None:
    (copy / "no-options.json").unlink()
    result = _run(pytester, copy, ONE_CASE)
    assert result.ret == 3  # no verdict: the suite's own evidence is missing, not the plugin at fault
    assert "no-options.json: no such request snapshot" in result.stdout.str()
    assert not (copy / "no-options.json").exists()


def test_a_snapshot_folder_that_does_not_exist_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, pytester.path / "nowhere", ONE_CASE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conformance-snapshots=*nowhere: no such directory*"])
