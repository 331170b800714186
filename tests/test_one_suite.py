"""One suite per run: ``pytest conformance`` in a second checkout, with the suite installed from
another, stops in one line (exit 4) naming both copies and how to choose, before any check runs.

Before, the clone's checks were collected beside the installed plugin, harness and evidence: the
reference plugin failed ``surface.session-options`` with 9 clauses blocked and 2 errors.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from anam_conformance import one_suite
from anam_conformance.runner import EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = one_suite.PACKAGE_DIR
#: A refusal happens before anything is judged: well under a run's seconds.
BUDGET = 20.0


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second checkout of this repository (its committed tree), not installed anywhere."""
    into = tmp_path_factory.mktemp("second") / "anam-conformance"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(into)], check=True, capture_output=True)
    return into


def pytest_in(cwd: Path, *args: str) -> tuple[int, list[str], float]:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return done.returncode, lines, time.monotonic() - began


def refusal(copy: Path, checkout: Path) -> str:
    return (
        f"ERROR: two copies of the suite: the installed anam_conformance ({INSTALLED}) judges with its "
        f"own checks, not those of {copy}; to judge with {copy}, install its checkout "
        f"(pip install -e {checkout}); to judge with the installed one, run anam-conformance or "
        "pytest --pyargs anam_conformance"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("conformance",),
        ("conformance", "-q"),
        ("conformance/suite/test_surface.py",),
        ("conformance/suite/test_surface.py::test_avatar_session_is_the_frameworks",),
        (".", "-n", "2"),
        (),
        ("conformance", "--anam-plugin=broken_plugins.swapped_dimensions", "-o", "pythonpath=tests"),
    ],
    ids=["conformance", "quiet", "a-module", "a-node-id", "the-checkout-under-xdist", "no-args", "a-plugin"],
)
def test_pytest_conformance_in_a_second_checkout_stops_in_one_line(
    clone: Path, args: tuple[str, ...]
) -> None:
    code, lines, seconds = pytest_in(clone, *args)
    assert code == EXIT_USAGE, lines[-20:]
    assert lines == [refusal(clone / "conformance", clone)], lines
    assert seconds < BUDGET, seconds


def test_a_copy_deeper_than_the_paths_named_stops_the_run_too(clone: Path) -> None:
    """Only the paths named and what is right inside them are looked at first; a copy further down
    is not collected, and the run stops once collection ends."""
    code, lines, _ = pytest_in(clone.parent, "--collect-only", "-q")
    assert code == EXIT_USAGE, lines[-20:]
    assert lines[-1] == refusal(clone / "conformance", clone), lines


def test_the_way_out_it_names_judges_with_the_installed_suite(clone: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, lines, _ = pytest_in(
        clone, "--pyargs", "anam_conformance", "-k", "surface", f"--conformance-report={report}"
    )
    assert code == 0, lines[-20:]
    assert any(line.startswith("verdict: partial, conforming so far") for line in lines), lines[-5:]
    assert report.is_file()  # and it matched the schema: the plugin checks it in these tests


def test_the_installed_checkout_is_one_suite() -> None:
    assert one_suite.other_suite(["conformance"], ROOT) is None
    assert one_suite.other_suite(["."], ROOT) is None
    assert one_suite.other_suite(["tests"], ROOT) is None
    assert one_suite.other_suite([str(INSTALLED / "suite" / "test_surface.py") + "::x"], Path("/")) is None
    assert one_suite.other_suite(["anam_conformance"], ROOT) is None  # a --pyargs name


def test_an_installed_copy_outside_a_checkout_is_named_without_pip_advice(tmp_path: Path) -> None:
    copy = tmp_path / "site-packages" / "anam_conformance"
    (copy / "suite").mkdir(parents=True)
    for mark in ("pytest_plugin.py", "clauses.py"):
        (copy / mark).write_text("")
    assert one_suite.other_suite([str(copy / "suite")], tmp_path) == copy
    said = one_suite.two_suites(copy)
    assert "pip install" not in said and f"to judge with {copy}, run its own installation" in said
