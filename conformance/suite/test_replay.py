"""Recorded exchanges with Anam, replayed against the plugin with the network blocked.

Each cassette in ``cassettes/`` holds what Anam answered to one request the
contract is about, in the plugin's wire flow. The plugin must send the
recorded request (JSON-equal, LiveKit token aside), raise the recorded 400 as
it came, and, on a recorded success, have its ``wait_for_join()`` resolve on
an avatar admitted with the token it sent now, publishing the recorded track.
"""

from __future__ import annotations

import pytest

from ..assertions import Blocked, EvidenceError, expect, require
from ..cassettes.library import SCENARIOS, CassetteFile
from ..cassettes.matching import explain_unmatched, mismatch_owner
from ..cassettes.plugin import Replay
from ..cassettes.replay import ReplayOutcome
from ..clauses import ClauseId, Offer
from ..harness.evidence import describe, in_full
from ..premises import (
    expect_audio_to_avatar,
    expect_join_waits_for_the_avatar,
    expect_status_error,
    require_admitted,
    require_refusal_final,
    require_sent,
    require_started,
)

pytestmark = pytest.mark.asyncio

REJECTED = [s.name for s in SCENARIOS if s.outcome == "rejected" and not s.half_pair]
EXPLICIT = [s.name for s in SCENARIOS if s.outcome == "started" and s.session_options]
DEFAULT = [s.name for s in SCENARIOS if s.outcome == "started" and not s.session_options and not s.identity]
HALF_PAIR = next(s for s in SCENARIOS if s.half_pair)
CUSTOM_IDENTITY = next(s for s in SCENARIOS if s.identity)


def _require_matched(
    outcome: ReplayOutcome, cassette: CassetteFile, *, dimensions_asked: bool, asked_refused: bool = False
) -> None:
    """Every request the plugin sent is one the cassette records: a premise of every replayed check.

    A request that matches none is blocked by the clause that owns where it differs
    from the closest recorded one (or by session.one-request for an extra request).
    """
    if not outcome.unmatched:
        return
    live = outcome.unmatched[0]
    recorded = [
        (
            i["request"]["method"],
            "/" + i["request"]["uri"].split("://", 1)[-1].partition("/")[2],
            i["request"]["body"],
        )
        for i in cassette.interactions
    ]
    sent = (live.method, live.path, live.body)
    by, summary = mismatch_owner(
        sent,
        recorded,
        dimensions_asked=dimensions_asked,
        refused_before=any(status >= 400 for status in outcome.answers),
        asked_refused=asked_refused,
    )
    explained = explain_unmatched(cassette.clause, cassette.path.name, sent, recorded)
    raise Blocked(by, f"{summary}\n{explained}")


def _rejection(cassette: CassetteFile) -> tuple[int, str]:
    """The recorded refusal: the first interaction that is not a 2xx."""
    for interaction in cassette.interactions:
        response = interaction["response"]
        if response["status"]["code"] >= 300:
            return int(response["status"]["code"]), str(response["body"]["string"])
    raise EvidenceError(cassette.path, "records no refusal")


@pytest.mark.clause(ClauseId.REJECTION_NOT_RETRIED)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
@pytest.mark.parametrize("name", REJECTED)
async def test_replayed_400_is_sent_once(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _require_matched(outcome, cassette, dimensions_asked=True, asked_refused=True)
    require_sent(outcome, name, refusable=False)
    expect(
        len(outcome.session_requests) == 1,
        expected=f"one session request, answered with the recorded 400 of {cassette.path.name}",
        actual=f"{len(outcome.session_requests)}: {describe(outcome.session_requests)}",
        evidence=in_full(outcome.session_requests),
    )


@pytest.mark.clause(ClauseId.REJECTION_SURFACED)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
@pytest.mark.parametrize("name", REJECTED)
async def test_replayed_400_is_raised_with_the_recorded_body(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _require_matched(outcome, cassette, dimensions_asked=True, asked_refused=True)
    require_sent(outcome, name, refusable=False)
    require_refusal_final(outcome, retries_allowed=True)
    status, body = _rejection(cassette)
    expect_status_error(outcome, status, body)
    expect(not outcome.joined, expected="no avatar after the recorded 400", actual="the avatar joined")


@pytest.mark.clause(ClauseId.DIMS_BOTH_OR_NEITHER)
async def test_replayed_half_pair_is_never_sent(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(HALF_PAIR.name, session_options=HALF_PAIR.session_options)
    status, body = _rejection(cassette)
    failure = outcome.failure
    expect(
        not outcome.requests,
        expected=f"ValueError before any request (sent, Anam answers HTTP {status} {body})",
        actual=f"the half pair was sent: {describe(outcome.requests)}; then {failure}",
        evidence=in_full(outcome.requests),
    )
    expect(failure is not None and failure.kind == "argument", expected="ValueError", actual=str(failure))


def _check_joined(outcome: ReplayOutcome, cassette: CassetteFile, *, clause: ClauseId) -> None:
    """The avatar published the recorded track, and (for avatar.joins) wait_for_join() resolved.

    For dims.published-size the join resolving is avatar.joins' premise: the size is judged first.
    """
    _require_matched(outcome, cassette, dimensions_asked=clause == ClauseId.DIMS_PUBLISHED_SIZE)
    track = cassette.track
    if track is None or track.get("kind") != "video":
        raise EvidenceError(cassette.path, "records no video track for the avatar")
    require_started(outcome)
    require_admitted(outcome)
    avatar = outcome.avatar
    recorded = (track["identity"], track["width"], track["height"])
    published = (avatar.identity, avatar.video_width, avatar.video_height) if avatar else None
    expect(
        published == recorded,
        expected=f"the recorded track: {recorded[0]!r} video {recorded[1]}x{recorded[2]}",
        actual=f"published {published}",
    )
    joined = outcome.joined and outcome.avatar_identity == outcome.expected_identity
    detail = (
        f"error {outcome.failure} during {outcome.error_during}, avatar_identity {outcome.avatar_identity!r}"
    )
    expected = f"wait_for_join() to resolve for {outcome.expected_identity!r}"
    if clause == ClauseId.AVATAR_JOINS:
        expect(joined, expected=expected, actual=detail)
        expect_join_waits_for_the_avatar(outcome)
    else:
        require(joined, by=ClauseId.AVATAR_JOINS, expected=expected, actual=detail)


@pytest.mark.clause(ClauseId.DIMS_PUBLISHED_SIZE)
@pytest.mark.parametrize("name", EXPLICIT)
async def test_replayed_session_publishes_the_recorded_size(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _check_joined(outcome, cassette, clause=ClauseId.DIMS_PUBLISHED_SIZE)


@pytest.mark.clause(ClauseId.AVATAR_JOINS)
@pytest.mark.parametrize("name", DEFAULT)
async def test_replayed_default_session_joins_at_the_default_size(anam_replay: Replay, name: str) -> None:
    outcome, cassette = await anam_replay(name)
    _check_joined(outcome, cassette, clause=ClauseId.AVATAR_JOINS)


@pytest.mark.clause(ClauseId.AVATAR_TOKEN)
async def test_replayed_custom_identity_is_the_tokens_identity(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(
        CUSTOM_IDENTITY.name, avatar_participant_identity=CUSTOM_IDENTITY.identity
    )
    _require_matched(outcome, cassette, dimensions_asked=False)
    avatar = outcome.avatar
    expect(
        avatar is not None and avatar.identity == CUSTOM_IDENTITY.identity,
        expected=f"the token admits {CUSTOM_IDENTITY.identity!r}",
        actual=f"admitted {avatar and avatar.identity!r} (refusal {outcome.join_refusal!r}), "
        f"avatar_identity {outcome.avatar_identity!r}",
    )


@pytest.mark.clause(ClauseId.AVATAR_AUDIO_HANDOFF)
async def test_replayed_session_streams_audio_once_the_avatar_has_video(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(DEFAULT[0])
    _require_matched(outcome, cassette, dimensions_asked=False)
    require_started(outcome)
    expect_audio_to_avatar(outcome)
