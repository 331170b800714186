"""Recorded exchanges with Anam, replayed against the plugin with the network blocked.

Each cassette in ``cassettes/`` holds what Anam answered to one request the
contract is about, in the plugin's wire flow. The plugin must send the
recorded request (JSON-equal, LiveKit token aside), raise the recorded 400 as
it came, and, on a recorded success, have its ``wait_for_join()`` resolve on
an avatar admitted with the token it sent now, publishing the recorded track.
"""

from __future__ import annotations

import json

import pytest

from conformance.cassettes.library import SCENARIOS, CassetteFile
from conformance.cassettes.matching import explain_unmatched
from conformance.cassettes.plugin import Replay
from conformance.cassettes.replay import ReplayOutcome
from conformance.expect import ClauseViolation, expect
from conformance.harness.evidence import describe

pytestmark = pytest.mark.asyncio

REJECTED = [s.name for s in SCENARIOS if s.outcome == "rejected" and not s.half_pair]
EXPLICIT = [s.name for s in SCENARIOS if s.outcome == "started" and s.session_options]
DEFAULT = [s.name for s in SCENARIOS if s.outcome == "started" and not s.session_options and not s.identity]
HALF_PAIR = next(s for s in SCENARIOS if s.half_pair)
CUSTOM_IDENTITY = next(s for s in SCENARIOS if s.identity)


def _require_matched(outcome: ReplayOutcome, cassette: CassetteFile) -> None:
    if outcome.unmatched:
        live = outcome.unmatched[0]
        recorded = [
            (
                i["request"]["method"],
                i["request"]["uri"].split("://", 1)[-1].partition("/")[2],
                i["request"]["body"],
            )
            for i in cassette.interactions
        ]
        recorded = [(m, f"/{p}", b) for m, p, b in recorded]
        raise ClauseViolation(
            explain_unmatched(
                cassette.clause, cassette.path.name, (live.method, live.path, live.body), recorded
            )
        )


def _rejection(cassette: CassetteFile) -> tuple[int, str]:
    """The recorded refusal: the first interaction that is not a 2xx."""
    for interaction in cassette.interactions:
        response = interaction["response"]
        if response["status"]["code"] >= 300:
            return int(response["status"]["code"]), str(response["body"]["string"])
    raise AssertionError(f"{cassette.path.name} records no refusal")


def _same_body(actual: object, recorded: str) -> bool:
    if actual == recorded:
        return True
    try:
        parsed: object = json.loads(actual if isinstance(actual, str) else json.dumps(actual))
        return bool(parsed == json.loads(recorded))
    except (TypeError, ValueError):
        return False


@pytest.mark.clause("rejection.not-retried")
@pytest.mark.needs("SessionOptions")
@pytest.mark.parametrize("name", REJECTED)
async def test_replayed_400_is_sent_once(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _require_matched(outcome, cassette)
    expect(
        len(outcome.session_requests) == 1,
        expected=f"one session request, answered with the recorded 400 of {cassette.path.name}",
        actual=f"{len(outcome.session_requests)}: {describe(outcome.session_requests)}",
    )


@pytest.mark.clause("rejection.surfaced")
@pytest.mark.needs("SessionOptions")
@pytest.mark.parametrize("name", REJECTED)
async def test_replayed_400_is_raised_with_the_recorded_body(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _require_matched(outcome, cassette)
    status, body = _rejection(cassette)
    error = outcome.failure
    actual = (
        f"{error.type_name} status_code {error.status} body {error.body!r}"
        if error is not None and error.kind == "api-status"
        else f"{error} during {outcome.error_during}"
    )
    expect(
        error is not None
        and error.kind == "api-status"
        and error.status == status
        and _same_body(error.body, body),
        expected=f"APIStatusError status_code {status} body {body}",
        actual=actual,
    )
    expect(not outcome.joined, expected="no avatar after the recorded 400", actual="the avatar joined")


@pytest.mark.clause("dims.both-or-neither")
@pytest.mark.needs("SessionOptions")
async def test_replayed_half_pair_is_never_sent(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(HALF_PAIR.name, session_options=HALF_PAIR.session_options)
    status, body = _rejection(cassette)
    error = outcome.failure
    answered = (
        f"Anam answered HTTP {error.status} {error.body}"
        if error is not None and error.kind == "api-status"
        else f"then {error}"
    )
    expect(
        not outcome.requests,
        expected=f"ValueError before any request (sent, Anam answers HTTP {status} {body})",
        actual=f"the half pair was sent: {describe(outcome.requests)}; {answered}",
    )
    expect(
        error is not None and error.kind == "argument",
        expected="ValueError (an argument error)",
        actual=str(error),
    )


def _check_joined(outcome: ReplayOutcome, cassette: CassetteFile) -> None:
    _require_matched(outcome, cassette)
    track = cassette.track
    assert track is not None, f"{cassette.path.name} records no track"
    avatar = outcome.avatar
    expect(
        outcome.joined and avatar is not None and avatar.identity == outcome.avatar_identity,
        expected=f"wait_for_join() to resolve for {outcome.avatar_identity!r}",
        actual=f"error {outcome.failure} during {outcome.error_during}, "
        f"refusal {outcome.join_refusal!r}, avatar {avatar and avatar.identity!r}",
    )
    assert avatar is not None
    recorded = (track["identity"], track["width"], track["height"])
    published = (avatar.identity, avatar.video_width, avatar.video_height)
    expect(
        published == recorded,
        expected=f"the recorded track: {recorded[0]!r} video {recorded[1]}x{recorded[2]}",
        actual=f"{published[0]!r} video {published[1]}x{published[2]}",
    )


@pytest.mark.clause("dims.published-size")
@pytest.mark.needs("SessionOptions")
@pytest.mark.parametrize("name", EXPLICIT)
async def test_replayed_session_publishes_the_recorded_size(anam_replay: Replay, name: str) -> None:
    found = next(s for s in SCENARIOS if s.name == name)
    outcome, cassette = await anam_replay(name, session_options=found.session_options)
    _check_joined(outcome, cassette)


@pytest.mark.clause("avatar.joins")
@pytest.mark.parametrize("name", DEFAULT)
async def test_replayed_default_session_joins_at_the_default_size(anam_replay: Replay, name: str) -> None:
    outcome, cassette = await anam_replay(name)
    _check_joined(outcome, cassette)


@pytest.mark.clause("avatar.token")
async def test_replayed_custom_identity_is_the_tokens_identity(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(
        CUSTOM_IDENTITY.name, avatar_participant_identity=CUSTOM_IDENTITY.identity
    )
    _require_matched(outcome, cassette)
    avatar = outcome.avatar
    expect(
        avatar is not None and avatar.identity == CUSTOM_IDENTITY.identity == outcome.avatar_identity,
        expected=f"the token admits {CUSTOM_IDENTITY.identity!r}, the plugin's avatar_identity",
        actual=f"admitted {avatar and avatar.identity!r} (refusal {outcome.join_refusal!r}), "
        f"avatar_identity {outcome.avatar_identity!r}",
    )


@pytest.mark.clause("avatar.audio-handoff")
async def test_replayed_session_streams_audio_once_the_avatar_has_video(anam_replay: Replay) -> None:
    outcome, cassette = await anam_replay(DEFAULT[0])
    _require_matched(outcome, cassette)
    audio = outcome.audio
    expect(
        audio is not None and audio.destination == outcome.avatar_identity and audio.waits_for_video,
        expected=f"audio to {outcome.avatar_identity!r}, waiting for its video track",
        actual="no audio output"
        if audio is None
        else f"{audio.type_name} to {audio.destination!r}, waiting for video: {audio.waits_for_video}",
    )
