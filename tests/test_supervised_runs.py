"""``anam-conformance`` never ends without saying why: plugins that end, block or hang the run.

The plugins here (``broken_plugins._*``) cannot run in the process of the
project's own tests: they end it, or stall it. Each runs through the installed
console script, as a plugin repository would run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from anam_conformance import runner

TESTS = Path(__file__).resolve().parent
#: The tests that start the plugin for the clauses the special plugins declare: a run this
#: narrow costs the interpreter and collection, not the suite.
STARTS = ("-k", "test_start_sends_one_session_request or test_avatar_joins")
#: The end-to-end budget for a plugin that blocks the event loop in ``start()``.
BLOCKING_VERDICT_BUDGET = 120.0


def anam_conformance(tmp_path: Path, *args: str, timeout: float = 300) -> tuple[int, str, float]:
    """Run the console script from an empty directory; the broken plugins importable."""
    script = shutil.which("anam-conformance", path=str(Path(sys.executable).parent))
    assert script, "anam-conformance is not installed in this environment"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    began = time.monotonic()
    done = subprocess.run(
        [script, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - began


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        ("_exits_in_start", "exited with code 0 during 'start'"),
        ("_exits_behind_the_guard", "exited with code 0 during 'start'"),
        ("_kills_itself", "exited with code 137 during 'start'"),
    ],
)
def test_a_plugin_that_ends_its_driver_gets_no_verdict_and_the_report_names_it(
    tmp_path: Path, plugin: str, message: str
) -> None:
    """Out of process, an ended driver cannot be told from a broken one: no verdict, never a pass,
    and the judge, which nothing ended, writes its report naming the driver and what it said."""
    report = tmp_path / "report.json"
    code, output, _ = anam_conformance(
        tmp_path,
        f"--anam-plugin=broken_plugins.{plugin}",
        "--conformance-report=report.json",  # relative to the caller's directory, not the child's
        *STARTS,
    )
    assert code == runner.EXIT_NO_VERDICT, output
    assert "no verdict: the suite could not judge" in output, output
    document = json.loads(report.read_text())
    assert document["verdict"] == "error"
    session = {c["id"]: c for c in document["clauses"]}["session.one-request"]
    assert session["outcome"] == "error"
    assert f"driver python (broken_plugins.{plugin}): {message}" in session["detail"], session


@pytest.mark.parametrize(
    ("plugin", "selection"),
    [
        # The whole suite, as a plugin repository runs it: the budget is end to end.
        ("_blocks_in_start", ()),
        # The other ways to stall, on the clauses that declare them.
        ("_spins_in_start", STARTS),
        ("_never_returns", STARTS),
    ],
)
def test_a_stalling_plugin_ends_without_a_verdict_within_two_minutes(
    tmp_path: Path, plugin: str, selection: tuple[str, ...]
) -> None:
    report = tmp_path / "report.json"
    code, output, seconds = anam_conformance(
        tmp_path, f"--anam-plugin=broken_plugins.{plugin}", f"--conformance-report={report}", *selection
    )
    assert code == runner.EXIT_NO_VERDICT, output
    assert seconds < BLOCKING_VERDICT_BUDGET, f"no verdict only after {seconds:.0f} s"
    document = json.loads(report.read_text())
    assert document["verdict"] == "error"
    details = " ".join(t["detail"] for c in document["clauses"] for t in c["tests"])
    # A check with a deadline cuts the start off first (``still running after``); a driver that then
    # does not answer at all is named.
    assert f"driver python (broken_plugins.{plugin}): did not answer" in details or (
        "still running after" in details
    ), details


def test_the_time_limit_ends_the_run_without_a_verdict(tmp_path: Path) -> None:
    code, output, seconds = anam_conformance(
        tmp_path, "--anam-plugin=broken_plugins._blocks_in_start", "--time-limit=3"
    )
    assert code == runner.EXIT_NO_VERDICT, output
    assert "no verdict: the suite did not finish within --time-limit=3 s and was killed" in output
    assert seconds < 3 + 2 * runner.KILL_GRACE + 5


def test_a_usage_error_is_passed_through(tmp_path: Path) -> None:
    code, output, _ = anam_conformance(tmp_path, "--anam-plugin=no_such_plugin_module")
    assert code == runner.EXIT_USAGE, output
    assert "--anam-plugin=no_such_plugin_module" in output


def test_paths_are_taken_from_the_callers_directory(tmp_path: Path) -> None:
    (tmp_path / "drv.mjs").touch()
    invocation = runner.parse(
        [
            *("--conformance-report", "out/r.json", "--conformance-junit=j.xml", "-k", "x", "--time-limit=5"),
            *("--conformance-cassettes=mine", "--anam-plugin", "node:../agents-js/plugins/anam"),
        ],
        tmp_path,
        {},
    )
    assert invocation.time_limit == 5
    assert invocation.report == tmp_path / "out" / "r.json"
    assert invocation.pytest_args == (
        f"--conformance-report={tmp_path / 'out' / 'r.json'}",
        f"--conformance-junit={tmp_path / 'j.xml'}",
        "-k",
        "x",
        f"--conformance-cassettes={tmp_path / 'mine'}",
        f"--anam-plugin=node:{(tmp_path / '../agents-js/plugins/anam').resolve()}",
    )
    driven = runner.parse(
        ["--anam-plugin=driver:node drv.mjs --fast", "--anam-plugin=driver:./bin/d"], tmp_path, {}
    )
    assert driven.pytest_args == (
        f"--anam-plugin=driver:node {tmp_path / 'drv.mjs'} --fast",  # node found on PATH, as a shell would
        f"--anam-plugin=driver:{tmp_path / 'bin' / 'd'}",
    )


@pytest.mark.parametrize("env", [{}, {"ANAM_PLUGIN": ""}])
def test_a_run_that_names_no_implementation_is_a_usage_error(env: dict[str, str]) -> None:
    """The suite alone would judge its own reference plugin: a green gate that judged nothing."""
    with pytest.raises(runner.UsageError, match="name the implementation to judge"):
        runner.parse(["-n", "2"], Path(), env)
    assert runner.parse([], Path(), {"ANAM_PLUGIN": "livekit.plugins.anam"}).pytest_args == ()


@pytest.mark.parametrize("argv", [["--time-limit=soon"], ["--time-limit=0"], ["--time-limit"]])
def test_a_bad_time_limit_is_a_usage_error(argv: list[str]) -> None:
    assert runner.main(argv) == runner.EXIT_USAGE


@pytest.mark.parametrize(
    ("returncode", "verdict", "expected"),
    [
        (0, "conforming", runner.EXIT_CONFORMING),
        (1, "nonconforming", runner.EXIT_NONCONFORMING),
        (3, "error", runner.EXIT_NO_VERDICT),
        (0, None, runner.EXIT_NO_VERDICT),  # ended early, e.g. os._exit(0)
        (1, None, runner.EXIT_NO_VERDICT),
        (-9, None, runner.EXIT_NO_VERDICT),
        (-9, "conforming", runner.EXIT_NO_VERDICT),  # a verdict left by a run that was killed after it
        (4, None, runner.EXIT_USAGE),
        (5, None, runner.EXIT_NO_VERDICT),  # nothing collected
    ],
)
def test_only_a_written_verdict_decides_the_exit_code(
    returncode: int, verdict: str | None, expected: int
) -> None:
    assert runner.judge(returncode, verdict, Path("report.json")) == expected


def test_the_child_runs_with_the_checkouts_own_pytest_settings() -> None:
    # The ini the runner writes is the suite's part of [tool.pytest.ini_options]; keep them in step.
    settings = tomllib.loads((TESTS.parent / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert (
        f"asyncio_default_fixture_loop_scope = {settings['asyncio_default_fixture_loop_scope']}" in runner.INI
    )
    for warning_filter in settings["filterwarnings"]:
        assert f"    {warning_filter}\n" in runner.INI
    for option in settings["addopts"].split():
        assert option in runner.child_command(
            Path("w"), Path("w/pytest.ini"), runner.parse(["--anam-plugin=m"], Path()), Path()
        )
