"""A successful start: one session, the right request, a token that admits the avatar, video."""

from __future__ import annotations

from typing import Any

import pytest
from livekit import api

from ..assertions import expect, require, violation
from ..clauses import ClauseId, Offer
from ..harness.anam_double import ENGINE_SESSION_PATH, SESSION_TOKEN_PATH
from ..harness.anam_rules import SIZE_RULES
from ..harness.evidence import describe, in_full
from ..harness.outcome import DEFAULT_AVATAR_IDENTITY
from ..harness.start import ANAM_API_KEY, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, start_avatar
from ..port.call import AGENT_IDENTITY, ATTRIBUTE_PUBLISH_ON_BEHALF, NOT_GIVEN_OPTIONS, Persona
from ..port.implementation import Implementation
from ..premises import (
    expect_audio_to_avatar,
    expect_join_waits_for_the_avatar,
    require_admitted,
    require_authorized,
    require_started,
    session_request,
)

pytestmark = pytest.mark.asyncio


@pytest.mark.clause(ClauseId.SESSION_ONE_REQUEST)
async def test_start_sends_one_session_request(implementation: Implementation) -> None:
    outcome = await start_avatar(implementation, persona=Persona(avatar_model="cara-3"))
    require_authorized(outcome)
    started = outcome.failure is None or outcome.error_during == "wait_for_join"
    expect(started, expected="start() to succeed", actual=f"{outcome.failure} during {outcome.error_during}")
    expect(
        len(outcome.session_requests) == 1 and len(outcome.sessions) == 1,
        expected="one session request and one session",
        actual=f"{len(outcome.session_requests)} request(s), {len(outcome.sessions)} session(s)",
    )
    extra = [r for r in outcome.requests if not r.carries_persona and r.path != ENGINE_SESSION_PATH]
    expect(
        not extra,
        expected="no request besides the session flow",
        actual=describe(extra),
        evidence=in_full(extra),
    )


@pytest.mark.clause(ClauseId.REQUEST_SHAPE)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(NOT_GIVEN_OPTIONS, id="no-options"),
        pytest.param(
            {"video_width": 720, "video_height": 480},
            id="with-dimensions",
            marks=pytest.mark.offers(Offer.SESSION_OPTIONS),
        ),
    ],
)
async def test_session_request_is_an_authorized_json_post(
    implementation: Implementation, options: Any
) -> None:
    outcome = await start_avatar(
        implementation, persona=Persona(avatar_model="cara-3"), session_options=options
    )
    request = session_request(outcome)
    expect(request.method == "POST", expected="POST", actual=request.method)
    expect(
        request.path in (ENGINE_SESSION_PATH, SESSION_TOKEN_PATH),
        expected=f"{ENGINE_SESSION_PATH} (or {SESSION_TOKEN_PATH} in the two-request flow)",
        actual=request.path,
    )
    expect(
        request.header("Authorization") == f"Bearer {ANAM_API_KEY}",
        expected="Authorization: Bearer <the API key>",
        actual="no Authorization header"
        if request.header("Authorization") is None
        else "another Authorization value",
    )
    content_type = (request.header("Content-Type") or "").split(";")[0].strip()
    expect(
        content_type == "application/json",
        expected="Content-Type application/json",
        actual=content_type or "none",
    )
    expect(
        isinstance(request.body, dict),
        expected="a JSON object body",
        actual=type(request.body).__name__,
    )


def _claims(token: str | None) -> api.access_token.Claims:
    return api.TokenVerifier(LIVEKIT_API_KEY, LIVEKIT_API_SECRET).verify(token or "")


@pytest.mark.clause(ClauseId.AVATAR_TOKEN)
@pytest.mark.parametrize("identity", [None, "custom-avatar"], ids=["default-identity", "custom-identity"])
async def test_livekit_token_admits_the_avatar_to_this_room(
    implementation: Implementation, identity: str | None
) -> None:
    outcome = await start_avatar(
        implementation,
        persona=Persona(avatar_model="cara-3"),
        avatar_participant_identity=identity,
        room_name="room-under-test",
    )
    token = session_request(outcome).livekit_token
    try:
        claims = _claims(token)
    except Exception as error:
        violation("a JWT signed with the agent's key and secret", f"{type(error).__name__}: {error}")
    expected_identity = identity or DEFAULT_AVATAR_IDENTITY
    grant = claims.video
    actual = {
        "identity": claims.identity,
        "kind": claims.kind,
        "room_join": grant.room_join if grant else None,
        "room": grant.room if grant else None,
        "publish_on_behalf": (claims.attributes or {}).get(ATTRIBUTE_PUBLISH_ON_BEHALF),
    }
    wanted = {
        "identity": expected_identity,
        "kind": "agent",
        "room_join": True,
        "room": "room-under-test",
        "publish_on_behalf": AGENT_IDENTITY,
    }
    expect(actual == wanted, expected=str(wanted), actual=str(actual))


#: Each documented model with the size Anam resolves when none is asked (the double's rules).
DEFAULT_SIZES = [
    pytest.param(model, default, id=model) for model, (default, _accepted) in sorted(SIZE_RULES.items())
]


@pytest.mark.clause(ClauseId.AVATAR_JOINS)
@pytest.mark.parametrize(("model", "size"), DEFAULT_SIZES)
@pytest.mark.parametrize("identity", [None, "custom-avatar"], ids=["default-identity", "custom-identity"])
async def test_avatar_joins_and_publishes_the_default_video(
    implementation: Implementation, model: str, size: tuple[int, int], identity: str | None
) -> None:
    outcome = await start_avatar(
        implementation, persona=Persona(avatar_model=model), avatar_participant_identity=identity
    )
    require_started(outcome)
    require_admitted(outcome)
    avatar = outcome.avatar
    # Who the avatar joins as is the token's to say: waiting for the identity asked is this clause's.
    require(
        avatar is None or avatar.identity == outcome.expected_identity,
        by=ClauseId.AVATAR_TOKEN,
        expected=f"the LiveKit token to name the avatar {outcome.expected_identity!r}",
        actual=f"it joined as {avatar.identity!r}" if avatar else "no avatar",
    )
    published = (avatar.video_width, avatar.video_height) if avatar else None
    expect(
        outcome.joined and avatar is not None and avatar.identity == outcome.expected_identity,
        expected=f"wait_for_join() to resolve for {outcome.expected_identity!r}",
        actual=f"error {outcome.failure} during {outcome.error_during}, "
        f"refusal {outcome.join_refusal!r}, avatar {avatar and avatar.identity!r}",
    )
    expect(published == size, expected=f"a {size[0]}x{size[1]} video track", actual=str(published))
    expect_join_waits_for_the_avatar(outcome)


@pytest.mark.clause(ClauseId.AVATAR_AUDIO_HANDOFF)
@pytest.mark.parametrize("identity", [None, "custom-avatar"], ids=["default-identity", "custom-identity"])
async def test_agent_audio_streams_to_the_avatar_once_it_has_video(
    implementation: Implementation, identity: str | None
) -> None:
    outcome = await start_avatar(
        implementation, persona=Persona(avatar_model="cara-3"), avatar_participant_identity=identity
    )
    require_started(outcome)
    expect_audio_to_avatar(outcome)
