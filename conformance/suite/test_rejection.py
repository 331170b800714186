"""Anam's 400: raised as ``APIStatusError`` with Anam's words, sent once, never downgraded."""

from __future__ import annotations

import pytest

from ..expect import expect, require
from ..harness.driver import Persona, start_avatar
from ..harness.evidence import describe, in_full
from ..premises import (
    expect_status_error,
    pair_sent_verbatim,
    require_persona_kept,
    require_refusal_final,
    require_sent,
    require_supported_pair_forwarded,
    sizes_asked,
)
from ..target import PluginTarget

pytestmark = pytest.mark.asyncio

UNSUPPORTED_PAIR_400 = {
    "error": "Bad Request",
    "message": "Unsupported video dimensions 1280x720 for avatar model cara-4-latest; "
    "supported: 768x1152, 1152x768",
}


@pytest.mark.clause("rejection.surfaced")
async def test_http_400_is_api_status_error_with_anams_body(anam_target: PluginTarget) -> None:
    outcome = await start_avatar(
        anam_target,
        persona=Persona(avatar_model="cara-4-latest"),
        scripted_replies=((400, UNSUPPORTED_PAIR_400),) * 3,  # a retried 400 still gets a 400
    )
    outcome.require_authorized()
    require(
        bool(outcome.requests),
        by="session.one-request",
        expected="the session request sent to Anam",
        actual=f"nothing sent; {outcome.failure}",
    )
    require_refusal_final(outcome, retries_allowed=True)
    expect_status_error(outcome, 400, UNSUPPORTED_PAIR_400)
    expect(not outcome.joined, expected="no avatar after a 400", actual="the avatar joined")


@pytest.mark.clause("rejection.not-retried")
@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(400, UNSUPPORTED_PAIR_400, id="400"),
        pytest.param(401, {"error": "Unauthorized", "message": "Invalid API key"}, id="401"),
        pytest.param(403, {"error": "Forbidden", "message": "Forbidden"}, id="403"),
    ],
)
async def test_client_error_is_sent_once(anam_target: PluginTarget, status: int, body: object) -> None:
    outcome = await start_avatar(
        anam_target,
        persona=Persona(avatar_model="cara-4-latest"),
        scripted_replies=((status, body),) * 3,
    )
    if status != 401:
        outcome.require_authorized()
    require_sent(outcome, "the session request", refusable=False)
    first = outcome.requests[0]
    again = [r for r in outcome.requests if r.path == first.path and r.body == first.body]
    expect(
        len(again) == 1,
        expected=f"the request answered HTTP {status} sent once",
        actual=f"sent {len(again)} times: {describe(outcome.requests)}",
        evidence=in_full(outcome.requests),
    )


@pytest.mark.clause("rejection.no-downgrade")
@pytest.mark.needs("SessionOptions")
@pytest.mark.parametrize(
    ("model", "width", "height"),
    [
        pytest.param("cara-4-latest", 1280, 720, id="cara-4-1280x720"),
        pytest.param("cara-3", 1152, 768, id="cara-3-1152x768"),
        pytest.param("cara-3", 480, 720, id="cara-3-swapped"),
    ],
)
async def test_unsupported_pair_is_refused_not_downgraded(
    anam_target: PluginTarget, model: str, width: int, height: int
) -> None:
    persona = Persona(avatar_model=model)
    await require_supported_pair_forwarded(anam_target, persona)
    outcome = await start_avatar(
        anam_target, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    require_sent(outcome, f"{width}x{height}", refusable=False)
    outcome.require_authorized()
    sent = outcome.session_requests
    require_persona_kept(sent[0], persona)
    expect(
        all(pair_sent_verbatim(r.body, width, height) for r in sent),
        expected=f"every session request to ask {width}x{height}",
        actual=sizes_asked(sent),
        evidence=in_full(sent),
    )
    expect(
        not outcome.sessions and not outcome.joined,
        expected="no session started",
        actual=f"{len(outcome.sessions)} session(s) started",
    )
