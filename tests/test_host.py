"""The suite in a project's environment: installed, its entry point is loaded by every pytest session
there, and it must cost that project's own runs nothing and take nothing from them.

A session that does not ask for the suite gets its options and its marks' names, and nothing else:
a project's own ``clause`` mark is its own, whatever it names; the suite's libraries and modules are
imported only by a run that judges. What those runs judge is the same as before (every other test
file runs the suite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from anam_conformance import one_suite, options, pytest_plugin
from anam_conformance.clauses import Offer
from anam_conformance.implementations import sandbox

#: What importing the entry point may import of the suite: its options, the guard against a second
#: copy, the heap's thaw, the spec parser and the early driver's argument reading.
LIGHT = {
    "anam_conformance",
    "anam_conformance.pytest_plugin",
    "anam_conformance.options",
    "anam_conformance.one_suite",
    "anam_conformance.heap",
    "anam_conformance.plain_imports",
    "anam_conformance.implementations",
    "anam_conformance.implementations.early",
    "anam_conformance.implementations.specs",
}
#: Libraries a verdict needs and a project's session must not pay for.
HEAVY_LIBRARIES = ("livekit", "aiohttp", "hypothesis", "syrupy", "vcr", "jwt", "jsonschema", "asyncio")

CONFTEST = """
import json
import sys
from pathlib import Path


def pytest_sessionfinish(session):
    Path("modules.json").write_text(json.dumps(sorted(sys.modules)))
"""
TESTS = """
import pytest


@pytest.mark.clause("RFC7231-6.5.1")
def test_not_found_is_a_client_error():
    assert 404 // 100 == 4


@pytest.mark.clause("RFC7231-6.6.1")
def test_internal_error_is_a_server_error():
    assert 500 // 100 == 5
"""


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "ANAM_PLUGIN")}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of its own, with a ``clause`` mark of its own (ids the suite has never heard of)."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers -p no:randomly\n"
        "markers =\n    clause(id): the RFC section a test checks\n"
    )
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_statuses.py").write_text(TESTS)
    return tmp_path


def test_a_projects_own_clause_mark_is_left_alone(project: Path) -> None:
    done = _run(project, "-m", "pytest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert "clause report" not in done.stdout and "unknown clause" not in done.stdout + done.stderr


def test_a_project_without_a_marker_list_may_use_the_suites_mark_names(project: Path) -> None:
    (project / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers -p no:randomly\n")
    done = _run(project, "-m", "pytest")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_projects_session_imports_nothing_of_the_suite_beyond_its_entry_point(project: Path) -> None:
    done = _run(project, "-m", "pytest")
    assert done.returncode == 0, done.stdout + done.stderr
    imported = set(json.loads((project / "modules.json").read_text()))
    suite = {name for name in imported if name.split(".")[0] == one_suite.PACKAGE}
    assert suite <= LIGHT, sorted(suite - LIGHT)


def test_importing_the_entry_point_imports_no_library_of_a_verdict(tmp_path: Path) -> None:
    probe = (
        "import json, sys, pytest\n"
        "before = set(sys.modules)\n"
        "import anam_conformance.pytest_plugin\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = _run(tmp_path, "-c", probe)
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout))
    libraries = {name for name in imported if name.split(".")[0] in HEAVY_LIBRARIES}
    assert not libraries, sorted(libraries)
    suite = {name for name in imported if name.split(".")[0] == one_suite.PACKAGE}
    assert suite <= LIGHT, sorted(suite - LIGHT)


def test_collection_reaching_the_suites_folder_makes_the_run_the_suites(tmp_path: Path) -> None:
    """No path of the suite on the command line: a link to its checks, found while collecting."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "checks").symlink_to(one_suite.PACKAGE_DIR / "suite", target_is_directory=True)
    done = _run(tmp_path, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-k", "surface")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "verdict: partial, conforming so far" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize(
    ("args", "pyargs", "expected"),
    [
        (["conformance"], False, True),
        (["conformance/suite/test_surface.py::test_x"], False, True),
        (["."], False, True),
        (["tests"], False, False),
        (["tests/test_host.py"], False, False),
        (["anam_conformance"], True, True),
        (["anam_conformance.suite.test_surface"], True, True),
        (["anam_conformance"], False, False),
        (["anam_conformance_extra"], True, False),
    ],
)
def test_which_command_lines_ask_for_the_suite(args: list[str], pyargs: bool, expected: bool) -> None:
    checkout = one_suite.PACKAGE_DIR.parent
    named = pytest_plugin.names_the_suite(args, checkout) or (
        pyargs and pytest_plugin.names_the_package(args)
    )
    assert named is expected


def test_the_entry_points_names_are_those_its_parts_read() -> None:
    """The entry point declares what the sandbox, the profiles and the capabilities define, without
    importing them: the same names, or an option that parses but means nothing."""
    from anam_conformance.hypothesis_profiles import PROFILES

    assert pytest_plugin.ISOLATION_OPTION == sandbox.OPTION
    assert pytest_plugin.ISOLATION_CHOICES == sandbox.CHOICES
    assert pytest_plugin.ISOLATION_ENV == sandbox.ENV_VAR
    assert sorted(options.PROFILE_NAMES) == sorted(PROFILES)
    assert tuple(Offer) == options.OFFER_NAMES


def test_checks_reached_only_by_collection_under_xdist_are_no_verdict(tmp_path: Path) -> None:
    """The controller never collects, so it never loads the suite: its workers' checks cannot be
    judged, and the run says so and ends non-zero instead of passing on them."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "checks").symlink_to(one_suite.PACKAGE_DIR / "suite", target_is_directory=True)
    done = _run(
        tmp_path, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-k", "surface", "-n", "2"
    )
    assert done.returncode == 3, done.stdout[-2000:] + done.stderr
    assert "anam-conformance: no verdict:" in done.stdout, done.stdout[-2000:]
