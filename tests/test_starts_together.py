"""Starts made together are judged as the same starts made one after the other would be, or not at all.

A property's examples and a domain's statuses are started together where the
implementation allows it (a driver's ``start-batch``): each start still has an
Anam double of its own, and what each was sent and answered must be exactly
what it would have been alone. Where that cannot be told (a plugin that drops
its base URL's path), or a group overran its deadline, the starts are made again
one by one; where a property's first pass sees an example that does not pass,
hypothesis judges the property as it always did, one start per example.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import aiohttp
import pytest
from anam_conformance.harness.anam_double import SESSION_TOKEN_PATH, AnamDouble, ScriptedReply
from anam_conformance.harness.outcome import StartOutcome
from anam_conformance.harness.start import Asked, start_avatars, start_avatars_one_by_one
from anam_conformance.harness.wire import with_token
from anam_conformance.hypothesis_profiles import PROFILES, PropertyRun
from anam_conformance.implementations import node
from anam_conformance.implementations.driven import DrivenImplementation
from anam_conformance.implementations.loading import load_target
from anam_conformance.implementations.process import DriverProtocolError
from anam_conformance.port import Description, Implementation, StartAnswer, StartCall
from anam_conformance.port.call import Persona
from anam_conformance.port.facts import JoinAnswer
from anam_conformance.strategies import DrawnCall, scenarios
from anam_conformance.suite import test_properties
from test_shared_server import BODY, KEY, open_server, post
from yarl import URL

TESTS = Path(__file__).resolve().parent
PYTHON_DRIVER = TESTS.parent / "drivers" / "python" / "driver.py"
BROKEN_DRIVER = TESTS / "fake_drivers" / "broken_driver.py"

#: One of each kind of start: accepted, a pair Anam refuses, a half pair refused locally, a final
#: 4xx, a retryable 5xx answered to every attempt, and one accepted after a retry.
ASKED = (
    Asked(),
    Asked(Persona(avatar_model="cara-3"), {"video_width": 720, "video_height": 480}),
    Asked(Persona(avatar_model="cara-4-latest"), {"video_width": 1280, "video_height": 720}),
    Asked(session_options={"video_width": 720}),
    Asked(always=ScriptedReply(404, {"error": "Not Found"})),
    Asked(always=ScriptedReply(503, {"error": "Service Unavailable"})),
    Asked(scripted_replies=((503, {"error": "busy"}),)),
)


def seen(outcome: StartOutcome) -> tuple[object, ...]:
    """What the checks judge of a start: what it sent, what it was answered, how it ended."""
    failure = outcome.failure
    return (
        [(r.method, r.path, with_token(r.body, "<each start mints its own>")) for r in outcome.requests],
        outcome.answers,
        outcome.error_during,
        None if failure is None else (failure.kind, failure.status, failure.body),
        outcome.audio,
        outcome.avatar_identity,
    )


def one_by_one(target: Implementation, asked: Sequence[Asked]) -> list[StartOutcome]:
    return asyncio.run(start_avatars_one_by_one(target, asked))


def together(
    target: Implementation, asked: Sequence[Asked], deadline: float | None = None
) -> list[StartOutcome]:
    return asyncio.run(start_avatars(target, asked, deadline=deadline))


def commands_sent(target: DrivenImplementation, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands the suite sends the driver from here on, in order."""
    sent: list[str] = []
    request = target.process.request

    def counted(command: str, params: object = None) -> dict[str, object]:
        sent.append(command)
        return request(command, params)  # type: ignore[arg-type]

    monkeypatch.setattr(target.process, "request", counted)
    return sent


def python_driver(monkeypatch: pytest.MonkeyPatch) -> DrivenImplementation:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    target = load_target(f"driver:{sys.executable} {PYTHON_DRIVER} plugin_under_test")
    assert isinstance(target, DrivenImplementation)
    return target


def test_in_process_starts_together_are_what_one_by_one_would_be() -> None:
    target = load_target("plugin_under_test")
    assert [seen(o) for o in together(target, ASKED * 3)] == [seen(o) for o in one_by_one(target, ASKED * 3)]


def test_a_batch_through_a_driver_is_what_one_by_one_would_be(monkeypatch: pytest.MonkeyPatch) -> None:
    target = python_driver(monkeypatch)
    sent = commands_sent(target, monkeypatch)
    try:
        made = together(target, ASKED * 3)
        assert sent == ["start-batch", "start-batch"]  # 21 starts: 16, then 5
        assert [seen(o) for o in made] == [seen(o) for o in one_by_one(target, ASKED * 3)]
    finally:
        target.close()


def test_a_batch_through_the_node_driver_is_what_one_by_one_would_be(monkeypatch: pytest.MonkeyPatch) -> None:
    """Node runs a batch's starts at once on one event loop: each counts its own requests, so a
    half pair refused before any request is still an ``argument`` refusal among starts that sent."""
    try:
        node.install_release("@livekit/agents-plugin-anam", "1.5.0")
    except (node.NodeUnavailable, RuntimeError, OSError) as error:
        pytest.skip(f"the Node plugin cannot be installed here: {error}")
    target = load_target("npm:@livekit/agents-plugin-anam@1.5.0")
    assert isinstance(target, DrivenImplementation)
    sent = commands_sent(target, monkeypatch)
    try:
        made = together(target, ASKED * 3)
        assert sent == ["start-batch", "start-batch"]
        assert [seen(o) for o in made] == [seen(o) for o in one_by_one(target, ASKED * 3)]
        assert made[3].failure is not None and made[3].failure.kind == "argument"
    finally:
        target.close()


def test_a_driver_that_answers_a_batch_with_too_few_results_is_the_suites_error() -> None:
    target = load_target(f"driver:{sys.executable} {BROKEN_DRIVER} short-batch")
    try:
        with pytest.raises(DriverProtocolError, match="'start-batch' of 3 starts with 2 results"):
            together(target, ASKED[:3])
    finally:
        target.close()


def test_a_request_under_no_path_with_several_starts_open_is_nobodys() -> None:
    async def scenario() -> None:
        async with open_server() as server:
            first, second = AnamDouble(KEY), AnamDouble(KEY)
            async with server.serving(first) as url, server.serving(second):
                assert await post(str(URL(url).origin())) == 421
            assert server.unattributed == 1
            assert first.requests == [] and second.requests == []

    asyncio.run(scenario())


@dataclass
class Fake:
    """An implementation in this process whose starts each post once, as ``post_to`` says, and
    whose ``start_each`` makes them all at once; ``hangs`` names the personas whose start never ends."""

    runs_elsewhere = False
    post_to: str = "path"  # "path": under its base URL's path; "origin": on the host alone
    hangs: frozenset[str] = frozenset()
    cut_offs: int = 0
    described: Description = field(default_factory=lambda: load_target("plugin_under_test").describe())

    def describe(self) -> Description:
        return self.described

    async def start(self, call: StartCall) -> Started:
        if call.persona.name in self.hangs:
            await asyncio.sleep(3600)
        url = call.api_url if self.post_to == "path" else str(URL(call.api_url).origin())
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {call.api_key}"}
            async with http.post(url + SESSION_TOKEN_PATH, json=BODY, headers=headers) as answer:
                await answer.read()
        return Started(StartAnswer())

    async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
        return [started.answer for started in await asyncio.gather(*(self.start(c) for c in calls))]

    def cut_off(self) -> None:
        self.cut_offs += 1

    def close(self) -> None:
        pass


@dataclass
class Started:
    answer: StartAnswer

    async def avatar_events(self, avatar: object) -> JoinAnswer:
        raise AssertionError("never asked of starts made together")

    async def aclose(self) -> None:
        pass


def test_starts_of_a_plugin_that_drops_its_path_are_made_again_one_by_one() -> None:
    outcomes = together(Fake(post_to="origin"), [Asked()] * 5)
    assert [len(o.requests) for o in outcomes] == [1] * 5
    assert [o.answers for o in outcomes] == [[200]] * 5


def test_a_group_that_overruns_its_deadline_is_made_again_one_by_one() -> None:
    fake = Fake(hangs=frozenset({"hangs"}))
    asked = [Asked(), Asked(Persona(name="hangs")), Asked()]
    outcomes = together(fake, asked, deadline=0.3)
    assert [o.overran for o in outcomes] == [False, True, False]
    assert [o.answers for o in outcomes] == [[200], [], [200]]
    assert fake.cut_offs == 2  # the group, then the start that overran alone


def explored(target: Implementation, check: test_properties.Check, profile: str = "quick") -> PropertyRun:
    run = PropertyRun(PROFILES[profile], profile)
    test_properties.explore(run, scenarios(target.describe()), check, target)
    return run


def test_the_first_pass_judges_the_examples_hypothesis_would_try_in_its_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = load_target("plugin_under_test")
    judged: dict[bool, list[object]] = {True: [], False: []}
    for first_pass in (True, False):
        monkeypatch.setattr(test_properties, "predictable", lambda run, first_pass=first_pass: first_pass)

        async def check(scenario: DrawnCall, outcome: StartOutcome, first_pass: bool = first_pass) -> None:
            judged[first_pass].append(scenario)

        assert explored(target, check, "ci").examples == PROFILES["ci"].max_examples
    assert judged[True] == judged[False]


@pytest.mark.parametrize("elsewhere", [True, False], ids=["runs-elsewhere", "in-this-process"])
def test_groups_start_while_hypothesis_draws_only_for_an_implementation_elsewhere(
    monkeypatch: pytest.MonkeyPatch, elsewhere: bool
) -> None:
    """Drawn and started at once, the examples judged are still those of the one-by-one run, in
    its order; a plugin in this process is never started between two of hypothesis' draws."""
    drawn = 0

    def counted(scenario: DrawnCall) -> DrawnCall:
        nonlocal drawn
        drawn += 1
        return scenario

    class Counting(Fake):
        runs_elsewhere = elsewhere
        draws_at_each_group: ClassVar[list[int]] = []

        async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
            self.draws_at_each_group.append(drawn)
            return await super().start_each(calls)

    target = Counting()
    judged: dict[bool, list[object]] = {True: [], False: []}
    for first_pass in (True, False):
        monkeypatch.setattr(test_properties, "predictable", lambda run, first_pass=first_pass: first_pass)

        async def check(scenario: DrawnCall, outcome: StartOutcome, first_pass: bool = first_pass) -> None:
            judged[first_pass].append(scenario)

        run = PropertyRun(PROFILES["ci"], "ci")
        drawn = 0
        strategy = scenarios(target.describe()).map(counted)
        test_properties.explore(run, strategy, check, target)
        if first_pass:
            first_pass_draws = drawn
    assert judged[True] == judged[False]
    started_at = Counting.draws_at_each_group[0]
    if elsewhere:
        assert started_at < first_pass_draws, "the first group waited for the last draw"
    else:
        assert started_at == first_pass_draws, "a plugin in this process started between draws"


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # hypothesis naming the strategy
def test_hypothesis_stopping_during_the_first_pass_leaves_no_start_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Elsewhere(Fake):
        runs_elsewhere = True

    drawn = 0

    def breaks(scenario: DrawnCall) -> DrawnCall:
        nonlocal drawn
        drawn += 1
        if drawn > 40:
            raise RuntimeError("the strategy broke")
        return scenario

    async def check(scenario: DrawnCall, outcome: StartOutcome) -> None:
        pass

    target = Elsewhere()
    run = PropertyRun(PROFILES["ci"], "ci")
    with pytest.raises(RuntimeError, match="the strategy broke"):
        test_properties.explore(run, scenarios(target.describe()).map(breaks), check, target)
    gc.collect()
    assert "destroyed but it is pending" not in caplog.text


def test_an_example_only_the_first_pass_fails_is_judged_by_hypothesis_alone() -> None:
    """A start made together that differs from the same start made alone is never blamed: the
    property is judged again one start per example, and only that run decides."""

    class AloneIsRight(Fake):
        async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
            answers = await super().start_each(calls)
            return [replace(a, avatar_identity="made together") for a in answers]

    async def check(scenario: DrawnCall, outcome: StartOutcome) -> None:
        assert outcome.avatar_identity is None, outcome.avatar_identity

    run = explored(AloneIsRight(), check)
    assert run.examples == PROFILES["quick"].max_examples


def test_the_suites_own_error_in_the_first_pass_is_the_suites_error_not_a_second_chance() -> None:
    """A driver that broke during a batch is the suite's error as it happened; it is never made up
    for by the one-by-one run."""

    class BatchBreaks(Fake):
        async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
            raise DriverProtocolError("fake", "answered 'start-batch' with a line that is not JSON")

    async def check(scenario: DrawnCall, outcome: StartOutcome) -> None:
        pass

    with pytest.raises(DriverProtocolError, match="not JSON"):
        explored(BatchBreaks(), check)


def test_an_example_that_fails_alone_fails_the_property_with_hypothesis_minimal_example() -> None:
    async def check(scenario: DrawnCall, outcome: StartOutcome) -> None:
        assert scenario.width is None, "a width was asked"

    with pytest.raises(AssertionError, match="a width was asked") as failed:
        explored(Fake(), check, "ci")
    assert "Failing test case" in "".join(getattr(failed.value, "__notes__", [])), failed.value
