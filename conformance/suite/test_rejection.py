"""Anam's 400: raised as ``APIStatusError`` with Anam's words, sent once, never downgraded."""

from __future__ import annotations

import pytest

from ..assertions import expect, require
from ..clauses import ClauseId
from ..harness.anam_double import ScriptedReply
from ..harness.evidence import describe, in_full
from ..harness.start import RETRYABLE_4XX, Asked, start_avatar, start_avatars
from ..port.call import Persona
from ..port.implementation import Implementation
from ..premises import (
    DEADLINE,
    FINAL_4XX,
    error_body,
    expect_status_error,
    pair_sent_verbatim,
    require_authorized,
    require_persona_kept,
    require_refusal_final,
    require_sent,
    require_stopped,
    require_supported_pair_forwarded,
    sizes_asked,
)

pytestmark = pytest.mark.asyncio

UNSUPPORTED_PAIR_400 = {
    "error": "Bad Request",
    "message": "Unsupported video dimensions 1280x720 for avatar model cara-4-latest; "
    "supported: 768x1152, 1152x768",
}


@pytest.mark.clause(ClauseId.REJECTION_SURFACED)
async def test_http_400_is_api_status_error_with_anams_body(implementation: Implementation) -> None:
    outcome = await start_avatar(
        implementation,
        persona=Persona(avatar_model="cara-4-latest"),
        # However often the plugin asks, the answer is the same 400: whether it should have asked
        # again is rejection.not-retried's (or retry.bounded's) to judge, never this clause's.
        always=ScriptedReply(400, UNSUPPORTED_PAIR_400),
        deadline=DEADLINE,
    )
    require_authorized(outcome)
    require(
        bool(outcome.requests),
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="the session request sent to Anam",
        actual=f"nothing sent; {outcome.failure}",
    )
    require_refusal_final(outcome, retries_allowed=True)
    require_stopped(outcome)
    expect_status_error(outcome, 400, UNSUPPORTED_PAIR_400)
    expect(not outcome.joined, expected="no avatar after a 400", actual="the avatar joined")


def refusal_body(status: int) -> object:
    """The unsupported pair's words for a 400; any other status gets :func:`error_body`'s."""
    return UNSUPPORTED_PAIR_400 if status == 400 else error_body(status)


@pytest.mark.clause(ClauseId.REJECTION_NOT_RETRIED)
async def test_every_final_client_error_is_sent_once(implementation: Implementation) -> None:
    """The clause's whole domain, 400-499 but 408, 429 and 499, each answered to every attempt:
    one start per status, in one check (about 2 ms a start in-process). A status the
    implementation's HTTP client never delivers (fetch's 407) is not asked: a retry of it would be
    a connection retry."""
    undeliverable = implementation.describe().capabilities.undeliverable_statuses
    statuses = [s for s in FINAL_4XX if s not in undeliverable]
    retried: list[str] = []
    evidence = ""
    persona = Persona(avatar_model="cara-4-latest")
    # The same refusal however often asked; each start under its own path of one server.
    asked = [Asked(persona, always=ScriptedReply(status, refusal_body(status))) for status in statuses]
    outcomes = await start_avatars(implementation, asked, deadline=DEADLINE)
    for status, outcome in zip(statuses, outcomes, strict=True):
        outcome.require_premise()
        if status != 401:
            require_authorized(outcome)
        require_sent(outcome, f"the session request (answered HTTP {status})", refusable=False)
        first = outcome.requests[0]
        again = [r for r in outcome.requests if r.path == first.path and r.body == first.body]
        if len(again) != 1:
            # The first retried status in full (what was sent, below); the others by their count.
            shown = f": {describe(outcome.requests)}" if not retried else ""
            retried.append(f"HTTP {status} sent {len(again)} times{shown}")
            evidence = evidence or in_full(outcome.requests)
    expect(
        not retried,
        expected=f"each request answered with a final 4xx sent once ({len(statuses)} statuses: "
        f"400-499 but {', '.join(map(str, RETRYABLE_4XX))})",
        actual="; ".join(retried),
        evidence=evidence,
    )


@pytest.mark.clause(ClauseId.REJECTION_NO_DOWNGRADE)
@pytest.mark.parametrize(
    ("model", "width", "height"),
    [
        pytest.param("cara-4-latest", 1280, 720, id="cara-4-1280x720"),
        pytest.param("cara-3", 1152, 768, id="cara-3-1152x768"),
        pytest.param("cara-3", 480, 720, id="cara-3-swapped"),
    ],
)
async def test_unsupported_pair_is_refused_not_downgraded(
    implementation: Implementation, model: str, width: int, height: int
) -> None:
    persona = Persona(avatar_model=model)
    await require_supported_pair_forwarded(implementation, persona)
    outcome = await start_avatar(
        implementation, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    require_sent(outcome, f"{width}x{height}", refusable=False)
    require_authorized(outcome)
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
