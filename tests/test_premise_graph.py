"""No two clauses block each other: neither in the premise graph declared in clauses.py, nor in a run.

A check blocked by a premise counts against the premise's owner, so two clauses
blocking each other would each be blamed on the other's account. The graph is
read from a run's report (``tests/details.py``); every run of the suite over a
broken plugin or a release is checked with it (``test_broken_plugins``,
``test_broken_node_plugins``, ``test_node_releases``). Here: the graph reader,
and the premise that once closed such a cycle (request.shape <->
session.one-request, through "exactly one session request" on a plugin that
resends a refused request).
"""

from __future__ import annotations

from typing import Any

import pytest
from anam_conformance import report as reporting
from anam_conformance.assertions import Blocked
from anam_conformance.clauses import BY_ID, CLAUSES, EVERY_START, WHOLE_REQUEST, ClauseId
from anam_conformance.harness.evidence import RecordedRequest
from anam_conformance.harness.outcome import StartOutcome
from anam_conformance.premises import session_request
from details import blocking_cycles, cycles


def _report(*edges: tuple[str, str]) -> dict[str, Any]:
    clauses: dict[str, list[dict[str, str]]] = {}
    for blocked, by in edges:
        clauses.setdefault(blocked, []).append(
            {"nodeid": f"t::{blocked}", "outcome": "blocked", "blocked_by": by}
        )
    return {"clauses": [{"id": cid, "tests": tests} for cid, tests in clauses.items()]}


def test_a_cycle_is_found_however_long() -> None:
    assert blocking_cycles(
        _report(("request.shape", "session.one-request"), ("session.one-request", "request.shape"))
    )
    assert cycles({("a", "b"), ("b", "c"), ("c", "a")}) == [
        ["a", "b", "c", "a"],
        ["b", "c", "a", "b"],
        ["c", "a", "b", "c"],
    ]
    assert not blocking_cycles(
        _report(("dims.verbatim", "session.one-request"), ("avatar.joins", "session.one-request"))
    )
    assert not blocking_cycles({"clauses": [{"id": "x", "tests": [{"nodeid": "t", "outcome": "fail"}]}]})


def _request(body: dict[str, Any]) -> RecordedRequest:
    return RecordedRequest("POST", "/v1/engine/session", {}, "", body)


def _body(token: str = "jwt-1", name: str = "P") -> dict[str, Any]:
    return {"personaConfig": {"name": name}, "environment": {"livekitUrl": "ws://x", "livekitToken": token}}


def test_the_same_request_resent_after_refusals_is_still_the_one_session_request() -> None:
    """Resending it is rejection.not-retried's (or retry.*'s) to judge, not session.one-request's."""
    outcome = StartOutcome(requests=[_request(_body("jwt-1")), _request(_body("jwt-2"))], answers=[401, 401])
    assert session_request(outcome) is outcome.requests[0]


@pytest.mark.parametrize(
    ("bodies", "answers", "owner"),
    [
        pytest.param([_body(), _body()], [200, 200], "session.one-request", id="again-after-a-success"),
        pytest.param([_body(), _body(name="Q")], [503, 200], "session.one-request", id="another-after-a-503"),
        pytest.param([_body(), _body(name="Q")], [400, 200], "session.one-request", id="another-after-a-400"),
    ],
)
def test_another_session_request_is_blamed_by_what_came_before_it(
    bodies: list[dict[str, Any]], answers: list[int], owner: str
) -> None:
    """Only the same request resent after refusals is not a second session request."""
    outcome = StartOutcome(requests=[_request(b) for b in bodies], answers=answers)
    with pytest.raises(Blocked) as blocked:
        _ = session_request(outcome)
    assert blocked.value.by == owner


# --- the premise graph as declared (clauses.py), without a run ------------------------------------
def _declared() -> set[tuple[str, str]]:
    return {(c.id.value, d.value) for c in CLAUSES for d in c.presupposes}


def test_every_premise_names_a_clause_and_none_its_own() -> None:
    edges = _declared()
    assert edges
    assert {d for _, d in edges} <= set(BY_ID)
    assert not [a for a, b in edges if a == b]


def test_the_declared_premise_graph_is_acyclic() -> None:
    """Ownership of a difference in a whole request (``WHOLE_REQUEST``) aside, and the two premises
    of every start (``EVERY_START``, which a run keeps apart), no clause presupposes itself through
    another: a run could otherwise blame each on the other's account."""
    premises = {(a, b) for a, b in _declared() if b != WHOLE_REQUEST and frozenset({a, b}) != EVERY_START}
    assert cycles(premises) == []


def test_the_only_cycle_left_is_between_the_premises_of_every_start() -> None:
    premises = {(a, b) for a, b in _declared() if b != WHOLE_REQUEST}
    assert {frozenset(cycle) for cycle in cycles(premises)} == {EVERY_START}


def test_a_blame_the_graph_does_not_declare_is_the_suites_error() -> None:
    """``retry.bounded`` presupposes nothing of ``avatar.token``: such a blame is a wrong one."""
    assert ClauseId.AVATAR_TOKEN not in BY_ID[ClauseId.RETRY_BOUNDED].presupposes
    record = reporting.TestRecord(
        "t::bounded", (ClauseId.RETRY_BOUNDED,), "blocked", "blocked by avatar.token", ClauseId.AVATAR_TOKEN
    )
    results = {r.clause.id: r for r in reporting.judge([record])}
    assert results[ClauseId.RETRY_BOUNDED].outcome == "error"
    assert "does not presuppose" in results[ClauseId.RETRY_BOUNDED].detail
    assert results[ClauseId.AVATAR_TOKEN].outcome == "not-run"
