"""Verdicts name the broken clause and only it; broken evidence is the suite's error, not the plugin's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from anam_conformance import report as reporting
from anam_conformance.clauses import CLAUSES
from anam_conformance.evidence import cassette_dir, snapshot_dir

REFERENCE = "plugin_under_test"


def record(clause: str, outcome: reporting.TestOutcome, by: str | None = None) -> reporting.TestRecord:
    return reporting.TestRecord(f"t::{clause}::{outcome}", (clause,), outcome, f"{outcome} detail", by)


def passing(*but: str) -> list[reporting.TestRecord]:
    return [record(c.id, "pass") for c in CLAUSES if c.id not in but]


def outcomes(results: list[reporting.ClauseResult]) -> dict[str, str]:
    return {r.clause.id: r.outcome for r in results}


def test_a_broken_premise_fails_the_clause_that_owns_it_and_blocks_the_other() -> None:
    blocked = record("avatar.joins", "blocked", by="avatar.token")
    results = reporting.judge([*passing("avatar.joins"), blocked])
    assert outcomes(results)["avatar.joins"] == "blocked"
    assert outcomes(results)["avatar.token"] == "fail"  # its own check passed; the premise did not hold
    token = next(r for r in results if r.clause.id == "avatar.token")
    assert "a premise of t::avatar.joins::blocked" in token.detail
    joins = next(r for r in results if r.clause.id == "avatar.joins")
    assert joins.blocked_by == "avatar.token"
    assert reporting.verdict(results) == "nonconforming"


def test_an_error_gives_no_verdict_and_its_own_exit_code() -> None:
    results = reporting.judge([*passing("request.snapshot"), record("request.snapshot", "error")])
    assert outcomes(results)["request.snapshot"] == "error"
    assert reporting.verdict(results) == "error"
    assert reporting.exit_code(results) == reporting.NO_VERDICT_EXIT not in (0, 1)


def test_a_failure_outranks_an_error_in_its_clause_but_not_in_the_verdict() -> None:
    results = reporting.judge(
        [
            *passing("dims.verbatim", "request.snapshot"),
            record("dims.verbatim", "fail"),
            record("request.snapshot", "error"),
        ]
    )
    assert outcomes(results)["dims.verbatim"] == "fail"
    assert reporting.verdict(results) == "error"


def test_a_conditional_clause_applies_only_where_its_surface_is_offered() -> None:
    records = [*passing("fields.disclosure-kept"), record("fields.disclosure-kept", "fail")]
    without = reporting.judge(records, surface={"SessionOptions"})
    assert outcomes(without)["fields.disclosure-kept"] == "unimplemented"
    assert reporting.verdict(without) == "conforming"
    offered = reporting.judge(records, surface={"SessionOptions", "show_ai_avatar_disclosure"})
    assert outcomes(offered)["fields.disclosure-kept"] == "fail"
    assert reporting.verdict(offered) == "nonconforming"


def test_a_plugin_that_drops_the_disclosure_flag_is_nonconforming(run_suite) -> None:
    run = run_suite("broken_plugins.disclosure_only_with_dimensions", "--conformance-profile=quick")
    assert run.exit_code == 1, run.output
    assert run.report["verdict"] == "nonconforming"
    assert run.outcomes()["fields.disclosure-kept"] == "fail"


def corrupt_copy(source: Path, into: Path, name: str, text: str) -> Path:
    shutil.copytree(source, into)
    (into / name).write_text(text, encoding="utf-8")
    return into / name


@pytest.mark.parametrize(
    "text", ["{ not json", '{"metadata": {}, "interactions": []}'], ids=["not-json", "no-provenance"]
)
def test_a_corrupt_cassette_gives_no_verdict_naming_the_file(run_suite, tmp_path: Path, text: str) -> None:
    bad = corrupt_copy(cassette_dir(), tmp_path / "cassettes", "default-size-cara-3.one-request.json", text)
    run = run_suite(REFERENCE, f"--conformance-cassettes={bad.parent}", "-k", "replay")
    assert run.exit_code == reporting.NO_VERDICT_EXIT, run.output
    assert run.report["verdict"] == "error"
    errors = {c["id"]: c["detail"] for c in run.report["clauses"] if c["outcome"] == "error"}
    assert errors and all(bad.name in detail for detail in errors.values()), errors
    assert not [c for c in run.report["clauses"] if c["outcome"] == "fail"]
    assert bad.name in run.output


@pytest.mark.parametrize(
    "text", ["{ not json", '{"case": "another", "call": {}}'], ids=["not-json", "other-case"]
)
def test_a_corrupt_snapshot_gives_no_verdict_naming_the_file(run_suite, tmp_path: Path, text: str) -> None:
    bad = corrupt_copy(snapshot_dir(), tmp_path / "snapshots", "no-options.json", text)
    run = run_suite(REFERENCE, f"--conformance-snapshots={bad.parent}", "-k", "snapshots")
    assert run.exit_code == reporting.NO_VERDICT_EXIT, run.output
    assert run.report["verdict"] == "error"
    snapshot = next(c for c in run.report["clauses"] if c["id"] == "request.snapshot")
    assert snapshot["outcome"] == "error" and bad.name in snapshot["detail"], snapshot
    assert "verdict: error" in run.output and bad.name in run.output


def test_a_failure_detail_starts_with_the_smallest_difference(run_suite) -> None:
    run = run_suite(
        "broken_plugins.stringly_dimensions", "--conformance-profile=quick", "-k", "not properties"
    )
    verbatim = next(c for c in run.report["clauses"] if c["id"] == "dims.verbatim")
    first = verbatim["detail"].splitlines()[0]
    assert "sessionOptions.videoWidth: " in first and '→ "' in first, first


def test_a_repeated_request_is_counted_on_the_first_line_and_shown_in_full_below(run_suite) -> None:
    run = run_suite("broken_plugins.retries_400_once", "-k", "test_every_final_client_error_is_sent_once")
    not_retried = next(c for c in run.report["clauses"] if c["id"] == "rejection.not-retried")
    first, *below = not_retried["detail"].splitlines()
    assert first.endswith("sent 2 times: POST /v1/engine/session x2 (the same body each time)"), first
    assert '"personaConfig": {' not in first and below.count("POST /v1/engine/session") == 2, below


def test_a_downgrade_names_each_size_asked_in_order(run_suite) -> None:
    run = run_suite("broken_plugins.downgrades_after_400", "-k", "test_unsupported_pair_is_refused_not")
    downgrade = next(c for c in run.report["clauses"] if c["id"] == "rejection.no-downgrade")
    first = downgrade["detail"].splitlines()[0]
    assert first == "expected every session request to ask 1280x720; actual 1280x720, then no sessionOptions"
