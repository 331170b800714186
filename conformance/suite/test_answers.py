"""The rest of Anam's answers: every error status, retries, transport faults, a malformed success.

Statuses and bodies come from the loopback double (the one source of truth for
what Anam answers); faults no answer can express (refused, reset, timed out)
are raised at the aiohttp client layer (:mod:`anam_conformance.harness.transport`),
at once; only ``transport.timeout-bounded`` waits, for a deliberately short
timeout, against a double that holds the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ..assertions import expect, require
from ..clauses import ClauseId, Offer
from ..harness.anam_double import STALL, ScriptedReply
from ..harness.anam_rules import DEFAULT_RULES
from ..harness.evidence import describe, in_full
from ..harness.outcome import StartOutcome
from ..harness.start import CONN_OPTIONS, Asked, start_avatar, start_avatars
from ..harness.transport import CONNECTION_FAULTS, TIMEOUT_FAULTS
from ..port.call import ConnOptions, Persona
from ..port.facts import API_KINDS, CONNECTION_KINDS
from ..port.implementation import Implementation
from ..premises import (
    ATTEMPTS,
    DEADLINE,
    ERROR_STATUSES,
    error_body,
    expect_status_error,
    require_plain_start,
    require_stopped,
    same_body,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("plain_start")]

PERSONA = Persona(avatar_model="cara-4-latest")


def _documented(name: str) -> tuple[int, dict[str, str]]:
    return DEFAULT_RULES.answer(name)


def _error_body(status: int, error: str, message: str) -> tuple[int, dict[str, str]]:
    return status, {"error": error, "message": message}


FINAL_STATUSES = {
    "401": DEFAULT_RULES.rejection("bad_key").status,
    "402-no-plan": 402,
    "403-forbidden": 403,
    "404": 404,
    "422": 422,
}
FINAL_ANSWERS: dict[str, tuple[int, dict[str, str]]] = {
    "401": (401, DEFAULT_RULES.rejection("bad_key").body()),
    "402-no-plan": _documented("no-plan"),
    "403-forbidden": _documented("forbidden"),
    "404": (404, DEFAULT_RULES.rejection("not_found", path="/v1/engine/session").body()),
    "422": _error_body(422, "Unprocessable Entity", "personaConfig.avatarId is not a valid avatar"),
}
RETRYABLE_ANSWERS: dict[str, tuple[int, dict[str, str]]] = {
    "408": _error_body(408, "Request Timeout", "Request timed out"),
    "429-concurrent-sessions": _documented("concurrent-session-limit"),
    "429-spend-cap": _documented("spend-cap"),
    "429-usage-limit": _documented("usage-limit"),
    "500": _documented("server-error"),
    "502": _error_body(502, "Bad Gateway", "Bad gateway"),
    "503-service-busy": _documented("service-busy"),
    "504": _error_body(504, "Gateway Timeout", "Gateway timeout"),
}
RETRYABLE_FAULTS = CONNECTION_FAULTS + TIMEOUT_FAULTS


@pytest.fixture(scope="session")
def plain_start(implementation: Implementation) -> None:
    """A plain start, once a run: the premises of every check here, each owned by another clause."""
    require_plain_start(asyncio.run(start_avatar(implementation, persona=PERSONA, deadline=DEADLINE)))


def _reached_anam(outcome: StartOutcome) -> None:
    require(
        bool(outcome.session_requests),
        by=ClauseId.SESSION_ONE_REQUEST,
        expected="start() to send its session request",
        actual=f"no session request; error {outcome.failure}",
    )


def _stopped(outcome: StartOutcome) -> None:
    require_stopped(outcome)


def _stopped_within(outcome: StartOutcome, attempts: int) -> None:
    """More attempts than the budget take longer than the budget's time: retry.bounded's fault."""
    require(
        len(outcome.session_requests) <= attempts,
        by=ClauseId.RETRY_BOUNDED,
        expected=f"at most {attempts} attempts",
        actual=f"{len(outcome.session_requests)}",
    )


async def _persistently(target: Implementation, answer: tuple[int, object]) -> StartOutcome:
    return await start_avatar(target, persona=PERSONA, always=ScriptedReply(*answer), deadline=DEADLINE)


@pytest.mark.clause(ClauseId.ANSWERS_STATUS_SURFACED)
@pytest.mark.parametrize("case", [*FINAL_ANSWERS, *RETRYABLE_ANSWERS])
async def test_every_error_status_is_an_api_status_error_with_anams_body(
    implementation: Implementation, case: str
) -> None:
    status, body = FINAL_ANSWERS.get(case) or RETRYABLE_ANSWERS[case]
    outcome = await _persistently(implementation, (status, body))
    _reached_anam(outcome)
    _stopped(outcome)
    expect_status_error(outcome, status, body)


#: The statuses livekit-agents retries and this clause names: 408, 429 and every 5xx.
RETRYABLE_STATUSES = tuple(s for s in ERROR_STATUSES if s in (408, 429) or s >= 500)


@pytest.fixture(scope="session")
def every_status(plain_start: None, implementation: Implementation) -> dict[int, StartOutcome]:
    """One start per error status (400-599), each answered to every attempt, once a run: the three
    clauses judged over that whole domain share them (about 2 ms a start in-process). A status the
    implementation's HTTP client never delivers (fetch's 407, 421) judges the client, not the
    plugin: it is left out."""
    undeliverable = implementation.describe().capabilities.undeliverable_statuses
    statuses = [s for s in ERROR_STATUSES if s not in undeliverable]

    asked = [Asked(PERSONA, always=ScriptedReply(status, error_body(status))) for status in statuses]
    outcomes = asyncio.run(start_avatars(implementation, asked, deadline=DEADLINE))
    for outcome in outcomes:
        outcome.require_premise()
    return dict(zip(statuses, outcomes, strict=True))


def _listed(found: list[str], most: int = 5) -> str:
    shown = "; ".join(found[:most])
    return shown + (f"; and {len(found) - most} more" if len(found) > most else "")


@pytest.mark.clause(ClauseId.ANSWERS_STATUS_SURFACED)
async def test_every_error_status_in_the_domain_is_an_api_status_error(
    every_status: dict[int, StartOutcome],
) -> None:
    """The clause's whole domain: each 4xx but 400 (rejection.surfaced's) and each 5xx, not only the
    statuses Anam documents, since a proxy or an API change answers with any of them."""
    outcomes = every_status
    wrong: list[str] = []
    for status, outcome in outcomes.items():
        if status == 400:
            continue
        _reached_anam(outcome)
        _stopped(outcome)
        failure = outcome.failure
        if not (
            failure is not None
            and failure.kind == "api-status"
            and failure.status == status
            and same_body(failure.body, error_body(status))
        ):
            wrong.append(f"HTTP {status}: {failure}")
    expect(
        not wrong,
        expected=f"APIStatusError with Anam's status and body for each of {len(outcomes) - 1} statuses "
        "(401-599)",
        actual=_listed(wrong),
    )


@pytest.mark.clause(ClauseId.RETRY_RETRYABLE_RETRIED)
async def test_every_retryable_status_is_tried_max_retry_plus_one_times(
    every_status: dict[int, StartOutcome],
) -> None:
    """The clause's whole domain of statuses: 408, 429 and each 5xx, answered to every attempt."""
    outcomes = every_status
    short: list[str] = []
    for status in RETRYABLE_STATUSES:
        outcome = outcomes[status]
        _reached_anam(outcome)
        if len(outcome.session_requests) < ATTEMPTS:
            short.append(f"HTTP {status}: {len(outcome.session_requests)} attempt(s)")
    expect(
        not short,
        expected=f"{ATTEMPTS} attempts for each of {len(RETRYABLE_STATUSES)} retryable statuses "
        f"(408, 429, 500-599; max_retry={CONN_OPTIONS.max_retry})",
        actual=_listed(short),
    )


@pytest.mark.clause(ClauseId.RETRY_BOUNDED)
async def test_no_error_status_is_tried_beyond_the_budget(
    every_status: dict[int, StartOutcome],
) -> None:
    """The clause's whole domain of answers: every error status, answered to every attempt."""
    outcomes = every_status
    over = [
        f"HTTP {status}: {len(outcome.session_requests)}"
        + (f", still retrying after {DEADLINE}s" if outcome.overran else "")
        for status, outcome in outcomes.items()
        if outcome.overran or len(outcome.session_requests) > ATTEMPTS
    ]
    expect(
        not over,
        expected=f"at most {ATTEMPTS} attempts for each of {len(outcomes)} error statuses (400-599)",
        actual=_listed(over),
    )


def _persistent_failures(statuses: list[str]) -> Sequence[object]:
    """Anam failing every attempt: with a retryable status (from the double), or with a connection
    fault (raised at the HTTP client in this process, so where the implementation shares it)."""
    client_faults = pytest.mark.offers(Offer.CLIENT_FAULTS)
    return [pytest.param(("status", case), id=case) for case in statuses] + [
        pytest.param(("fault", fault), id=fault, marks=client_faults) for fault in RETRYABLE_FAULTS
    ]


async def _failing_every_attempt(target: Implementation, how: tuple[str, str]) -> tuple[StartOutcome, str]:
    kind, case = how
    if kind == "status":
        return await _persistently(target, RETRYABLE_ANSWERS[case]), f"for a persistent HTTP {case}"
    outcome = await start_avatar(target, persona=PERSONA, client_fault=case, deadline=DEADLINE)
    return outcome, f"when every one ends in {case}"


@pytest.mark.clause(ClauseId.RETRY_RETRYABLE_RETRIED)
@pytest.mark.parametrize(
    "how", _persistent_failures(["408", "429-concurrent-sessions", "500", "503-service-busy"])
)
async def test_a_retryable_failure_is_tried_max_retry_plus_one_times(
    implementation: Implementation, how: tuple[str, str]
) -> None:
    """The agent's budget (max_retry + 1 attempts) is Anam's chance to recover: all of it is used."""
    outcome, when = await _failing_every_attempt(implementation, how)
    _reached_anam(outcome)
    expect(
        len(outcome.session_requests) >= ATTEMPTS,
        expected=f"{ATTEMPTS} attempts {when} (max_retry={CONN_OPTIONS.max_retry})",
        actual=f"{len(outcome.session_requests)} attempt(s): {describe(outcome.session_requests)}, "
        f"then {outcome.failure}",
        evidence=in_full(outcome.session_requests),
    )


@pytest.mark.clause(ClauseId.RETRY_RETRYABLE_RETRIED)
@pytest.mark.parametrize("case", ["429-concurrent-sessions", "503-service-busy"])
async def test_a_success_on_a_retry_starts_the_session(implementation: Implementation, case: str) -> None:
    outcome = await start_avatar(
        implementation, persona=PERSONA, scripted_replies=(RETRYABLE_ANSWERS[case],), deadline=DEADLINE
    )
    _reached_anam(outcome)
    started = outcome.failure is None or outcome.error_during == "wait_for_join"  # joining: not this clause's
    expect(
        started and len(outcome.sessions) >= 1,
        expected=f"a retry after HTTP {case}, and the session it opens",
        actual=f"{len(outcome.session_requests)} request(s), error {outcome.failure}",
    )


@pytest.mark.clause(ClauseId.RETRY_BOUNDED)
@pytest.mark.parametrize(
    "how", _persistent_failures(["429-concurrent-sessions", "429-spend-cap", "503-service-busy", "500"])
)
async def test_a_persistent_failure_is_not_tried_beyond_the_budget(
    implementation: Implementation, how: tuple[str, str]
) -> None:
    """An agent's max_retry is its promise of when start() gives up; an Anam outage must not break it."""
    outcome, when = await _failing_every_attempt(implementation, how)
    expect(
        not outcome.overran and len(outcome.session_requests) <= ATTEMPTS,
        expected=f"at most {ATTEMPTS} attempts {when}",
        actual=f"{len(outcome.session_requests)}"
        + (f", still retrying after {DEADLINE}s" if outcome.overran else ""),
    )


@pytest.mark.clause(ClauseId.TRANSPORT_CONNECTION_SURFACED)
# Faults at this process's HTTP client; elsewhere: the server-side twin.
@pytest.mark.offers(Offer.CLIENT_FAULTS)
@pytest.mark.parametrize("fault", RETRYABLE_FAULTS)
async def test_a_connection_fault_is_an_api_connection_error(
    implementation: Implementation, fault: str
) -> None:
    outcome = await start_avatar(implementation, persona=PERSONA, client_fault=fault, deadline=DEADLINE)
    _surfaced_as_a_connection_error(outcome, f"when every attempt ends in {fault}")


@pytest.mark.clause(ClauseId.TRANSPORT_CONNECTION_SURFACED)
async def test_a_connection_the_server_closes_is_an_api_connection_error(
    implementation: Implementation,
) -> None:
    """The server-side twin of the ``reset`` fault: the double closes the connection unanswered."""
    outcome = await start_avatar(
        implementation, persona=PERSONA, always=ScriptedReply(fault="close"), deadline=DEADLINE
    )
    _surfaced_as_a_connection_error(outcome, "when Anam closes every connection without an answer")


def _surfaced_as_a_connection_error(outcome: StartOutcome, when: str) -> None:
    """An agent tells "Anam is unreachable" from "Anam said no" only by this type."""
    _reached_anam(outcome)
    _stopped(outcome)
    expect(
        _kind(outcome) in CONNECTION_KINDS,
        expected=f"APIConnectionError {when}",
        actual=str(outcome.failure),
    )


@pytest.mark.clause(ClauseId.TRANSPORT_TIMEOUT_SURFACED)
@pytest.mark.offers(Offer.CLIENT_FAULTS)  # faults at this process's HTTP client
@pytest.mark.parametrize("fault", TIMEOUT_FAULTS)
async def test_a_timeout_is_an_api_timeout_error(implementation: Implementation, fault: str) -> None:
    outcome = await start_avatar(implementation, persona=PERSONA, client_fault=fault, deadline=DEADLINE)
    _reached_anam(outcome)
    _stopped(outcome)
    require(
        _kind(outcome) in CONNECTION_KINDS,
        by=ClauseId.TRANSPORT_CONNECTION_SURFACED,
        expected="an APIConnectionError of some kind",
        actual=str(outcome.failure),
    )
    expect(
        _kind(outcome) == "api-timeout",
        expected=f"APITimeoutError when every attempt ends in {fault}",
        actual=str(outcome.failure),
    )


#: A deliberately short timeout: the one test here that waits, for about TIMEOUT x attempts.
SHORT = ConnOptions(max_retry=1, retry_interval=0.0, timeout=0.15)
SLACK = 0.5


ATTEMPTS_SHORT = SHORT.max_retry + 1
#: How long a start against a silent Anam may take: every attempt's timeout, the intervals, slack.
BOUND = SHORT.timeout * ATTEMPTS_SHORT + SHORT.retry_interval * SHORT.max_retry + SLACK


@pytest.fixture(scope="session")
def silent_start(plain_start: None, implementation: Implementation) -> StartOutcome:
    """The start against an Anam that never answers, once a run: two clauses judge it (does it
    end, and with which error), and it is the only start here that waits."""
    return asyncio.run(
        start_avatar(
            implementation,
            persona=PERSONA,
            always=ScriptedReply(fault=STALL),
            conn_options=SHORT,
            deadline=BOUND,
        )
    )


@pytest.mark.clause(ClauseId.TRANSPORT_TIMEOUT_BOUNDED)
async def test_a_start_against_a_silent_anam_ends_within_its_timeouts(silent_start: StartOutcome) -> None:
    outcome = silent_start
    _reached_anam(outcome)
    _stopped_within(outcome, ATTEMPTS_SHORT)
    elapsed = outcome.elapsed or 0.0
    expect(
        not outcome.overran and elapsed <= BOUND,
        expected=f"start() to end within {BOUND:.2f}s (timeout {SHORT.timeout}s x {ATTEMPTS_SHORT} attempts "
        f"+ {SLACK}s) when Anam never answers",
        actual=f"still running after {BOUND:.2f}s; cut off"
        if outcome.overran
        else f"ended after {elapsed:.2f}s",
    )


def _without_session_id() -> dict[str, object]:
    answer = DEFAULT_RULES.session_answer_for("unused")
    del answer["sessionId"]
    return answer


#: The clause's domain: a 2xx Anam's clients read as a session (200, and 201 as the anam SDK also
#: reads) without a sessionId, and a 2xx whose body is not a JSON object (not JSON, or another JSON
#: value).
MALFORMED = {
    "no-session-id": ScriptedReply(200, _without_session_id()),
    "no-session-id-201": ScriptedReply(201, _without_session_id()),
    "not-json": ScriptedReply(200, text="<html><body>502 Bad Gateway</body></html>"),
    "json-array": ScriptedReply(200, [_without_session_id()]),
    "json-string": ScriptedReply(200, "session started"),
}


@pytest.mark.clause(ClauseId.ANSWERS_MALFORMED_SUCCESS)
@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_success_is_an_api_error_not_a_session(
    implementation: Implementation, case: str
) -> None:
    outcome = await start_avatar(implementation, persona=PERSONA, always=MALFORMED[case], deadline=DEADLINE)
    _reached_anam(outcome)
    _stopped(outcome)
    handed_off = outcome.audio is not None and outcome.audio.destination is not None
    expect(
        _kind(outcome) in API_KINDS and outcome.error_during == "start" and not handed_off,
        expected=f"start() to raise an APIError for a {MALFORMED[case].status} answer ({case}) "
        "and hand no audio to an avatar",
        actual=f"error {outcome.failure} during {outcome.error_during}, "
        f"audio {'handed to the avatar' if handed_off else 'kept'}",
    )


def _kind(outcome: StartOutcome) -> str | None:
    return outcome.failure.kind if outcome.failure is not None else None


@pytest.mark.clause(ClauseId.TRANSPORT_TIMEOUT_SURFACED)
async def test_a_request_anam_never_answers_is_an_api_timeout_error(silent_start: StartOutcome) -> None:
    """The server-side twin of the client-layer timeouts: the double holds every request unanswered."""
    outcome = silent_start
    _reached_anam(outcome)
    _stopped_within(outcome, ATTEMPTS_SHORT)
    require(
        not outcome.overran,
        by=ClauseId.TRANSPORT_TIMEOUT_BOUNDED,
        expected=f"start() to end within {BOUND:.2f}s",
        actual="still running; cut off",
    )
    require(
        _kind(outcome) in CONNECTION_KINDS,
        by=ClauseId.TRANSPORT_CONNECTION_SURFACED,
        expected="an APIConnectionError of some kind",
        actual=str(outcome.failure),
    )
    expect(
        _kind(outcome) == "api-timeout",
        expected="APITimeoutError when Anam never answers",
        actual=str(outcome.failure),
    )
