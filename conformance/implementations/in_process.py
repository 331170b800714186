"""A Python module with the public surface of ``livekit.plugins.anam``, run in the suite's own process.

Only the plugin's public API is called, exactly as an agent would: build the
persona and options, construct the session, ``start()`` it, then
``wait_for_join()`` once the room has seen the avatar arrive. The plugin runs in
a fake job context and room (:mod:`.livekit_doubles`), and every call into it is
guarded (:mod:`.watchdog`), so a plugin that hangs or ends the process fails
its test instead of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import Protocol

from livekit.agents import APIConnectOptions
from livekit.agents.voice.avatar import AvatarSession as FrameworkAvatarSession

from ..expect import Blocked, ClauseViolation
from ..port.call import (
    CONSTRUCTOR_KEYWORDS,
    NOT_GIVEN_OPTIONS,
    START_KEYWORDS,
    AdmittedAvatar,
    Persona,
    StartCall,
)
from ..port.description import Capabilities, Description, PythonTypes, Surface
from ..port.facts import AudioFacts, JoinAnswer, Stage, StartAnswer, WaitState
from .livekit_doubles import (
    FakeAgentSession,
    FakeJobContext,
    FakeRoom,
    admit_avatar,
    cancel_audio_sink,
    job_context,
)
from .python_facts import python_audio_facts, python_error_facts
from .watchdog import guard_await, guard_sync

#: The clauses whose premises the public types break when they refuse the documented call.
DROP_IN_CLAUSE, OPTIONS_CLAUSE = "surface.drop-in", "surface.session-options"
DIMENSIONS = ("video_width", "video_height")
#: Event-loop turns ``wait_for_join`` may take once the avatar is in the room with its video.
#: Everything is in-process, so the framework resolves within a handful of turns; counting
#: turns rather than seconds keeps a start that never resolves as cheap as one that does.
JOIN_GRACE_TURNS = 100
#: What ``wait_for_join(timeout=...)`` is given; the grace turns end it long before.
JOIN_TIMEOUT = 5.0


class AvatarSessionLike(Protocol):
    """What the suite calls of the plugin's ``AvatarSession`` (the surface checks judge whether it has it)."""

    def start(
        self,
        agent_session: object,
        room: object,
        *,
        livekit_url: str,
        livekit_api_key: str,
        livekit_api_secret: str,
    ) -> Awaitable[object]: ...

    def wait_for_join(self, *, timeout: float) -> Awaitable[object]: ...


def keywords(function: Callable[..., object] | None, passed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The keywords a signature takes; one with ``**kwargs`` takes every keyword the port passes too
    (driving it shows what it does with them)."""
    if function is None:
        return ()
    parameters = inspect.signature(function).parameters
    named = tuple(name for name in parameters if name != "self")
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return tuple(dict.fromkeys((*named, *passed)))
    return named


def _fields(cls: type | None) -> tuple[str, ...]:
    """The keyword arguments a dataclass-like type takes (none when there is no type)."""
    if cls is None:
        return ()
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return keywords(cls)


class PythonModule:
    """The in-process adapter: a Python plugin module behind the port."""

    runs_elsewhere = False

    def __init__(self, module_name: str, version: str | None, types: PythonTypes) -> None:
        self.module_name = module_name
        self.version = version
        self.types = types

    @cached_property
    def _description(self) -> Description:
        types = self.types
        constructor = keywords(types.avatar_session, (*CONSTRUCTOR_KEYWORDS, "session_options"))
        option_fields = _fields(types.session_options)
        return Description(
            module=self.module_name,
            version=self.version,
            language="python",
            surface=Surface(
                avatar_session=True,
                framework_avatar_session=issubclass(types.avatar_session, FrameworkAvatarSession),
                wait_for_join=callable(getattr(types.avatar_session, "wait_for_join", None)),
                session_options=types.session_options is not None,
                session_option_fields=option_fields,
                disclosure="show_ai_avatar_disclosure" in option_fields,
                director_notes=types.director_notes is not None,
                custom_identity="avatar_participant_identity" in constructor,
                persona_fields=_fields(types.persona_config),
                constructor_options=constructor,
                start_params=keywords(getattr(types.avatar_session, "start", None), START_KEYWORDS),
            ),
            capabilities=Capabilities(shared_http_client=True, python_types=types),
        )

    def describe(self) -> Description:
        return self._description

    async def start(self, call: StartCall) -> InProcessStart:
        started = InProcessStart(self.module_name, self.types, call)
        await started.begin()
        return started

    async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
        """One after the other: the watchdog guards one plugin call at a time, and together they
        would share the one core the plugin runs on anyway."""
        answers = []
        for call in calls:
            started = await self.start(call)
            answers.append(started.answer)
            await started.aclose()
        return answers

    def cut_off(self) -> None:
        """Nothing outlives a cut-off start here: it was cancelled, and closed as it unwound."""

    def close(self) -> None:
        """Nothing to end: the module lives as long as the process."""


def build_persona(types: PythonTypes, persona: Persona) -> object:
    kwargs: dict[str, object] = {"name": persona.name, "avatarId": persona.avatar_id}
    if persona.avatar_model is not None:
        kwargs["avatarModel"] = persona.avatar_model
    if persona.director_notes is not None:
        if types.director_notes is None:
            raise LookupError("the plugin has no DirectorNotes")
        kwargs["directorNotes"] = types.director_notes(**persona.director_notes)
    return types.persona_config(**kwargs)


def build_session_options(types: PythonTypes, module_name: str, given: Mapping[str, object]) -> object:
    """``SessionOptions(**given)``; a dimension not given must default to None (surface.session-options)."""
    if types.session_options is None:
        raise LookupError(f"{module_name} has no SessionOptions")
    options = types.session_options(**given)
    for name in DIMENSIONS:
        if name not in given and getattr(options, name, None) is not None:
            raise Blocked(
                OPTIONS_CLAUSE,
                f"expected SessionOptions to default {name} to None; actual {getattr(options, name)!r}",
            )
    return options


class InProcessStart:
    """One avatar session of the plugin, in a room and job context of its own."""

    def __init__(self, plugin: str, types: PythonTypes, call: StartCall) -> None:
        self.plugin = plugin
        self.types = types
        self.call = call
        self.room = FakeRoom(call.room.name, call.room.local_identity)
        self.agent_session = FakeAgentSession()
        self.avatar: AvatarSessionLike | None = None
        self.answer = StartAnswer()
        self._context = contextlib.ExitStack()

    async def begin(self) -> None:
        """Construct and ``start()``; whatever raises the suite's way (the watchdog) closes first."""
        self._context.enter_context(job_context(FakeJobContext(self.room)))
        try:
            self.answer = await self._start()
        except BaseException:
            await self.aclose()
            raise

    async def _start(self) -> StartAnswer:
        call, types = self.call, self.types
        stage: Stage = "persona"
        identity: str | None = None
        try:
            with guard_sync(self.plugin, "AvatarSession(...)"):
                kwargs: dict[str, object] = {
                    "persona_config": build_persona(types, call.persona),
                    "api_url": call.api_url,
                    "api_key": call.api_key,
                    "conn_options": APIConnectOptions(
                        max_retry=call.conn_options.max_retry,
                        retry_interval=call.conn_options.retry_interval,
                        timeout=call.conn_options.timeout,
                    ),
                }
                if call.session_options is not NOT_GIVEN_OPTIONS:
                    stage = "options"
                    kwargs["session_options"] = build_session_options(
                        types, self.plugin, call.session_options
                    )
                if call.avatar_identity is not None:
                    kwargs["avatar_participant_identity"] = call.avatar_identity
                stage = "construct"
                avatar: AvatarSessionLike = types.avatar_session(**kwargs)
                self.avatar = avatar
            found = getattr(avatar, "avatar_identity", None)
            identity = found if isinstance(found, str) else None
            stage = "start"
            livekit = call.livekit
            start = avatar.start(
                self.agent_session,
                self.room,
                livekit_url=livekit.url,
                livekit_api_key=livekit.api_key,
                livekit_api_secret=livekit.api_secret,
            )
            await guard_await(self.plugin, "start()", start)
        except Blocked as blocked:
            return StartAnswer(stage, None, self._audio(), identity, blocked)
        except ClauseViolation:
            raise  # the watchdog stopped a call: the test fails for its own clause, whatever it expected
        except (Exception, asyncio.TimeoutError) as exc:
            premise: Blocked | None = None
            if stage in ("persona", "construct") and isinstance(exc, TypeError):
                premise = Blocked(
                    DROP_IN_CLAUSE, f"the documented keywords to be taken; actual {type(exc).__name__}: {exc}"
                )
            elif stage == "options" and isinstance(exc, TypeError):
                premise = Blocked(
                    OPTIONS_CLAUSE, f"SessionOptions({call.session_options}) to be taken; actual {exc}"
                )
            return StartAnswer(stage, python_error_facts(exc), self._audio(), identity, premise)
        return StartAnswer(None, None, self._audio(), identity)

    def _audio(self) -> AudioFacts | None:
        return python_audio_facts(self.agent_session.output.audio)

    async def avatar_events(self, avatar: AdmittedAvatar | None) -> JoinAnswer:
        """Asked before the avatar is in the room, ``wait_for_join()`` must still be pending; once it
        is in with its video, it must resolve."""
        before: WaitState | None = None
        try:
            if self.avatar is None:
                raise TypeError("no avatar session to wait for")
            before = await guard_await(self.plugin, "wait_for_join()", _wait_before_arrival(self.avatar))
            if avatar is not None:
                admit_avatar(self.room, avatar)
            await guard_await(self.plugin, "wait_for_join()", _wait_for_join(self.avatar))
        except ClauseViolation:
            raise
        except (Exception, asyncio.TimeoutError) as exc:
            return JoinAnswer(False, python_error_facts(exc), before)
        return JoinAnswer(True, None, before)

    async def aclose(self) -> None:
        try:
            close = getattr(self.avatar, "aclose", None)  # the framework's sessions have one; not a promise
            if callable(close):
                with contextlib.suppress(Exception):  # teardown must not hide the outcome being judged
                    await guard_await(self.plugin, "aclose()", close())
            await cancel_audio_sink(self.agent_session)
        finally:
            self.avatar = None
            self._context.close()


async def _wait_before_arrival(avatar: AvatarSessionLike) -> WaitState:
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


async def _wait_for_join(avatar: AvatarSessionLike) -> None:
    """The plugin's own ``wait_for_join()``, given :data:`JOIN_GRACE_TURNS` loop turns.

    The room has seen everything it will see (the avatar, or no one), so a wait
    still pending after a few turns would only time out: it is ended then,
    rather than after the framework's full timeout.
    """
    join = asyncio.ensure_future(avatar.wait_for_join(timeout=JOIN_TIMEOUT))
    try:
        for _ in range(JOIN_GRACE_TURNS):
            if join.done():
                break
            await asyncio.sleep(0)
        if not join.done():
            raise asyncio.TimeoutError("wait_for_join() did not resolve: the avatar is not coming")
        join.result()
    finally:
        join.cancel()
        await asyncio.gather(join, return_exceptions=True)
