"""``video_width``/``video_height``: both or neither, forwarded verbatim, omitted means nothing sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..assertions import expect, require
from ..clauses import ClauseId, Offer
from ..differences import differences, one_line
from ..harness.anam_rules import SIZE_RULES
from ..harness.evidence import RecordedRequest, describe, in_full
from ..harness.start import start_avatar
from ..harness.wire import pre_feature_body, with_token, without_dimensions
from ..port.call import Persona
from ..port.implementation import Implementation
from ..premises import (
    expect_same_request,
    require_admitted,
    require_authorized,
    require_pair_sent,
    require_persona_kept,
    require_pre_feature_baseline,
    require_sent,
    require_started,
    sent_dimensions,
    session_request,
)

pytestmark = pytest.mark.asyncio

#: Every (model, width, height) combination Anam documents as accepted: the whole domain of a
#: supported pair, read from the double's rules (the one source of what Anam accepts).
DOCUMENTED = [
    pytest.param(model, width, height, id=f"{model}-{width}x{height}")
    for model, (_default, accepted) in sorted(SIZE_RULES.items())
    for width, height in sorted(accepted)
]


@pytest.mark.clause(ClauseId.DIMS_BOTH_OR_NEITHER)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"video_width": 1152}, id="width-only"),
        pytest.param({"video_height": 768}, id="height-only"),
        pytest.param({"video_width": 1152, "video_height": None}, id="height-none"),
        pytest.param({"video_width": None, "video_height": 1152}, id="width-none"),
    ],
)
async def test_half_pair_raises_value_error_before_any_request(
    implementation: Implementation, options: dict[str, Any]
) -> None:
    outcome = await start_avatar(
        implementation, persona=Persona(avatar_model="cara-4-latest"), session_options=options
    )
    expect(
        outcome.failure is not None and outcome.failure.kind == "argument",
        expected=f"ValueError for SessionOptions({options})",
        actual=str(outcome.failure),
    )
    expect(
        not outcome.requests,
        expected="no request to Anam",
        actual=describe(outcome.requests),
        evidence=in_full(outcome.requests),
    )


@pytest.mark.clause(ClauseId.DIMS_VERBATIM)
@pytest.mark.parametrize(("model", "width", "height"), DOCUMENTED)
async def test_pair_is_sent_as_session_options_verbatim(
    implementation: Implementation, model: str, width: int, height: int
) -> None:
    persona = Persona(avatar_model=model)
    outcome = await start_avatar(
        implementation, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    body = session_request(outcome).body
    asked = {"videoWidth": width, "videoHeight": height}
    sent = sent_dimensions(body)
    found = differences(asked, sent, "sessionOptions")
    expect(not found, expected=f"sessionOptions {json.dumps(asked)}", actual=one_line(found))
    baseline = await start_avatar(implementation, persona=persona)
    require_pre_feature_baseline(session_request(baseline).body, persona)
    token = session_request(outcome).livekit_token or ""
    expect_same_request(
        without_dimensions(body),
        with_token(session_request(baseline).body, token),
        dimensions_asked=True,
        clause=ClauseId.DIMS_VERBATIM,
        what="the rest of the body as without dimensions",
    )


@pytest.mark.clause(ClauseId.DIMS_OMITTED_IS_BASELINE)
async def test_no_options_sends_the_pre_feature_body(implementation: Implementation) -> None:
    persona = Persona(avatar_model="cara-4-latest")
    outcome = await start_avatar(implementation, persona=persona)
    expect_pre_feature_body(session_request(outcome), persona)


def expect_pre_feature_body(request: RecordedRequest, persona: Persona) -> None:
    expect_same_request(
        without_token(request.body),
        without_token(pre_feature_body(persona, "")),
        dimensions_asked=False,
        clause=ClauseId.DIMS_OMITTED_IS_BASELINE,
        what="the pre-feature body",
    )


@pytest.mark.clause(ClauseId.DIMS_OMITTED_IS_BASELINE)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="default-options"),
        pytest.param({"video_width": None, "video_height": None}, id="both-none"),
    ],
)
async def test_options_without_dimensions_send_the_pre_feature_body(
    implementation: Implementation, options: dict[str, Any]
) -> None:
    persona = Persona(avatar_model="cara-3")
    outcome = await start_avatar(implementation, persona=persona, session_options=options)
    expect_pre_feature_body(session_request(outcome), persona)


@pytest.mark.clause(ClauseId.DIMS_PUBLISHED_SIZE)
@pytest.mark.parametrize(("model", "width", "height"), DOCUMENTED)
async def test_avatar_publishes_video_at_the_requested_size(
    implementation: Implementation, model: str, width: int, height: int
) -> None:
    persona = Persona(avatar_model=model)
    outcome = await start_avatar(
        implementation, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    request = session_request(outcome)
    require_pair_sent(request, width, height)
    require_persona_kept(request, persona)
    require_started(outcome)
    require_admitted(outcome)
    published = (outcome.avatar.video_width, outcome.avatar.video_height) if outcome.avatar else None
    expect(
        published == (width, height),
        expected=f"a {width}x{height} video track",
        actual=f"published {published}, error {outcome.failure}",
    )
    require(
        outcome.joined,
        by=ClauseId.AVATAR_JOINS,
        expected="wait_for_join() to resolve",
        actual=str(outcome.failure),
    )


def without_token(body: Any) -> Any:
    return with_token(body, "<livekit-jwt>")


@pytest.mark.clause(ClauseId.DIMS_PUBLISHED_SIZE)
async def test_a_retried_start_publishes_the_requested_size(implementation: Implementation) -> None:
    """Anam is busy once (503, retryable): the session the retry opens still has the asked size."""
    persona, (width, height) = Persona(avatar_model="cara-4-latest"), (768, 1152)
    outcome = await start_avatar(
        implementation,
        persona=persona,
        session_options={"video_width": width, "video_height": height},
        scripted_replies=((503, {"error": "Service Unavailable", "message": "Service busy"}),),
    )
    require_sent(outcome, f"{width}x{height}", refusable=False)
    first = outcome.session_requests[0]
    require_pair_sent(first, width, height)
    require_persona_kept(first, persona)
    require_authorized(outcome)
    sent, sessions = len(outcome.session_requests), len(outcome.sessions)
    require(
        sessions <= 1,
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="one Anam session per start",
        actual=f"{sessions} sessions from {sent} requests",
    )
    require(
        sent >= 2 and sessions == 1,
        by=ClauseId.RETRY_RETRYABLE_RETRIED,
        expected="the 503 retried, and the retry opening the session",
        actual=f"{sent} request(s), {sessions} session(s), {outcome.failure}",
    )
    require_admitted(outcome)
    published = (outcome.avatar.video_width, outcome.avatar.video_height) if outcome.avatar else None
    expect(
        published == (width, height),
        expected=f"a {width}x{height} video track after the retry",
        actual=f"published {published}",
    )
