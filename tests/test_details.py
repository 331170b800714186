"""A detail never contradicts itself: the words the suite builds agree with the facts they report."""

from __future__ import annotations

import pytest
from anam_conformance.assertions import Blocked, ClauseViolation, require, violation
from anam_conformance.implementations.protocol import wait_for_join_failure
from details import contradictions

#: The driver's waitForJoin() states (drivers/PROTOCOL.md, ``avatar-events``).
STATES = ("resolved", "pending", "rejected", "absent")


def test_the_detail_that_once_contradicted_itself_is_caught() -> None:
    assert contradictions("TimeoutError('waitForJoin() did not resolve (resolved)')")
    assert contradictions("expected the avatar to join; actual the avatar to join")
    assert not contradictions("TimeoutError('waitForJoin() did not resolve: still pending after 50 turns')")
    assert not contradictions("expected one session request; actual 2 session requests")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("avatar_came", [True, False], ids=["avatar-came", "no-avatar"])
def test_a_failed_join_is_told_in_words_that_agree_with_the_drivers_state(
    state: str, avatar_came: bool
) -> None:
    failure = wait_for_join_failure(state, avatar_came=avatar_came)
    said = str(failure)
    assert not contradictions(said), said
    # A wait that resolved was not a timeout, and one that did not resolve is never called resolved.
    assert (failure.type_name == "TimeoutError") == (state == "pending"), said
    assert ("did not resolve" in said) == (state == "pending"), said
    assert ("resolved" in said.replace("did not resolve", "")) == (state == "resolved"), said


def test_an_unknown_state_is_named_not_guessed() -> None:
    said = str(wait_for_join_failure("half-done", avatar_came=False))
    assert "half-done" in said and "did not resolve" not in said


def test_a_sentence_keeps_what_was_expected_apart_from_what_happened() -> None:
    with pytest.raises(ClauseViolation) as failed:
        violation("exactly one session request", "3 session requests", "POST /v1/engine/session x3")
    first, evidence = str(failed.value).split("\n", 1)
    assert first == "expected exactly one session request; actual 3 session requests"
    assert evidence == "POST /v1/engine/session x3" and not contradictions(str(failed.value))
    with pytest.raises(Blocked) as blocked:
        require(False, by="request.shape", expected="Bearer <API key>", actual="another Authorization")
    assert blocked.value.by == "request.shape"
    assert not contradictions(str(blocked.value)) and "expected Bearer" in str(blocked.value)
