"""The driven adapter: an implementation in its own process, behind the port through its driver.

The same call, the same Anam double and the same avatar as in-process: only
the place the plugin runs differs. The driver constructs and starts the plugin
in its own runtime against the double's URL, replays the avatar's arrival as
its room's events, and reports what the plugin's own ``waitForJoin()`` did
(``drivers/PROTOCOL.md``). It answers ``describe`` once, when it is loaded, so
the clauses a release lacks the surface for are known at collection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import cast

from ..port.call import AdmittedAvatar, StartCall
from ..port.description import Capabilities, Description
from ..port.facts import JoinAnswer, StartAnswer, TypeProbe
from ..port.implementation import TOGETHER
from .process import PROTOCOL_VERSION, DriverError, DriverProcess, DriverProtocolError
from .protocol import (
    AvatarEventsResult,
    DescribeResult,
    OutsideProtocol,
    ProbeTypesResult,
    StartBatchParams,
    StartBatchResult,
    StartResult,
    avatar_events_params,
    grace_turns,
    join_answer,
    probe_types_params,
    start_answer,
    start_params,
    surface_of,
    type_probe,
)

#: The optional command that starts many calls together (PROTOCOL.md), and how many it is given at
#: once: 16 keep both processes busy (a Node start's round trips overlap the double's answers)
#: and a whole batch well inside one command's timeout.
START_BATCH = "start-batch"
#: The optional command of the ``python-types`` capability (PROTOCOL.md).
PROBE_TYPES = "probe-types"
#: The error ``type_name`` a driver answers ``describe`` with when the module it was given cannot
#: be judged at all (the Python driver: it cannot be imported, or it is not an Anam plugin); the
#: message is the whole sentence, shown after ``--anam-plugin=SPEC: ``.
PLUGIN_NOT_LOADED = "PluginNotLoaded"
#: Seconds a cut-off start gets to end once its double is gone: a refused connection is immediate.
CUT_OFF_GRACE = 1.0
#: Languages whose numbers are IEEE doubles (``720.0`` is ``720``; integers exact to 2**53 only).
DOUBLE_NUMBERS = frozenset({"javascript", "typescript"})
#: What each language's HTTP client answers itself, never delivering it to the plugin: fetch
#: (undici, under Node's plugins) turns a 407 into a network error when no proxy is set, and sends
#: a 421 (Misdirected Request) again once on a new connection before the plugin sees it. Asked,
#: they would judge the HTTP client, not the plugin.
FETCH_ANSWERS_ITSELF = frozenset({407, 421})
UNDELIVERABLE: dict[str, frozenset[int]] = {
    "javascript": FETCH_ANSWERS_ITSELF,
    "typescript": FETCH_ANSWERS_ITSELF,
}


class DescribeRefused(Exception):
    """The driver cannot say what it is, or what it says is no Anam plugin."""


def refusal(error: DriverError) -> str:
    """What the user is told when ``describe`` failed: the driver's own sentence when it refused the
    module it was given (:data:`PLUGIN_NOT_LOADED`), else the driver's failure as the suite saw it."""
    _, refused, sentence = error.problem.partition(f": {PLUGIN_NOT_LOADED}: ")
    return sentence if refused and isinstance(error, DriverProtocolError) else str(error)


def description_of(spec: str, driver: str, found: DescribeResult) -> Description:
    language = found["language"]
    offered = set(found.get("capabilities", ()))
    return Description(
        module=spec,
        version=found["version"],
        language=language,
        surface=surface_of(found["surface"]),
        capabilities=Capabilities(
            client_faults="client-faults" in offered,
            python_types="python-types" in offered and PROBE_TYPES in found.get("commands", ()),
            undeliverable_statuses=UNDELIVERABLE.get(language, frozenset()),
            exact_numbers=language not in DOUBLE_NUMBERS,
        ),
        name=found["name"],
        runtime=found.get("runtime"),
        framework=found.get("framework", {}),
        driver=driver,
        installed_from=found.get("installed_from"),
    )


class DrivenImplementation:
    """An implementation judged through its driver process."""

    runs_elsewhere = True

    def __init__(
        self, spec: str, process: DriverProcess, description: Description, commands: Sequence[str] = ()
    ) -> None:
        self.spec = spec
        self.process = process
        self._description = description
        self._batches = START_BATCH in commands

    @classmethod
    def load(cls, spec: str, process: DriverProcess) -> DrivenImplementation:
        """Start the driver and ask it what it is; a driver that cannot say is refused."""
        try:
            found = process.request("describe")
        except DriverError as error:
            process.close()
            raise DescribeRefused(refusal(error)) from error
        if found.get("protocol") != PROTOCOL_VERSION:
            process.close()
            raise DescribeRefused(
                f"driver {process.name} speaks protocol {found.get('protocol')!r}, "
                f"the suite speaks {PROTOCOL_VERSION}"
            )
        described = cast(DescribeResult, found)  # the schema checked every field
        if not described["surface"]["avatar_session"]:
            process.close()
            raise DescribeRefused(f"{described['name']} is not an Anam plugin: no AvatarSession")
        return cls(
            spec, process, description_of(spec, process.name, described), described.get("commands", ())
        )

    def describe(self) -> Description:
        return self._description

    async def start(self, call: StartCall) -> DrivenStart:
        result = cast(StartResult, await self.process.arequest("start", start_params(call)))
        return DrivenStart(self.process, self._answer(result), grace_turns(self._description.language))

    def _answer(self, result: StartResult) -> StartAnswer:
        try:
            return start_answer(result)
        except OutsideProtocol as error:
            problem = f"answered 'start' outside the protocol: {error}"
            raise DriverProtocolError(self.process.name, problem) from None

    async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
        """Together, :data:`TOGETHER` at a time, where the driver offers ``start-batch``: about a
        third of the time of one after the other through the Node driver. Otherwise one by one."""
        if not self._batches:
            return [(await self.start(call)).answer for call in calls]
        answers: list[StartAnswer] = []
        for first in range(0, len(calls), TOGETHER):
            batch = calls[first : first + TOGETHER]
            params: StartBatchParams = {"starts": [start_params(call) for call in batch]}
            found = cast(StartBatchResult, await self.process.arequest(START_BATCH, params))
            if len(found["results"]) != len(batch):
                raise DriverProtocolError(
                    self.process.name,
                    f"answered {START_BATCH!r} of {len(batch)} starts with {len(found['results'])} results",
                )
            answers += [self._answer(result) for result in found["results"]]
        return answers

    def probe_types(
        self, persona_config: Mapping[str, object], session_options: Mapping[str, object]
    ) -> TypeProbe:
        """Asked of a driver that offers ``python-types`` (checks that need it are skipped elsewhere)."""
        params = probe_types_params(persona_config, session_options)
        return type_probe(cast(ProbeTypesResult, self.process.request(PROBE_TYPES, params)))

    def cut_off(self) -> None:
        """The double is gone by now, so a start that only waited on it ends within moments (its
        answer is read and dropped) and the process stays in step. One still running after
        :data:`CUT_OFF_GRACE` would answer out of turn: the process is killed (it would finish
        that start before any goodbye), and a new one started and loaded here, so that the next
        start's deadline is not spent on the runtime and the plugin loading again (seconds, on a
        loaded machine)."""
        if self.process.settled(within=CUT_OFF_GRACE):
            return
        self.process.close(at_once=True)
        with contextlib.suppress(DriverError):  # recorded by the process: the next command fails with it
            self.process.request("describe")

    def close(self) -> None:
        self.process.close()


class DrivenStart:
    """A start the driver made; the driver closes it itself when the next start comes (or at exit)."""

    def __init__(self, process: DriverProcess, answer: StartAnswer, turns: int) -> None:
        self.process = process
        self.answer = answer
        self.turns = turns

    async def avatar_events(self, avatar: AdmittedAvatar | None) -> JoinAnswer:
        found = await self.process.arequest("avatar-events", avatar_events_params(avatar, self.turns))
        return join_answer(cast(AvatarEventsResult, found), avatar_came=avatar is not None)

    async def aclose(self) -> None:
        """One round trip fewer per example: the next ``start`` closes this one."""
