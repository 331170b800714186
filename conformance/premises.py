"""What several checks share: premises about a start, each owned by the clause that requires it.

A check calls these before judging its own clause: when one does not hold,
the check is blocked by its owner (and the premise counts as evidence against
that owner), so one fault in the body is blamed on one clause, not on every
check that happened to read the body.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from .assertions import Blocked, expect, require, violation
from .clauses import ClauseId
from .differences import (
    OMITTED,
    PERSONA,
    VERBATIM,
    blocking_owner,
    differences,
    names_a_dimension,
    one_line,
    owner,
    with_bodies,
)
from .harness.anam_rules import Acceptance, judge_session_request
from .harness.evidence import RecordedRequest, describe, in_full
from .harness.outcome import StartOutcome
from .harness.start import ANAM_API_KEY, CONN_OPTIONS, RETRYABLE_4XX, start_avatar
from .harness.wire import pre_feature_body
from .port.call import Persona
from .port.implementation import Implementation

# The premises every start shares, each owned by the clause named in its ``by``.


def session_request(outcome: StartOutcome) -> RecordedRequest:
    """The one request that carries ``personaConfig``: a premise owned by ``session.one-request``.

    The same request sent again after Anam refused it (or did not answer) is still that one
    request: whether it should have been resent is ``rejection.not-retried``'s or ``retry.*``'s
    to judge. Only a second, different session request (or the same one again after a
    success) is ``session.one-request``'s.
    """
    found = outcome.session_requests
    if resent_after_refusals(outcome):
        return found[0]
    require(
        len(found) == 1,
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="exactly one session request",
        actual=f"{len(found)}: {describe(outcome.requests)}; error {outcome.failure}",
        evidence=in_full(outcome.requests),
    )
    return found[0]


def resent_after_refusals(outcome: StartOutcome) -> bool:
    """More than one session request, each the first one again (its LiveKit token aside: a retry
    may mint a fresh one), and every one but the last refused or unanswered."""
    indexed = [(i, r) for i, r in enumerate(outcome.requests) if r.carries_persona]
    if len(indexed) < 2:
        return False
    first = indexed[0][1]
    same = all(
        r.path == first.path and _without_token(r.body) == _without_token(first.body) for _, r in indexed
    )
    statuses = [outcome.answers[i] if i < len(outcome.answers) else 0 for i, _ in indexed[:-1]]
    return same and not any(200 <= status < 300 for status in statuses)


def require_authorized(outcome: StartOutcome) -> None:
    """Anam accepted the request's credentials: a premise owned by ``request.shape``."""
    require(
        not outcome.unauthorized,
        by=ClauseId.REQUEST_SHAPE,
        expected="Authorization: Bearer <the API key>, accepted by Anam",
        actual=f"Anam answered 401 to {describe(outcome.unauthorized[:1])}",
        evidence=in_full(outcome.unauthorized[:1]),
    )


def require_admitted(outcome: StartOutcome) -> None:
    """The room admitted the avatar with the token the plugin minted: owned by ``avatar.token``."""
    require(
        outcome.join_refusal is None,
        by=ClauseId.AVATAR_TOKEN,
        expected="the avatar admitted by the LiveKit token the plugin sent",
        actual=f"turned away: {outcome.join_refusal}",
    )


def require_started(outcome: StartOutcome) -> None:
    """A plain start reached a session: what ``session.one-request`` asks of every start."""
    require_authorized(outcome)
    started = outcome.failure is None or outcome.error_during == "wait_for_join"
    require(
        started and len(outcome.sessions) == 1,
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="start() to open one Anam session",
        actual=f"{len(outcome.sessions)} session(s), error {outcome.failure} during {outcome.error_during}",
    )


def sent_dimensions(body: Any) -> dict[str, Any] | None:
    """``sessionOptions``' width and height as sent (None when there is no ``sessionOptions`` object)."""
    options = body.get("sessionOptions") if isinstance(body, dict) else None
    if not isinstance(options, dict):
        return None
    return {k: options.get(k) for k in ("videoWidth", "videoHeight")}


def sizes_asked(requests: list[RecordedRequest]) -> str:
    """The pair each session request asked for, in order: a downgrade reads as ``1280x720, then 1152x768``."""
    if not requests:
        return "no session request"

    def asked(request: RecordedRequest) -> str:
        sent = sent_dimensions(request.body)
        if sent is None:
            return "no sessionOptions"
        return f"{json.dumps(sent['videoWidth'])}x{json.dumps(sent['videoHeight'])}"

    return ", then ".join(asked(r) for r in requests)


def pair_sent_verbatim(body: Any, width: Any, height: Any) -> bool:
    sent = sent_dimensions(body)
    asked = {"videoWidth": width, "videoHeight": height}
    return sent is not None and not differences(asked, sent)


def require_pair_sent(request: RecordedRequest, width: Any, height: Any) -> None:
    """The asked pair went out as ``sessionOptions.videoWidth/videoHeight``, verbatim: ``dims.verbatim``."""
    asked = {"videoWidth": width, "videoHeight": height}
    require(
        pair_sent_verbatim(request.body, width, height),
        by=VERBATIM,
        expected=f"sessionOptions {json.dumps(asked)}",
        actual=one_line(differences(asked, sent_dimensions(request.body), "sessionOptions")),
    )


def require_persona_kept(request: RecordedRequest, persona: Persona) -> None:
    """``personaConfig`` is the one the agent asked for: ``fields.persona-kept``."""
    expected = pre_feature_body(persona, "")["personaConfig"]
    sent = request.body.get("personaConfig") if isinstance(request.body, dict) else None
    # A dimension put into personaConfig is dims.verbatim's fault, not this premise's.
    found = [d for d in differences(expected, sent) if not names_a_dimension(d.path)]
    require(not found, by=PERSONA, expected="personaConfig as asked", actual=one_line(found))


def _options(body: Any) -> Any:
    return body.get("sessionOptions") if isinstance(body, dict) else None


def expect_same_request(
    sent: Any, expected: Any, *, dimensions_asked: bool, clause: ClauseId, what: str
) -> None:
    """``sent`` equals ``expected``; a difference another clause owns blocks ``clause`` instead of failing it.

    The failure's first line is the smallest difference, the bodies follow.
    """
    found = differences(expected, sent)
    if not found:
        return
    summary = one_line(found)
    by = blocking_owner(found, dimensions_asked=dimensions_asked, besides=clause)
    if by is not None:
        raise Blocked(by, summary)
    violation(what, with_bodies(summary, expected, sent))


async def require_supported_pair_forwarded(target: Implementation, persona: Persona) -> None:
    """The model's own default pair, asked explicitly, goes out verbatim (``dims.verbatim``).

    What a plugin does with a pair Anam refuses is only a downgrade if it
    forwards the pairs Anam accepts as asked; otherwise the fault is the
    forwarding itself.
    """
    accepted = judge_session_request({"personaConfig": {"avatarModel": persona.avatar_model}})
    assert isinstance(accepted, Acceptance)
    width, height = accepted.width, accepted.height
    outcome = await start_avatar(
        target, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    require_pair_sent(session_request(outcome), width, height)


def expect_audio_to_avatar(outcome: StartOutcome) -> None:
    audio, identity = outcome.audio, outcome.expected_identity
    expect(
        audio is not None and audio.destination == identity and audio.waits_for_video,
        expected=f"audio streamed to {identity!r}, waiting for its video track",
        actual="no audio output"
        if audio is None
        else f"{audio.type_name} to {audio.destination!r}, waiting for video: {audio.waits_for_video}",
    )


def expect_join_waits_for_the_avatar(outcome: StartOutcome) -> None:
    """``wait_for_join()`` asked before the avatar came was still pending (``avatar.joins``).

    A wait that resolves with nobody in the room reports a join that has not happened: an
    agent would speak into a room with no avatar. It is what a start that skips the
    framework's join tracking (``super().start()``) does, and asking only after the
    arrival would never show it.
    """
    before = outcome.wait_before_arrival
    expect(
        before != "resolved",
        expected="wait_for_join() still pending before the avatar joined and published",
        actual="wait_for_join() resolved with no avatar in the room",
    )


#: Every 4xx a plugin must send once (``rejection.not-retried``): the whole class but the retryable ones.
FINAL_4XX = tuple(status for status in range(400, 500) if status not in RETRYABLE_4XX)
#: Attempts a start may make in all under the harness's ``conn_options`` (``retry.bounded``).
ATTEMPTS = CONN_OPTIONS.max_retry + 1
#: A start still running after this long against an Anam that answers at once retries without end.
#: Checks that allow retries answer every attempt the same way and cut the start off here.
DEADLINE = 3.0


#: Every status an error answer can have: the domain of the clauses about Anam's error answers.
ERROR_STATUSES = tuple(range(400, 600))
#: Anam's own words for the errors it documents; any other status gets a body of the same shape.
DOCUMENTED_ERRORS: dict[int, object] = {
    401: {"error": "Unauthorized", "message": "Invalid API key"},
    403: {"error": "Forbidden", "message": "Forbidden"},
}


def error_body(status: int) -> object:
    """Anam's JSON error body for ``status``: ``error`` and ``message``, as its SDK reads them."""
    if status in DOCUMENTED_ERRORS:
        return DOCUMENTED_ERRORS[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Client Error" if status < 500 else "Server Error"
    return {"error": phrase, "message": f"{phrase} (HTTP {status})"}


def require_stopped(outcome: StartOutcome, attempts: int = ATTEMPTS, deadline: float = DEADLINE) -> None:
    """The plugin gave up within its budget: at most ``attempts`` session requests, then an end.

    A check that answers every attempt alike (whatever the plugin retries) judges the
    answer after the plugin stopped asking; a plugin that never stops is ``retry.bounded``'s.
    """
    require(
        not outcome.overran and len(outcome.session_requests) <= attempts,
        by=ClauseId.RETRY_BOUNDED,
        expected=f"at most {attempts} attempts, then an end",
        actual=f"{len(outcome.session_requests)} session requests"
        + (f", still retrying after {deadline}s" if outcome.overran else ""),
    )


def require_plain_start(plain: StartOutcome) -> None:
    """A plain start is accepted by Anam and sends one session request (the premise of every check of
    Anam's other answers): Anam took its credentials (``request.shape``; asked only of a start that
    sent its request) and it succeeded with one session request (``session.one-request``)."""
    requests = len(plain.session_requests)
    first = plain.session_requests[0].header("Authorization") if requests else None
    require(
        requests == 0 or first == f"Bearer {ANAM_API_KEY}",
        by=ClauseId.REQUEST_SHAPE,
        expected="the session request authorized with Bearer <API key>",
        actual="another Authorization",
    )
    started = plain.failure is None or plain.error_during == "wait_for_join"
    require(
        requests == 1 and started,
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="a plain start() to succeed with one session request",
        actual=f"{requests} session request(s), error {'None' if started else plain.failure}",
    )


def refused_locally(outcome: StartOutcome) -> bool:
    failure = outcome.failure
    return failure is not None and failure.kind == "argument" and not outcome.requests


def require_sent(outcome: StartOutcome, call: str, *, refusable: bool) -> None:
    """The call reached Anam; else blocked by ``dims.local-refusal`` (a pair Anam could accept was
    refused locally) or ``session.one-request`` (the start sent nothing). A pair that may be refused
    locally (``refusable``) and was refused is judged by ``dims.local-refusal`` itself: blocked too."""
    if outcome.session_requests:
        return
    local = refused_locally(outcome)
    require(
        False,
        by=ClauseId.DIMS_LOCAL_REFUSAL if local or refusable else ClauseId.SESSION_ONE_REQUEST,
        expected=f"{call} sent to Anam",
        actual=f"nothing sent; {outcome.failure}",
    )


def require_refusal_final(outcome: StartOutcome, *, retries_allowed: bool = False) -> None:
    """Anam's final 4xx was the last word: the same request not sent again (``rejection.not-retried``,
    unless ``retries_allowed``: a retried refusal can still be surfaced), no other size asked instead
    (``rejection.no-downgrade``: then there may be no refusal left to surface), and no other session
    request (``session.one-request``: a different request is a second session request, not a retry)."""
    pairs = list(zip(outcome.requests, outcome.answers, strict=False))
    index = next(
        (
            i
            for i, (request, status) in enumerate(pairs)
            if request.carries_persona and 400 <= status < 500 and status not in RETRYABLE_4XX
        ),
        None,
    )
    if index is None:
        return
    refused = outcome.requests[index]
    later = [r for r in outcome.requests[index + 1 :] if r.carries_persona]
    again = [r for r in later if r.path == refused.path and r.body == refused.body]
    require(
        retries_allowed or not again,
        by=ClauseId.REJECTION_NOT_RETRIED,
        expected=f"the refused request sent once (HTTP {outcome.answers[index]})",
        actual=f"sent {len(again) + 1} times",
    )
    status = outcome.answers[index]
    for request in (r for r in later if r not in again):
        found = differences(refused.body, request.body)
        downgrade = any(d.path.startswith("sessionOptions") for d in found)
        require(
            False,
            by=ClauseId.REJECTION_NO_DOWNGRADE if downgrade else ClauseId.SESSION_ONE_REQUEST,
            expected=f"no other session request after HTTP {status}",
            actual=f"{request.method} {request.path}: {one_line(found) or 'the same body again'}",
        )


def require_pre_feature_baseline(body: Any, persona: Persona) -> None:
    """A start without dimensions sent the pre-feature body: owned by ``dims.omitted-is-baseline``
    (or, for a difference in persona fields or the disclosure flag, by their clauses)."""
    found = differences(pre_feature_body(persona, ""), _without_token(body))
    if not found:
        return
    by = owner(found[0].path, dimensions_asked=False) or OMITTED
    raise Blocked(by, f"the call without dimensions: {one_line(found)}")


def _without_token(body: Any) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("environment"), dict):
        return body
    return {**body, "environment": {**body["environment"], "livekitToken": ""}}


def same_body(actual: str | None, expected: object) -> bool:
    """An error's body is Anam's: the same text, or the same JSON (a parsed ``expected`` included)."""
    text = expected if isinstance(expected, str) else json.dumps(expected)
    if actual == text:
        return True
    try:
        return actual is not None and bool(json.loads(actual) == json.loads(text))
    except ValueError:
        return False


def expect_status_error(outcome: StartOutcome, status: int, body: object) -> None:
    """Anam's answer came out of start() as the framework's status error: its status, its body."""
    failure = outcome.failure
    shown = body if isinstance(body, str) else json.dumps(body)
    expect(
        failure is not None
        and failure.kind == "api-status"
        and failure.status == status
        and same_body(failure.body, body),
        expected=f"APIStatusError status_code {status} body {shown}",
        actual=f"{failure} during {outcome.error_during}" if failure else "no error: start() went on",
    )
