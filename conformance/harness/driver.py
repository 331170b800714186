"""Drive one ``AvatarSession.start()`` of the plugin under test, end to end.

Only the plugin's public API is called, exactly as an agent would: build the
persona and options, construct the session, ``start()`` it, ``wait_for_join()``.
Anam is the in-process double on loopback; the avatar joins the fake room only
if the LiveKit token the plugin minted admits it. Everything observed comes
back as one :class:`StartOutcome` for the checks to judge.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from livekit.agents import APIConnectOptions

from ..expect import Blocked, ClauseViolation, require
from ..target import PluginTarget, Target, is_driver
from .anam_double import AnamDouble, ScriptedReply, SessionStart
from .evidence import RecordedRequest, describe, in_full
from .facts import AudioFacts, ErrorFacts, python_audio_facts, python_error_facts
from .livekit_doubles import (
    AdmittedAvatar,
    FakeAgentSession,
    FakeJobContext,
    FakeRoom,
    JoinRefused,
    admit_avatar,
    cancel_audio_sink,
    job_context,
    verify_avatar_token,
)
from .transport import client_faults
from .watchdog import guard_await, guard_sync

LIVEKIT_URL = "wss://conformance.livekit.invalid"
LIVEKIT_API_KEY = "conformance-livekit-key"
#: Secrets are made per process so nothing recorded can ever hold a real one.
LIVEKIT_API_SECRET = secrets.token_urlsafe(32)
ANAM_API_KEY = f"conformance-anam-key-{secrets.token_hex(8)}"
#: Retries are allowed (so a retried 400 shows) but never slept for.
CONN_OPTIONS = APIConnectOptions(max_retry=2, retry_interval=0.0, timeout=5.0)
#: Event-loop turns ``wait_for_join`` may take once the avatar is in the room with its
#: video. Everything is in-process, so the framework resolves within a handful of turns;
#: counting turns rather than seconds keeps a start that never resolves as cheap as one
#: that does.
JOIN_GRACE_TURNS = 100
#: Upper bound should the avatar never be admitted nor refused (a plugin that hangs).
JOIN_TIMEOUT = 5.0
#: The clauses that own the premises every start shares.
SESSION_CLAUSE, SHAPE_CLAUSE, TOKEN_CLAUSE = "session.one-request", "request.shape", "avatar.token"
DROP_IN_CLAUSE, OPTIONS_CLAUSE = "surface.drop-in", "surface.session-options"
#: livekit-agents' retryable statuses (``APIStatusError.retryable``): any other 4xx is final.
RETRYABLE_4XX = (408, 429, 499)
DIMENSIONS = ("video_width", "video_height")
#: The avatar's identity when the agent names none (every release of the plugin).
DEFAULT_AVATAR_IDENTITY = "anam-avatar-agent"


@dataclass(frozen=True)
class Persona:
    """The persona an agent asks for; ``director_notes`` as ``DirectorNotes`` kwargs."""

    name: str = "Conformance Persona"
    avatar_id: str = "00000000-0000-4000-8000-00000000a1a1"
    avatar_model: str | None = None
    director_notes: Mapping[str, Any] | None = None


@dataclass
class StartOutcome:
    """Everything one start observed, for the checks to judge."""

    error: BaseException | None = None  # the Python exception itself (in-process plugins only)
    error_during: str | None = None  # "construct" | "start" | "wait_for_join"
    failure: ErrorFacts | None = None  # the error as every implementation reports it
    audio: AudioFacts | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    sessions: list[SessionStart] = field(default_factory=list)
    avatar: AdmittedAvatar | None = None
    join_refusal: str | None = None
    joined: bool = False
    #: What a ``wait_for_join()`` asked after ``start()`` and before the avatar came did:
    #: ``pending`` (right: nobody has joined yet), ``resolved`` (it reports a join that has not
    #: happened), ``rejected``; None when it was not asked (start failed) or not reported.
    wait_before_arrival: str | None = None
    avatar_identity: str | None = None  # what the plugin reports as its avatar's identity
    #: The identity the avatar must have: the one the agent asked for, or the default.
    expected_identity: str = DEFAULT_AVATAR_IDENTITY
    audio_sink: Any = None
    room: FakeRoom | None = None
    #: The status Anam answered to each request, in order (0: no answer).
    answers: list[int] = field(default_factory=list)
    #: Requests Anam refused for their Authorization (not ``Bearer <the API key>``).
    unauthorized: list[RecordedRequest] = field(default_factory=list)
    #: A premise of every check that the call itself broke (the public types refused it).
    premise: Blocked | None = None
    elapsed: float | None = None  # seconds from construction to the end of the drive
    overran: bool = False  # the drive was cut off at the caller's deadline (a start that never ends)

    @property
    def session_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.carries_persona]

    @property
    def session_request(self) -> RecordedRequest:
        """The one request that carries ``personaConfig``: a premise owned by ``session.one-request``.

        The same request sent again after Anam refused it (or did not answer) is still that one
        request: whether it should have been resent is ``rejection.not-retried``'s or ``retry.*``'s
        to judge. Only a second, different session request (or the same one again after a
        success) is ``session.one-request``'s.
        """
        found = self.session_requests
        if self.resent_after_refusals():
            return found[0]
        require(
            len(found) == 1,
            by=SESSION_CLAUSE,
            expected="exactly one session request",
            actual=f"{len(found)}: {describe(self.requests)}; error {self.failure}",
            evidence=in_full(self.requests),
        )
        return found[0]

    def resent_after_refusals(self) -> bool:
        """More than one session request, each the first one again (its LiveKit token aside: a retry
        may mint a fresh one), and every one but the last refused or unanswered."""
        indexed = [(i, r) for i, r in enumerate(self.requests) if r.carries_persona]
        if len(indexed) < 2:
            return False
        first = indexed[0][1]
        same = all(r.path == first.path and _tokenless(r.body) == _tokenless(first.body) for _, r in indexed)
        statuses = [self.answers[i] if i < len(self.answers) else 0 for i, _ in indexed[:-1]]
        return same and not any(200 <= status < 300 for status in statuses)

    def require_authorized(self) -> None:
        """Anam accepted the request's credentials: a premise owned by ``request.shape``."""
        require(
            not self.unauthorized,
            by=SHAPE_CLAUSE,
            expected="Authorization: Bearer <the API key>, accepted by Anam",
            actual=f"Anam answered 401 to {describe(self.unauthorized[:1])}",
            evidence=in_full(self.unauthorized[:1]),
        )

    def require_admitted(self) -> None:
        """The room admitted the avatar with the token the plugin minted: owned by ``avatar.token``."""
        require(
            self.join_refusal is None,
            by=TOKEN_CLAUSE,
            expected="the avatar admitted by the LiveKit token the plugin sent",
            actual=f"turned away: {self.join_refusal}",
        )

    def require_started(self) -> None:
        """A plain start reached a session: what ``session.one-request`` asks of every start."""
        self.require_authorized()
        started = self.failure is None or self.error_during == "wait_for_join"
        require(
            started and len(self.sessions) == 1,
            by=SESSION_CLAUSE,
            expected="start() to open one Anam session",
            actual=f"{len(self.sessions)} session(s), error {self.failure} during {self.error_during}",
        )


def _tokenless(body: Any) -> Any:
    """A session request's body without the LiveKit token the plugin minted for it."""
    if not isinstance(body, dict) or not isinstance(body.get("environment"), dict):
        return body
    return {**body, "environment": {**body["environment"], "livekitToken": None}}


NOT_GIVEN_OPTIONS: Any = object()


def build_persona(target: PluginTarget, persona: Persona) -> Any:
    kwargs: dict[str, Any] = {"name": persona.name, "avatarId": persona.avatar_id}
    if persona.avatar_model is not None:
        kwargs["avatarModel"] = persona.avatar_model
    if persona.director_notes is not None:
        if target.director_notes is None:
            raise LookupError("the plugin has no DirectorNotes")
        kwargs["directorNotes"] = target.director_notes(**persona.director_notes)
    return target.persona_config(**kwargs)


def build_session_options(target: PluginTarget, given: Mapping[str, Any]) -> Any:
    """``SessionOptions(**given)``; a dimension not given must default to None (surface.session-options)."""
    if target.session_options is None:
        raise LookupError(f"{target.module_name} has no SessionOptions")
    options = target.session_options(**given)
    for name in DIMENSIONS:
        if name not in given and getattr(options, name, None) is not None:
            raise Blocked(
                OPTIONS_CLAUSE,
                f"expected SessionOptions to default {name} to None; actual {getattr(options, name)!r}",
            )
    return options


@dataclass(frozen=True)
class Call:
    """How the agent calls the plugin: the persona, options and identity it passes."""

    persona: Persona = Persona()
    session_options: Mapping[str, Any] | Any = NOT_GIVEN_OPTIONS
    avatar_participant_identity: str | None = None


class AvatarArrival:
    """The avatar's side of a started session: it joins if the LiveKit token admits it.

    Once it has joined or been turned away, ``settled`` is set: the room will see
    nothing more, which is what lets a pending ``wait_for_join()`` be ended early.

    The avatar is held back until :meth:`release`: the driver first asks
    ``wait_for_join()`` with nobody in the room, so a wait that resolves for an avatar
    that has not come (a start that skipped the framework's join tracking) shows.
    """

    def __init__(self, room: FakeRoom, outcome: StartOutcome) -> None:
        self.room = room
        self.outcome = outcome
        self.settled = asyncio.Event()
        self._held: list[SessionStart] | None = []

    def session_started(self, start: SessionStart) -> None:
        """Called by Anam's side; the avatar arrives after the answer, once released, as it would for real."""
        if self._held is not None:
            self._held.append(start)
        else:
            asyncio.get_running_loop().call_soon(self.arrive, start)

    def release(self) -> None:
        """Let every avatar a started session sent come now, and any later one as its session starts."""
        held, self._held = self._held or [], None
        for start in held:
            asyncio.get_running_loop().call_soon(self.arrive, start)

    def arrive(self, start: SessionStart) -> None:
        try:
            claims = verify_avatar_token(
                start.livekit_token,
                api_key=LIVEKIT_API_KEY,
                api_secret=LIVEKIT_API_SECRET,
                room=self.room.name,
            )
            self.outcome.avatar = admit_avatar(self.room, claims, width=start.width, height=start.height)
        except JoinRefused as refusal:
            self.turn_away(str(refusal))
        finally:
            self.settled.set()

    def turn_away(self, reason: str) -> None:
        self.outcome.join_refusal = reason
        self.settled.set()


async def drive(
    target: PluginTarget,
    call: Call,
    *,
    api_url: str,
    arrival: AvatarArrival,
    session_started: Callable[[], bool],
    conn_options: APIConnectOptions = CONN_OPTIONS,
) -> None:
    """Construct, ``start()`` and ``wait_for_join()`` as an agent would, into ``arrival.outcome``.

    Whatever Anam's side is (the double, a cassette), the plugin is called the
    same way and judged on the same evidence.
    """
    outcome, room = arrival.outcome, arrival.room
    outcome.expected_identity = call.avatar_participant_identity or DEFAULT_AVATAR_IDENTITY
    agent_session = FakeAgentSession()
    avatar: Any = None
    stage = "persona"
    plugin = target.module_name
    with job_context(FakeJobContext(room)):
        try:
            with guard_sync(plugin, "AvatarSession(...)"):
                kwargs: dict[str, Any] = {
                    "persona_config": build_persona(target, call.persona),
                    "api_url": api_url,
                    "api_key": ANAM_API_KEY,
                    "conn_options": conn_options,
                }
                if call.session_options is not NOT_GIVEN_OPTIONS:
                    stage = "options"
                    kwargs["session_options"] = build_session_options(target, call.session_options)
                if call.avatar_participant_identity is not None:
                    kwargs["avatar_participant_identity"] = call.avatar_participant_identity
                stage = "construct"
                avatar = target.avatar_session(**kwargs)
            outcome.avatar_identity = getattr(avatar, "avatar_identity", None)
            stage = "start"
            start = avatar.start(
                agent_session,
                room,
                livekit_url=LIVEKIT_URL,
                livekit_api_key=LIVEKIT_API_KEY,
                livekit_api_secret=LIVEKIT_API_SECRET,
            )
            await guard_await(plugin, "start()", start)
            stage = "wait_for_join"
            outcome.wait_before_arrival = await guard_await(
                plugin, "wait_for_join()", _wait_before_arrival(avatar)
            )
            arrival.release()
            if not session_started():
                arrival.settled.set()  # no session, so no avatar will ever come
            await guard_await(plugin, "wait_for_join()", _wait_for_join(avatar, arrival.settled))
            outcome.joined = True
        except Blocked as blocked:
            outcome.premise = blocked
        except ClauseViolation:
            raise  # the watchdog stopped a call: the test fails for its own clause, whatever it expected
        except (Exception, asyncio.TimeoutError) as exc:
            if stage in ("persona", "construct") and isinstance(exc, TypeError):
                outcome.premise = Blocked(
                    DROP_IN_CLAUSE, f"the documented keywords to be taken; actual {type(exc).__name__}: {exc}"
                )
            elif stage == "options" and isinstance(exc, TypeError):
                outcome.premise = Blocked(
                    OPTIONS_CLAUSE, f"SessionOptions({call.session_options}) to be taken; actual {exc}"
                )
            outcome.error, outcome.error_during = exc, stage
            outcome.failure = python_error_facts(exc)
        finally:
            arrival.release()  # a session that started sends its avatar, whatever start() did after
            outcome.audio_sink = agent_session.output.audio
            outcome.audio = python_audio_facts(outcome.audio_sink)
            await _close(avatar, agent_session, plugin)


async def start_avatar(
    target: Target,
    *,
    persona: Persona = Persona(),
    session_options: Mapping[str, Any] | Any = NOT_GIVEN_OPTIONS,
    scripted_replies: tuple[tuple[int, object] | ScriptedReply, ...] = (),
    avatar_participant_identity: str | None = None,
    room_name: str | None = None,
    always: ScriptedReply | None = None,
    client_fault: str | None = None,
    conn_options: APIConnectOptions = CONN_OPTIONS,
    deadline: float | None = None,
) -> StartOutcome:
    """Start the plugin's avatar once against a fresh Anam double and room.

    In-process or through a driver, the plugin is called the same way and
    judged on the same evidence: the double's records, the avatar's arrival,
    and the language-neutral facts of the outcome.

    ``scripted_replies`` answer the next session requests in turn, ``always``
    every one after them; ``client_fault`` (a :data:`transport.CLIENT_FAULTS`
    name) makes every request fail at the aiohttp client layer instead;
    ``deadline`` (seconds) cuts off a start that does not end (``overran``).
    """
    outcome = StartOutcome()
    outcome.room = FakeRoom() if room_name is None else FakeRoom(name=room_name)
    arrival = AvatarArrival(outcome.room, outcome)
    anam = AnamDouble(ANAM_API_KEY, arrival.session_started)
    for reply in scripted_replies:
        anam.script_reply(reply if isinstance(reply, ScriptedReply) else ScriptedReply(*reply))
    if always is not None:
        anam.script_reply(always, times=None)
    runner = web.AppRunner(anam.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    faulted: list[RecordedRequest] = []
    started = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            if client_fault is not None:
                if is_driver(target):
                    raise LookupError("client-layer faults reach only in-process Python plugins")
                faulted = stack.enter_context(client_faults(client_fault))
            run: Any = drive
            if is_driver(target):  # another language, through its driver: same call, double and avatar
                from .remote import drive_remote

                run = drive_remote
            driving = run(
                target,
                Call(persona, session_options, avatar_participant_identity),
                api_url=f"http://127.0.0.1:{port}",
                arrival=arrival,
                session_started=lambda: bool(anam.sessions),
                conn_options=conn_options,
            )
            try:
                await asyncio.wait_for(driving, deadline)
            except asyncio.TimeoutError:
                outcome.overran = True
                overran = asyncio.TimeoutError(f"start() still running after {deadline}s")
                outcome.error = outcome.error or overran
                outcome.error_during = outcome.error_during or "start"
                outcome.failure = outcome.failure or python_error_facts(overran)
                process = getattr(target, "process", None)
                if process is not None:
                    process.close()  # a driver: its answer to the cut-off start would come out of turn
    finally:
        outcome.elapsed = time.monotonic() - started
        outcome.requests = list(anam.requests) + faulted
        outcome.sessions = list(anam.sessions)
        outcome.answers = list(anam.answers)
        outcome.unauthorized = list(anam.unauthorized)
        anam.close()
        await runner.cleanup()
    if outcome.premise is not None:
        raise outcome.premise
    return outcome


async def _wait_before_arrival(avatar: Any) -> str:
    """``wait_for_join()`` asked with nobody in the room yet: ``pending`` is the only right answer.

    It is given as many loop turns as a real join is given after the arrival, then
    dropped (the framework shields its join task, so dropping the ask cancels nothing).
    """
    ask = asyncio.ensure_future(avatar.wait_for_join(timeout=JOIN_TIMEOUT))
    try:
        for _ in range(JOIN_GRACE_TURNS):
            if ask.done():
                break
            await asyncio.sleep(0)
        if not ask.done():
            return "pending"
        return "rejected" if ask.cancelled() or ask.exception() is not None else "resolved"
    finally:
        ask.cancel()
        await asyncio.gather(ask, return_exceptions=True)


async def _wait_for_join(avatar: Any, avatar_settled: asyncio.Event) -> None:
    """The plugin's own ``wait_for_join()``, cut short once it can no longer resolve.

    Once the avatar has been admitted (or refused) the room will see nothing
    more, so a wait still pending after a few loop turns would only time out: it
    is ended then, rather than after the framework's full timeout.
    """
    join = asyncio.ensure_future(avatar.wait_for_join(timeout=JOIN_TIMEOUT))
    settled = asyncio.ensure_future(avatar_settled.wait())
    try:
        await asyncio.wait({join, settled}, return_when=asyncio.FIRST_COMPLETED)
        for _ in range(JOIN_GRACE_TURNS):
            if join.done():
                break
            await asyncio.sleep(0)
        if not join.done():
            raise asyncio.TimeoutError("wait_for_join() did not resolve: the avatar is not coming")
        join.result()
    finally:
        for task in (join, settled):
            task.cancel()
        await asyncio.gather(join, settled, return_exceptions=True)


async def _close(avatar: Any, agent_session: FakeAgentSession, plugin: str) -> None:
    if avatar is not None and hasattr(avatar, "aclose"):
        with contextlib.suppress(Exception):  # teardown must not hide the outcome being judged
            await guard_await(plugin, "aclose()", avatar.aclose())
    await cancel_audio_sink(agent_session)
