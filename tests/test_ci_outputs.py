"""The CI renderings and the release matrix judge reports the way the README says."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from anam_conformance import matrix
from anam_conformance.clauses import CLAUSES
from anam_conformance.expectations import Expectation, ExpectationError, compare, load
from anam_conformance.renderers.junit import junit_xml
from anam_conformance.renderers.markdown import summary_markdown

ROOT = Path(__file__).resolve().parent.parent


def report(verdict: str = "conforming", **outcomes: str) -> dict[str, Any]:
    """A clause report in which every clause passes except those given (dots as underscores)."""
    given = {key.replace("__", ".").replace("_", "-"): value for key, value in outcomes.items()}
    return {
        "schema": 1,
        "plugin": {"module": "livekit.plugins.anam", "version": "9.9.9"},
        "verdict": verdict,
        "clauses": [
            {
                "id": c.id,
                "level": c.level.value,
                "title": c.title,
                "requirement": c.requirement,
                "source": c.source,
                "outcome": given.get(c.id, "pass"),
                "detail": "expected 1 request; actual 2" if given.get(c.id) == "fail" else "",
                "tests": [],
            }
            for c in CLAUSES
        ],
    }


OLD = Expectation("1.5.18", "nonconforming", {"dims.verbatim": "unimplemented"})


def test_a_known_nonconforming_release_matches_its_expectation() -> None:
    assert compare(OLD, report("nonconforming", dims__verbatim="unimplemented")) == []


def test_a_regression_is_unexpected_and_an_improvement_is_a_stale_expectation() -> None:
    regression = compare(OLD, report("nonconforming", dims__verbatim="unimplemented", request__shape="fail"))
    assert [(m.what, m.stale) for m in regression] == [("request.shape", False)]
    improved = compare(OLD, report("conforming"))
    assert {(m.what, m.stale) for m in improved} == {("dims.verbatim", True), ("verdict", True)}
    assert "expectation no longer holds" in str(improved[0])


def test_an_expectation_naming_an_unknown_clause_is_refused_with_file_and_clause(tmp_path: Path) -> None:
    path = tmp_path / "1.0.0.toml"
    path.write_text('verdict = "conforming"\n[clauses]\n"dims.nope" = "fail"\n')
    with pytest.raises(ExpectationError, match=r"1\.0\.0\.toml: unknown clause 'dims\.nope'"):
        load(path)


def test_an_expectation_listing_a_pass_is_refused_in_one_line_with_file_and_clause(tmp_path: Path) -> None:
    path = tmp_path / "1.0.0.toml"
    path.write_text('verdict = "conforming"\n[clauses]\n"dims.verbatim" = "pass"\n')
    with pytest.raises(ExpectationError) as refused:
        load(path)
    message = str(refused.value)
    assert message == (
        f"{path}: clause 'dims.verbatim' = \"pass\": every clause not named is expected to pass; remove it"
    )
    assert "\n" not in message


def test_no_kept_expectation_lists_a_pass() -> None:
    kept = sorted((ROOT / "expectations").glob("*.toml"))
    assert kept
    for path in kept:
        assert "pass" not in load(path).clauses.values(), path


def test_matrix_exit_code_follows_the_expectations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "1.5.18.toml").write_text(
        'verdict = "nonconforming"\n[clauses]\n"dims.verbatim" = "unimplemented"\n'
    )
    (expectations / "1.8.9.toml").write_text('verdict = "conforming"\n')
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "1.5.18.json").write_text(json.dumps(report("nonconforming", dims__verbatim="unimplemented")))
    (reports / "1.8.9.json").write_text(json.dumps(report()))
    html = tmp_path / "matrix.html"
    argv = [str(reports), "--expectations", str(expectations), "--html", str(html)]
    assert matrix.main(argv) == 0
    table = capsys.readouterr().out
    assert "| `dims.verbatim` | MUST | unimplemented | pass |" in table
    assert "<table>" in html.read_text()
    (reports / "1.8.9.json").write_text(json.dumps(report("nonconforming", request__shape="fail")))
    assert matrix.main(argv) == 1
    assert "1.8.9: request.shape: expected pass; actual fail (unexpected)" in capsys.readouterr().err
    assert matrix.main([str(tmp_path / "missing.json")]) == 2


def test_junit_has_one_case_per_clause_failing_where_the_verdict_does() -> None:
    rendered = report(
        "nonconforming",
        dims__verbatim="unimplemented",
        fields__disclosure_kept="unimplemented",
        avatar__joins="blocked",
        avatar__token="fail",
    )
    for entry in rendered["clauses"]:
        if entry["id"] == "fields.disclosure-kept":
            entry["applicable"] = False  # a conditional clause whose surface the plugin does not offer
    suite = ET.fromstring(junit_xml(rendered).split("\n", 1)[1])
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [c.id for c in CLAUSES]
    assert cases["dims.verbatim"].find("failure") is not None  # a MUST not shown to pass
    assert cases["fields.disclosure-kept"].find("skipped") is not None  # does not apply
    assert cases["avatar.joins"].find("skipped") is not None  # blocked: avatar.token is what fails
    assert cases["avatar.token"].find("failure") is not None
    assert cases["request.shape"].find("failure") is None


def test_junit_reports_the_suites_own_error_as_an_error_not_a_failure() -> None:
    rendered = report("error", request__snapshot="error")
    suite = ET.fromstring(junit_xml(rendered).split("\n", 1)[1])
    case = next(c for c in suite.iter("testcase") if c.get("name") == "request.snapshot")
    assert case.find("error") is not None and case.find("failure") is None
    assert suite.get("errors") == "1" and suite.get("failures") == "0"


def test_markdown_shows_no_verdict_and_folds_the_evidence() -> None:
    rendered = report("error", request__snapshot="error")
    text = summary_markdown(rendered)
    assert text.startswith("## Anam conformance: no verdict (the suite could not judge)")
    assert "### Not judged: the suite's own error" in text
    failing = report("nonconforming", dims__verbatim="fail")
    for entry in failing["clauses"]:
        if entry["id"] == "dims.verbatim":
            entry["detail"] = 'sessionOptions.videoWidth: 1152 → "1152"\nexpected:\n{}\nactual:\n{}'
    folded = summary_markdown(failing)
    assert '- **`dims.verbatim`** (MUST): sessionOptions.videoWidth: 1152 → "1152"' in folded
    assert "<details><summary>evidence</summary>" in folded


def test_markdown_leads_with_the_failures_and_their_detail() -> None:
    text = summary_markdown(report("nonconforming", session__one_request="fail"))
    assert text.startswith("## Anam conformance: nonconforming")
    assert "- **`session.one-request`** (MUST): expected 1 request; actual 2" in text
