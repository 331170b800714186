"""Starts of the implementation under test against fresh Anam doubles: one end to end, or many at once.

The harness holds an implementation only through the port
(:class:`~anam_conformance.port.Implementation`): it makes the one call, serves
Anam's side on loopback (the double, or a cassette), admits the avatar if the
LiveKit token the plugin minted admits it, shows the implementation that
arrival, and gathers everything into one :class:`~.outcome.StartOutcome` for the
checks to judge. Many starts that judge only what was sent and answered (a
property's examples, a domain of statuses) go through :func:`start_avatars`,
which the implementation may make together.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

from ..assertions import ClauseViolation
from ..port.call import (
    CLIENT_FAULTS,
    NOT_GIVEN_OPTIONS,
    ClientFault,
    ConnOptions,
    LiveKit,
    Persona,
    RoomSpec,
    SessionOptionsArg,
    StartCall,
)
from ..port.facts import ErrorFacts, Stalled, StartAnswer
from ..port.implementation import TOGETHER, Implementation
from .anam_double import AnamDouble, ScriptedReply, SessionStart, current_server, one_server, serve
from .avatar import AvatarArrival
from .evidence import RecordedRequest, parse_json
from .outcome import DEFAULT_AVATAR_IDENTITY, StartOutcome

LIVEKIT_URL = "wss://conformance.livekit.invalid"
LIVEKIT_API_KEY = "conformance-livekit-key"
#: Secrets are made per process so nothing recorded can ever hold a real one.
LIVEKIT_API_SECRET = secrets.token_urlsafe(32)
ANAM_API_KEY = f"conformance-anam-key-{secrets.token_hex(8)}"
LIVEKIT = LiveKit(LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET)
#: Retries are allowed (so a retried 400 shows) but never slept for.
CONN_OPTIONS = ConnOptions(max_retry=2, retry_interval=0.0, timeout=5.0)
DEFAULT_PERSONA = Persona()
#: Upper bound on the avatar's arrival once a session started (a plugin that hangs).
JOIN_TIMEOUT = 5.0
#: livekit-agents' retryable statuses (``APIStatusError.retryable``): any other 4xx is final.
RETRYABLE_4XX = (408, 429, 499)


class ClientFaultsUnreachable(LookupError):
    """A client-layer fault asked of an implementation that does not offer ``client-faults``.

    Checks that inject them declare ``offers(Offer.CLIENT_FAULTS)`` and are skipped
    at collection elsewhere, so this is a check's mistake, never a verdict.
    """


@contextlib.contextmanager
def stalls_fail() -> Iterator[None]:
    """A call the implementation stopped for stalling (:class:`Stalled`) fails the check that made
    it, for the check's own clause: the plugin stalled where that clause needed it to answer.

    The one place a stall becomes a violation, so hypothesis, replaying an example, sees the same
    failure raised from the same line each time.
    """
    try:
        yield
    except Stalled as stalled:
        raise ClauseViolation(str(stalled.stall)) from None


async def drive(
    implementation: Implementation,
    call: StartCall,
    arrival: AvatarArrival,
    session_started: Callable[[], bool],
    *,
    show_arrival: bool = True,
) -> None:
    """Start through the port and show the implementation the avatar's arrival, into ``arrival.outcome``.

    Whatever Anam's side is (the double, a cassette) and wherever the implementation
    runs, it is called the same way and judged on the same evidence. Without
    ``show_arrival`` the start ends with ``start()``'s answer: for checks of what
    was sent and answered, which never judge the join.
    """
    outcome = arrival.outcome
    with stalls_fail():
        started = await implementation.start(call)
        try:
            answer = started.answer
            _record_answer(outcome, call, answer)
            if answer.failure is not None or answer.premise is not None or not show_arrival:
                return
            if session_started():
                await asyncio.wait_for(arrival.settled.wait(), JOIN_TIMEOUT)
            joined = await started.avatar_events(outcome.avatar)
            outcome.wait_before_arrival = joined.wait_before
            if joined.joined:
                outcome.joined = True
            else:
                outcome.error_during, outcome.failure = "wait_for_join", joined.failure
        finally:
            await started.aclose()


def _record_answer(outcome: StartOutcome, call: StartCall, answer: StartAnswer) -> None:
    outcome.expected_identity = call.avatar_identity or DEFAULT_AVATAR_IDENTITY
    outcome.error_during, outcome.failure = answer.stage, answer.failure
    outcome.audio, outcome.avatar_identity = answer.audio, answer.avatar_identity
    outcome.premise = answer.premise
    # No server saw the requests made under a client fault: the implementation reports them, and
    # they are recorded as the double records the ones it answers, after them.
    outcome.requests += [
        RecordedRequest(
            r.method,
            r.path,
            dict(r.headers),
            r.text,
            r.json if r.json is not None else parse_json(r.text),
        )
        for r in answer.faulted_requests
    ]


@dataclass(frozen=True)
class Asked:
    """One start of many (:func:`start_avatars`): the call's persona and options, and how Anam answers."""

    persona: Persona = DEFAULT_PERSONA
    session_options: SessionOptionsArg = NOT_GIVEN_OPTIONS
    scripted_replies: tuple[tuple[int, object] | ScriptedReply, ...] = ()
    always: ScriptedReply | None = None


def _anam_for(asked: Asked, session_started: Callable[[SessionStart], None] | None) -> AnamDouble:
    anam = AnamDouble(ANAM_API_KEY, session_started)
    for reply in asked.scripted_replies:
        anam.script_reply(reply if isinstance(reply, ScriptedReply) else ScriptedReply(*reply))
    if asked.always is not None:
        anam.script_reply(asked.always, times=None)
    return anam


def _record_exchanges(outcome: StartOutcome, anam: AnamDouble) -> None:
    """What the double saw and answered; before any request the implementation reported itself."""
    outcome.requests = list(anam.requests) + outcome.requests
    outcome.sessions = list(anam.sessions)
    outcome.answers = list(anam.answers)
    outcome.unauthorized = list(anam.unauthorized)


async def start_avatars(
    target: Implementation, asked: Sequence[Asked], *, deadline: float | None = None
) -> list[StartOutcome]:
    """Many starts, each against an Anam double of its own, through ``target.start_each``: what
    each was sent and answered, never the join (as :func:`start_avatar` without ``show_arrival``);
    a premise a call broke is left in its outcome (:meth:`StartOutcome.require_premise`), so
    the caller meets it in the order it judges them.

    They may be made together (a driver's ``start-batch``), :data:`TOGETHER` at a time, so a group
    is judged as one after the other would be or not at all: it is made again one by one when a
    request reached the shared server under no start's path (a plugin that drops its base URL's
    path cannot be told apart from another start) or the group overran ``deadline`` (each start
    then gets the deadline of its own, and the one that overran is a fact, not a hang).
    """
    outcomes: list[StartOutcome] = []
    async with one_server() if current_server() is None else contextlib.nullcontext():
        server = current_server()
        assert server is not None
        for first in range(0, len(asked), TOGETHER):
            group = asked[first : first + TOGETHER]
            unattributed = server.unattributed
            made = await _together(target, group, deadline)
            if made is None or server.unattributed != unattributed:
                made = await start_avatars_one_by_one(target, group, deadline=deadline)
            outcomes += made
    return outcomes


async def start_avatars_one_by_one(
    target: Implementation, asked: Sequence[Asked], *, deadline: float | None = None
) -> list[StartOutcome]:
    """:func:`start_avatars` one :func:`start_avatar` after the other: what it must equal."""
    return [
        await start_avatar(
            target,
            persona=one.persona,
            session_options=one.session_options,
            scripted_replies=one.scripted_replies,
            always=one.always,
            deadline=deadline,
            show_arrival=False,
            premise_raised=False,
        )
        for one in asked
    ]


async def _together(
    target: Implementation, asked: Sequence[Asked], deadline: float | None
) -> list[StartOutcome] | None:
    """One group of :func:`start_avatars`; None when it overran ``deadline`` (the implementation
    is cut off once the doubles are gone)."""
    outcomes = [StartOutcome() for _ in asked]
    doubles = [_anam_for(one, None) for one in asked]
    started = time.monotonic()
    async with contextlib.AsyncExitStack() as serving:
        calls = [
            StartCall(
                persona=one.persona,
                api_url=await serving.enter_async_context(serve(anam)),
                api_key=ANAM_API_KEY,
                livekit=LIVEKIT,
                room=RoomSpec(),
                session_options=one.session_options,
                conn_options=CONN_OPTIONS,
            )
            for one, anam in zip(asked, doubles, strict=True)
        ]
        try:
            with stalls_fail():
                answers = await asyncio.wait_for(target.start_each(calls), deadline)
        except TimeoutError:
            answers = None
        for outcome, anam in zip(outcomes, doubles, strict=True):
            outcome.elapsed = time.monotonic() - started
            _record_exchanges(outcome, anam)
    if answers is None:
        target.cut_off()
        return None
    for outcome, call, answer in zip(outcomes, calls, answers, strict=True):
        _record_answer(outcome, call, answer)
    return outcomes


async def start_avatar(
    target: Implementation,
    *,
    persona: Persona = DEFAULT_PERSONA,
    session_options: SessionOptionsArg = NOT_GIVEN_OPTIONS,
    scripted_replies: tuple[tuple[int, object] | ScriptedReply, ...] = (),
    avatar_participant_identity: str | None = None,
    room_name: str | None = None,
    always: ScriptedReply | None = None,
    client_fault: str | None = None,
    conn_options: ConnOptions = CONN_OPTIONS,
    deadline: float | None = None,
    show_arrival: bool = True,
    premise_raised: bool = True,
) -> StartOutcome:
    """Start the implementation's avatar once against a fresh Anam double and room.

    ``scripted_replies`` answer the next session requests in turn, ``always``
    every one after them; ``client_fault`` makes every request fail at the
    implementation's own HTTP client instead (for an implementation that offers
    ``client-faults``, which reports the requests it made); ``deadline`` (seconds) cuts off
    a start that does not end (``overran``); without ``show_arrival`` the
    implementation is not shown the avatar's arrival (``joined`` stays False: the
    start was not asked to go that far). A premise the call broke is raised, or with
    ``premise_raised=False`` left in the outcome for the caller.
    """
    outcome = StartOutcome()
    room = RoomSpec() if room_name is None else RoomSpec(name=room_name)
    arrival = AvatarArrival(room.name, outcome, api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
    asked = Asked(persona, session_options, scripted_replies, always)
    anam = _anam_for(asked, arrival.session_started if show_arrival else None)
    fault = _client_fault(target, client_fault)
    started = time.monotonic()
    async with serve(anam) as api_url:
        call = StartCall(
            persona=persona,
            api_url=api_url,
            api_key=ANAM_API_KEY,
            livekit=LIVEKIT,
            room=room,
            session_options=session_options,
            avatar_identity=avatar_participant_identity,
            conn_options=conn_options,
            client_fault=fault,
        )
        try:
            driving = drive(target, call, arrival, lambda: bool(anam.sessions), show_arrival=show_arrival)
            await _within(deadline, driving, outcome)
        finally:
            outcome.elapsed = time.monotonic() - started
            _record_exchanges(outcome, anam)
    if outcome.overran:
        # Only once the double is gone: a start still waiting on it can then end on its own.
        target.cut_off()
    if premise_raised:
        outcome.require_premise()
    return outcome


def _client_fault(target: Implementation, name: str | None) -> ClientFault | None:
    """The fault a check names (:data:`CLIENT_FAULTS`), for an implementation that offers them."""
    if name is None:
        return None
    fault = next((f for f in CLIENT_FAULTS if f == name), None)
    if fault is None:
        raise ValueError(f"no client fault is called {name!r}: {', '.join(CLIENT_FAULTS)}")
    if not target.describe().capabilities.client_faults:
        raise ClientFaultsUnreachable(f"{target.describe().module} offers no client-faults")
    return fault


async def _within(deadline: float | None, driving: Awaitable[None], outcome: StartOutcome) -> None:
    """The drive, cut off at ``deadline``: a start that never ends is a fact (``overran``), not a hang;
    the implementation is told (``cut_off``) once the double is gone."""
    try:
        await asyncio.wait_for(driving, deadline)
    except TimeoutError:
        outcome.overran = True
        outcome.error_during = outcome.error_during or "start"
        outcome.failure = outcome.failure or ErrorFacts(
            "other", "TimeoutError", f"start() still running after {deadline}s"
        )
