"""A selection that leaves clauses without a check is a partial run, and every output says so.

``-k``, ``-m``, node ids or a deselection that leave a clause with no selected
check make it ``not-run``: out of the verdict, neither for it nor against it.
What the selected checks found is judged as in a full run. A clause whose
selected checks were all skipped for a reason (a capability the implementation
lacks) is not ``not-run``: it keeps its ``skip``.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from anam_conformance import report as reporting
from anam_conformance import runner
from anam_conformance.clauses import CLAUSES
from anam_conformance.expectations import Expectation
from anam_conformance.renderers.junit import junit_xml
from anam_conformance.renderers.markdown import summary_markdown
from anam_conformance.renderers.matrix import Column, matrix_html, matrix_markdown
from anam_conformance.session.records import SELECTED_OUTPUT, Records

HALF_PAIR = "dims.both-or-neither"
WITHOUT_CAPABILITIES = Path(__file__).resolve().parent / "fake_drivers" / "broken_driver.py"


def record(clause: str, outcome: reporting.TestOutcome, by: str | None = None) -> reporting.TestRecord:
    return reporting.TestRecord(f"t::{clause}::{outcome}", (clause,), outcome, f"{outcome} detail", by)


def outcomes(results: list[reporting.ClauseResult]) -> dict[str, str]:
    return {r.clause.id: r.outcome for r in results}


def test_a_full_run_is_not_partial() -> None:
    results = reporting.judge([record(c.id, "pass") for c in CLAUSES])
    assert not reporting.partial(results)
    assert reporting.as_json({}, results)["partial"] is False
    assert reporting.verdict_line(results) == f"verdict: conforming ({len(CLAUSES)} pass)"


def test_clauses_without_a_selected_check_are_not_run_and_out_of_the_verdict() -> None:
    results = reporting.judge([record(HALF_PAIR, "pass")])
    assert outcomes(results)[HALF_PAIR] == "pass"
    assert {o for c, o in outcomes(results).items() if c != HALF_PAIR} == {"not-run"}
    assert reporting.partial(results) and reporting.not_run(results) == len(CLAUSES) - 1
    assert reporting.verdict(results) == "conforming" and reporting.exit_code(results) == 0
    assert reporting.verdict_line(results) == (
        f"verdict: partial, conforming so far (1 pass; {len(CLAUSES) - 1} not run, "
        "none of their checks selected)"
    )
    written = reporting.as_json({}, results)
    assert written["partial"] is True
    entry = next(c for c in written["clauses"] if c["id"] == "dims.verbatim")
    assert (entry["outcome"], entry["status"], entry["applicable"]) == ("not-run", "not-run", True)
    assert entry["detail"] == reporting.NOT_RUN_DETAIL
    table = reporting.table_lines({"module": "m", "version": "1"}, results)
    assert any(line.split()[-2:] == ["not", "run"] for line in table)


def test_a_must_that_ran_and_failed_makes_a_partial_run_nonconforming() -> None:
    results = reporting.judge([record(HALF_PAIR, "pass"), record("dims.verbatim", "fail")])
    assert reporting.verdict(results) == "nonconforming" and reporting.exit_code(results) == 1
    assert reporting.verdict_line(results).startswith("verdict: partial, nonconforming (1 pass, 1 fail; ")


def test_a_suite_error_in_a_partial_run_is_no_verdict() -> None:
    results = reporting.judge([record(HALF_PAIR, "pass"), record("request.snapshot", "error")])
    assert reporting.verdict(results) == "error" and reporting.exit_code(results) == 3
    assert reporting.verdict_line(results).startswith("verdict: error, no verdict about the plugin (")


def test_a_selected_clause_that_never_reported_is_skip_not_not_run() -> None:
    """Known selections decide: a clause given a check that never reported was not left out."""
    results = reporting.judge([record(HALF_PAIR, "pass")], selected={HALF_PAIR, "dims.verbatim"})
    assert outcomes(results)["dims.verbatim"] == "skip"
    assert outcomes(results)["request.shape"] == "not-run"
    assert reporting.verdict(results) == "nonconforming"


def test_a_premise_found_broken_judges_a_clause_none_of_whose_checks_was_selected() -> None:
    results = reporting.judge([record("avatar.joins", "blocked", by="avatar.token")])
    assert outcomes(results)["avatar.token"] == "fail"  # judged by evidence, not run or not
    assert reporting.verdict(results) == "nonconforming"


def test_a_selection_that_skipped_every_check_is_no_verdict() -> None:
    results = reporting.judge([record("surface.session-options", "skip")])
    assert outcomes(results)["surface.session-options"] == "skip"
    assert reporting.judged_nothing(results) and reporting.verdict(results) == "error"
    assert "every selected check was skipped" in reporting.verdict_line(results)


def test_a_check_whose_xdist_worker_crashed_is_the_suites_error_for_its_clauses() -> None:
    """xdist's report of a crashed check has none of its properties; the workers' selection has them."""
    records = Records()
    nodeid = "conformance/suite/test_dimensions.py::test_x"
    worker = SimpleNamespace(workeroutput={SELECTED_OUTPUT: {nodeid: [["dims.verbatim"], 3]}})
    records.worker_selected(worker)
    crash = pytest.TestReport(nodeid, (nodeid, None, nodeid), {}, "failed", "worker 'gw0' crashed", "???")  # type: ignore[arg-type]
    records.add(crash)
    (crashed,) = records.all()
    assert (crashed.clauses, crashed.outcome, crashed.order) == (("dims.verbatim",), "error", 3)
    results = reporting.judge(records.all(), selected=records.selected_clauses())
    assert outcomes(results)["dims.verbatim"] == "error" and reporting.verdict(results) == "error"


def test_the_tool_says_a_partial_verdict_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    code = runner.judge(0, "conforming", Path("r.json"), kept=False, not_run="24 of 25 clauses not run")
    assert code == runner.EXIT_CONFORMING
    assert capsys.readouterr().err == (
        "anam-conformance: verdict: partial, conforming so far (24 of 25 clauses not run)\n"
    )
    assert (
        runner.judge(1, "nonconforming", Path("r.json"), kept=False, not_run="3 of 25 clauses not run") == 1
    )
    assert "verdict: partial, nonconforming (3 of 25" in capsys.readouterr().err


def test_every_output_of_a_partial_run_agrees(run_suite: Any, tmp_path: Path) -> None:
    junit, markdown = tmp_path / "j.xml", tmp_path / "m.md"
    run = run_suite(
        "plugin_under_test",
        "-k",
        "half_pair",
        f"--conformance-junit={junit}",
        f"--conformance-markdown={markdown}",
    )
    left_out = len(CLAUSES) - 1
    assert run.exit_code == 0, run.output
    assert run.report["verdict"] == "conforming" and run.report["partial"] is True
    assert run.outcomes()[HALF_PAIR] == "pass"
    assert list(run.outcomes().values()).count("not-run") == left_out
    said = f"verdict: partial, conforming so far (1 pass; {left_out} not run, none of their checks selected)"
    assert said in run.output

    # JUnit: no failure, each clause not run a skipped case of its own type.
    suite = ET.parse(junit).getroot()
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", str(left_out))
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["partial"] == "true" and properties["not-run"] == str(left_out)
    skipped = [case.find("skipped") for case in suite.iter("testcase") if case.get("name") != HALF_PAIR]
    assert all(s is not None and s.get("type") == "not-run" for s in skipped)

    # Markdown: the heading and the first sentence say it.
    text = markdown.read_text()
    assert text.startswith("## Anam conformance: partial run, conforming so far\n")
    assert f"A partial run: {left_out} of {len(CLAUSES)} clauses had none of their checks selected" in text
    assert "❌" not in text and "Failing clauses" not in text

    # The release matrix: not run in the cells, (partial) after the verdict.
    column = Column("reference", run.report)
    page = matrix_html([column])
    assert '<td class="not-run"' in page and "conforming (partial)" in page
    table = matrix_markdown([column])
    assert "| `dims.verbatim` | MUST | not run |" in table and "**conforming** (partial)" in table
    # Judged against the reference's expectations, a clause not run is not as expected: never a pass.
    judged = matrix_markdown([Column("reference", run.report, Expectation("reference"))])
    assert "| `dims.verbatim` | MUST | not run (expected pass) |" in judged


def test_the_junit_and_markdown_renderers_agree_with_the_report() -> None:
    results = reporting.judge([record(HALF_PAIR, "pass"), record("dims.verbatim", "fail")])
    written = reporting.as_json({"module": "m", "version": "1"}, results)
    suite = ET.fromstring(junit_xml(written))
    assert suite.get("failures") == "1" and suite.get("skipped") == str(len(CLAUSES) - 2)
    text = summary_markdown(written)
    assert text.startswith("## Anam conformance: partial run, nonconforming\n")
    assert "Every applicable MUST clause" not in text and "MUST clause that ran does not pass" in text


def test_a_check_skipped_for_a_capability_is_not_a_clause_not_run(run_suite: Any) -> None:
    """Selected but skipped for a reason: the clause keeps its ``skip``; the run judged nothing."""
    run = run_suite(
        f"driver:{sys.executable} {WITHOUT_CAPABILITIES} whole-surface",
        "-k",
        "test_session_options_keeps_what_it_is_given",  # needs python-types: skipped where not offered
    )
    assert run.exit_code == 3, run.output
    assert run.outcomes()["surface.session-options"] == "skip"
    assert {o for c, o in run.outcomes().items() if c != "surface.session-options"} == {"not-run"}
    assert "verdict: error, no verdict (1 skip; " in run.output
