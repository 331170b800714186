"""Joined means joined: the harness asks wait_for_join() before the avatar comes, and again after.

A start that skips the framework's join tracking has a wait_for_join() that
resolves at once; asked only after the avatar's arrival it looks like a join.
These tests hold the harness to the order, in-process, on the reference and on
the broken plugin that leaves out ``super().start()``.
"""

from __future__ import annotations

import pytest
from anam_conformance.assertions import ClauseViolation
from anam_conformance.harness.outcome import StartOutcome
from anam_conformance.harness.start import start_avatar
from anam_conformance.implementations.loading import load_target
from anam_conformance.port import Persona
from anam_conformance.premises import expect_join_waits_for_the_avatar
from details import contradictions


@pytest.mark.asyncio
async def test_the_references_wait_is_pending_until_the_avatar_comes_then_resolves() -> None:
    outcome = await start_avatar(load_target("plugin_under_test"), persona=Persona(avatar_model="cara-3"))
    assert outcome.wait_before_arrival == "pending"
    assert outcome.joined and outcome.avatar is not None


@pytest.mark.asyncio
async def test_a_start_without_the_frameworks_start_resolves_before_the_avatar_comes() -> None:
    target = load_target("broken_plugins.join_not_tracked")
    outcome = await start_avatar(target, persona=Persona(avatar_model="cara-3"))
    assert outcome.wait_before_arrival == "resolved"
    assert outcome.joined  # asked only after the arrival, it would have passed


@pytest.mark.parametrize("state", ["pending", "rejected", None])
def test_a_wait_that_did_not_resolve_early_is_no_fault(state: str | None) -> None:
    outcome = StartOutcome(wait_before_arrival=state)
    expect_join_waits_for_the_avatar(outcome)


def test_an_early_resolution_fails_in_words_that_agree_with_it() -> None:
    with pytest.raises(ClauseViolation) as failed:
        expect_join_waits_for_the_avatar(StartOutcome(wait_before_arrival="resolved"))
    said = str(failed.value)
    assert "resolved with no avatar in the room" in said and not contradictions(said)
