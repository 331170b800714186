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
from collections.abc import Sequence
from typing import cast

from ..expect import Blocked
from ..port.call import AdmittedAvatar, StartCall
from ..port.description import Capabilities, Description, Surface
from ..port.facts import JoinAnswer, StartAnswer
from .process import PROTOCOL_VERSION, DriverError, DriverProcess, DriverProtocolError
from .protocol import (
    AvatarEventsResult,
    DescribeResult,
    StartBatchParams,
    StartBatchResult,
    StartResult,
    audio_facts,
    avatar_events_params,
    error_facts,
    start_params,
    wait_for_join_failure,
)

DROP_IN_CLAUSE = "surface.drop-in"
#: The optional command that starts many calls together (PROTOCOL.md), and how many it is given at
#: once: 16 keep both processes busy (a Node start's round trips overlap the double's answers)
#: and a whole batch well inside one command's timeout.
START_BATCH, BATCH_SIZE = "start-batch", 16
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


def description_of(spec: str, driver: str, found: DescribeResult) -> Description:
    surface = found["surface"]
    language = found["language"]
    return Description(
        module=spec,
        version=found["version"],
        language=language,
        surface=Surface(
            avatar_session=surface["avatar_session"],
            framework_avatar_session=surface["framework_avatar_session"],
            wait_for_join=surface["wait_for_join"],
            session_options=surface["session_options"],
            session_option_fields=tuple(surface["session_option_fields"]),
            disclosure=surface["disclosure"],
            director_notes=surface["director_notes"],
            custom_identity=surface["custom_identity"],
            persona_fields=tuple(surface.get("persona_fields", ())),
            constructor_options=tuple(surface.get("constructor_options", ())),
            start_params=tuple(surface.get("start_params", ())),
        ),
        capabilities=Capabilities(
            undeliverable_statuses=UNDELIVERABLE.get(language, frozenset()),
            exact_numbers=language not in DOUBLE_NUMBERS,
        ),
        name=found["name"],
        runtime=found.get("runtime"),
        framework=found.get("framework", {}),
        driver=driver,
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
            raise DescribeRefused(str(error)) from error
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
        return DrivenStart(self.process, start_answer(result))

    async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
        """Together, :data:`BATCH_SIZE` at a time, where the driver offers ``start-batch``: about a
        third of the time of one after the other through the Node driver. Otherwise one by one."""
        if not self._batches:
            return [(await self.start(call)).answer for call in calls]
        answers: list[StartAnswer] = []
        for first in range(0, len(calls), BATCH_SIZE):
            batch = calls[first : first + BATCH_SIZE]
            params: StartBatchParams = {"starts": [start_params(call) for call in batch]}
            found = cast(StartBatchResult, await self.process.arequest(START_BATCH, params))
            if len(found["results"]) != len(batch):
                raise DriverProtocolError(
                    self.process.name,
                    f"answered {START_BATCH!r} of {len(batch)} starts with {len(found['results'])} results",
                )
            answers += [start_answer(result) for result in found["results"]]
        return answers

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


def start_answer(result: StartResult) -> StartAnswer:
    failure = error_facts(result["failure"])
    premise = None
    if failure is not None and result["stage"] == "construct" and failure.type_name == "TypeError":
        premise = Blocked(DROP_IN_CLAUSE, f"the documented options to be taken; actual {failure}")
    return StartAnswer(
        result["stage"], failure, audio_facts(result["audio"]), result["avatar_identity"], premise
    )


class DrivenStart:
    """A start the driver made; the driver closes it itself when the next start comes (or at exit)."""

    def __init__(self, process: DriverProcess, answer: StartAnswer) -> None:
        self.process = process
        self.answer = answer

    async def avatar_events(self, avatar: AdmittedAvatar | None) -> JoinAnswer:
        found = await self.process.arequest("avatar-events", avatar_events_params(avatar))
        result = cast(AvatarEventsResult, found)
        before = result.get("wait_for_join_before")
        if result["joined"]:
            return JoinAnswer(True, None, before)
        failure = error_facts(result.get("failure")) or wait_for_join_failure(
            result["wait_for_join"], avatar_came=avatar is not None
        )
        return JoinAnswer(False, failure, before)

    async def aclose(self) -> None:
        """One round trip fewer per example: the next ``start`` closes this one."""
