"""A blame names a clause of the registry, or the suite errs: a blocked check never counts against nobody."""

from __future__ import annotations

from typing import cast

import pytest
from anam_conformance import report
from anam_conformance.assertions import Blocked
from anam_conformance.clauses import ClauseId


def test_a_premise_owned_by_no_clause_is_refused_where_it_is_raised() -> None:
    with pytest.raises(ValueError, match=r"no\.such-clause"):
        Blocked(cast(ClauseId, "no.such-clause"), "a premise")


def test_a_received_blame_of_an_unknown_clause_is_the_suites_error() -> None:
    record = report.TestRecord.received(
        "t::a", ["dims.verbatim"], "blocked", "blocked by x", "no.such-clause"
    )
    assert record.outcome == "error"
    assert "unknown clause 'no.such-clause'" in record.detail
    assert record.clauses == (ClauseId.DIMS_VERBATIM,)


def test_the_judge_never_drops_a_blame_it_cannot_place() -> None:
    record = report.TestRecord(
        "t::a", (ClauseId.DIMS_VERBATIM,), "blocked", "blocked", cast(ClauseId, "dims.verbatimm")
    )
    verbatim = next(r for r in report.judge([record]) if r.clause.id is ClauseId.DIMS_VERBATIM)
    assert verbatim.outcome == "error"
    assert "dims.verbatimm" in verbatim.detail


def test_a_known_blame_counts_against_its_owner() -> None:
    record = report.TestRecord.received(
        "t::a", ["avatar.joins"], "blocked", "blocked by session.one-request", "session.one-request"
    )
    results = {r.clause.id: r for r in report.judge([record])}
    assert results[ClauseId.AVATAR_JOINS].outcome == "blocked"
    assert results[ClauseId.SESSION_ONE_REQUEST].outcome == "fail"
