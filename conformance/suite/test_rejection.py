"""Anam's 400: raised as ``APIStatusError`` with Anam's words, sent once, never downgraded."""

from __future__ import annotations

import json

import pytest
from livekit.agents import APIStatusError

from conformance.expect import expect, require
from conformance.harness.anam_rules import Rejection, judge_session_request
from conformance.harness.driver import Persona, StartOutcome, start_avatar
from conformance.harness.evidence import describe
from conformance.target import PluginTarget

pytestmark = pytest.mark.asyncio

UNSUPPORTED_PAIR_400 = {
    "error": "Bad Request",
    "message": "Unsupported video dimensions 1280x720 for avatar model cara-4-latest; "
    "supported: 768x1152, 1152x768",
}


def _check_surfaced(outcome: StartOutcome, status: int, body: object) -> None:
    error = outcome.error
    expect(
        isinstance(error, APIStatusError),
        expected=f"APIStatusError for Anam's HTTP {status}",
        actual=repr(error),
    )
    assert isinstance(error, APIStatusError)
    expect(
        error.status_code == status,
        expected=f"status_code {status}",
        actual=f"status_code {error.status_code}",
    )
    text = json.dumps(body)
    expect(
        error.body in (text, body) or json.dumps(error.body) == text,
        expected=f"body {text}",
        actual=f"body {error.body!r}",
    )


@pytest.mark.clause("rejection.surfaced")
async def test_http_400_is_api_status_error_with_anams_body(anam_target: PluginTarget) -> None:
    outcome = await start_avatar(
        anam_target,
        persona=Persona(avatar_model="cara-4-latest"),
        scripted_replies=((400, UNSUPPORTED_PAIR_400),),
    )
    _check_surfaced(outcome, 400, UNSUPPORTED_PAIR_400)
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
    expect(
        len(outcome.requests) == 1,
        expected=f"one request for an HTTP {status}",
        actual=f"{len(outcome.requests)}: {describe(outcome.requests)}",
    )
    require(  # the error's type is judged by the clause that owns it, not here
        isinstance(outcome.error, APIStatusError),
        by="rejection.surfaced" if status == 400 else "answers.status-surfaced",
        expected=f"APIStatusError for HTTP {status}",
        actual=repr(outcome.error),
    )


@pytest.mark.clause("rejection.no-downgrade", "rejection.surfaced")
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
    outcome = await start_avatar(
        anam_target,
        persona=Persona(avatar_model=model),
        session_options={"video_width": width, "video_height": height},
    )
    asked = {"videoWidth": width, "videoHeight": height}
    for request in outcome.session_requests:
        options = request.body.get("sessionOptions", {})
        sent = {k: options.get(k) for k in asked} if isinstance(options, dict) else options
        expect(
            sent == asked,
            expected=f"every session request to ask {width}x{height}",
            actual=describe(outcome.session_requests),
        )
    expect(
        not outcome.sessions and not outcome.joined,
        expected="no session started",
        actual=f"{len(outcome.sessions)} session(s) started",
    )
    rejection = judge_session_request({"personaConfig": {"avatarModel": model}, "sessionOptions": asked})
    assert isinstance(rejection, Rejection)
    _check_surfaced(outcome, rejection.status, rejection.body())
