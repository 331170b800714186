"""A Python module with the public surface of ``livekit.plugins.anam``, run in the suite's own process.

Only the plugin's public API is called, exactly as an agent would: build the
persona and options, construct the session, ``start()`` it, then
``wait_for_join()`` once the room has seen the avatar arrive. What a start does,
in its fake job context and room, is the Python driver's own code
(``drivers/python/driver.py``, the one copy of it): this adapter gives it the
port's call as the protocol's parameters and reads its results as the driven
adapter reads a driver's answers, so a module judged here and through its
driver is judged the same. Only the calls differ: here each call into the
plugin is guarded (:mod:`.watchdog`), so a plugin that hangs or ends the process
is reported as a stall (:class:`~anam_conformance.port.facts.Stalled`) instead of
ending the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar, cast

from ..drivers.python import driver
from ..port.call import AdmittedAvatar, StartCall
from ..port.description import Capabilities, Description, PythonTypes
from ..port.facts import JoinAnswer, Stalled, StartAnswer, TypeProbe
from .protocol import (
    AvatarEventsResult,
    ProbeTypesResult,
    StartResult,
    SurfaceResult,
    avatar_events_params,
    grace_turns,
    join_answer,
    start_answer,
    start_params,
    surface_of,
    type_probe,
)
from .watchdog import guard_await, guard_sync

T = TypeVar("T")
LANGUAGE = "python"


class WatchedCalls:
    """Each call into the plugin under the watchdog: a stall or an exit stops it (a :class:`Stalled`,
    which the start lets through as the watchdog's own report, never as the plugin's failure)."""

    own: tuple[type[BaseException], ...] = (Stalled,)

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin

    def sync(self, call: str) -> contextlib.AbstractContextManager[None]:
        return guard_sync(self.plugin, call)

    async def wait(self, call: str, awaitable: Awaitable[T]) -> T:
        return await guard_await(self.plugin, call, awaitable)


class PythonModule:
    """The in-process adapter: a Python plugin module behind the port."""

    runs_elsewhere = False

    def __init__(self, module_name: str, version: str | None, types: PythonTypes) -> None:
        self.module_name = module_name
        self.version = version
        self.types = types

    @cached_property
    def _description(self) -> Description:
        return Description(
            module=self.module_name,
            version=self.version,
            language=LANGUAGE,
            surface=surface_of(cast(SurfaceResult, driver.surface(self.types))),
            capabilities=Capabilities(
                shared_http_client=True,
                client_faults="client-faults" in driver.capabilities(),
                python_types=True,
            ),
        )

    def describe(self) -> Description:
        return self._description

    async def start(self, call: StartCall) -> InProcessStart:
        calls = WatchedCalls(self.module_name)
        started = InProcessStart(driver.PluginStart(self.types, self.module_name, start_params(call), calls))
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

    def probe_types(
        self, persona_config: Mapping[str, object], session_options: Mapping[str, object]
    ) -> TypeProbe:
        found = driver.probe_types(self.types, persona_config, session_options)
        return type_probe(cast(ProbeTypesResult, found))

    def cut_off(self) -> None:
        """Nothing outlives a cut-off start here: it was cancelled, and closed as it unwound."""

    def close(self) -> None:
        """Nothing to end: the module lives as long as the process."""


class InProcessStart:
    """One avatar session of the plugin (the driver's :class:`PluginStart`), read as the port's answers."""

    def __init__(self, start: Any) -> None:
        self._start = start
        self.answer = StartAnswer()

    async def begin(self) -> None:
        """Construct and ``start()``; whatever raises the suite's way (the watchdog) closes first."""
        self.answer = start_answer(cast(StartResult, await self._start.begin()))

    async def avatar_events(self, avatar: AdmittedAvatar | None) -> JoinAnswer:
        params = avatar_events_params(avatar, grace_turns(LANGUAGE))
        found = await self._start.avatar_events(params)
        return join_answer(cast(AvatarEventsResult, found), avatar_came=avatar is not None)

    async def aclose(self) -> None:
        await self._start.aclose()
