"""One verdict, every output: a plugin that misses only a SHOULD is conforming everywhere.

The plugin here raises a timeout as a plain ``APIConnectionError`` (as released
1.8.x do): ``transport.timeout-surfaced`` (SHOULD) fails, and nothing else. The
exit code, the terminal, the JSON, JUnit and Markdown must all say conforming,
with the failed SHOULD shown as the warning it is, never as a red result.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

SHOULD_ONLY = "broken_plugins.timeout_as_connection_error"
WARNED = "transport.timeout-surfaced"
#: The checks of the answers' clauses: where the SHOULD is judged, and a MUST or two beside it.
ANSWERS = ("-k", "test_answers")
#: A driver of the whole surface that offers no capability (the Python driver offers python-types).
WITHOUT_CAPABILITIES = Path(__file__).resolve().parent / "fake_drivers" / "broken_driver.py"


def test_a_failed_should_is_a_warning_in_every_output(run_suite: Any, tmp_path: Path) -> None:
    junit, markdown = tmp_path / "j.xml", tmp_path / "m.md"
    run = run_suite(SHOULD_ONLY, f"--conformance-junit={junit}", f"--conformance-markdown={markdown}")

    assert run.exit_code == 0, run.output
    assert run.report["verdict"] == "conforming"
    warned = [c for c in run.report["clauses"] if c["status"] == "warn"]
    assert [c["id"] for c in warned] == [WARNED]
    assert warned[0]["outcome"] == "fail"  # the outcome stays what it is; its status is a warning

    # The terminal: pytest counts it as warned, no FAILED line, no traceback.
    assert "FAILED" not in run.output and "Traceback" not in run.output, run.output
    assert " warned" in run.output
    assert f"warn     {WARNED}: expected APITimeoutError" in run.output
    assert "verdict: conforming (24 pass, 1 warn); a warn is a SHOULD not met" in run.output

    # JUnit: no failure anywhere, the warning skipped with its reason.
    suite = ET.parse(junit).getroot()
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")
    case = next(c for c in suite.iter("testcase") if c.get("name") == WARNED)
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("warn: SHOULD not met")
    assert not list(suite.iter("failure"))

    # Markdown: never called a failure.
    text = markdown.read_text()
    assert "Failing clauses" not in text and "❌" not in text
    assert "### Warnings (SHOULD clauses not met: the verdict stands)" in text
    assert f"- **`{WARNED}`** (SHOULD): expected APITimeoutError" in text


def test_a_must_violation_is_one_line_without_a_traceback_unless_asked(run_suite: Any) -> None:
    run = run_suite("broken_plugins.swallows_400", "-k", "test_rejection")
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "ClauseViolation" not in run.output, run.output
    assert "fail     rejection.surfaced: expected" in run.output
    detailed = run_suite("broken_plugins.swallows_400", "-k", "test_rejection", "--tb=short")
    assert "ClauseViolation" in detailed.output


def test_two_runs_write_the_same_report(run_suite: Any) -> None:
    """Loopback ports, worker timing and arrival order never reach the report."""
    first = run_suite(SHOULD_ONLY, *ANSWERS)
    second = run_suite(SHOULD_ONLY, *ANSWERS, "-n", "2")
    assert first.report == second.report
    assert "127.0.0.1:PORT" in str(first.report)


def test_a_selection_that_judges_nothing_is_no_verdict(run_suite: Any) -> None:
    nothing = run_suite("plugin_under_test", "-k", "no_check_is_called_this")
    assert nothing.exit_code == 5 and nothing.report is None
    assert "no verdict: the selection matched none of the suite's " in nothing.output
    skipped = run_suite(
        f"driver:{sys.executable} {WITHOUT_CAPABILITIES} whole-surface",
        "-k",
        "test_session_options_keeps_what_it_is_given",  # needs python-types: skipped where not offered
    )
    assert skipped.exit_code == 3, skipped.output
    assert skipped.report["verdict"] == "error"
    assert "every selected check was skipped" in skipped.output
