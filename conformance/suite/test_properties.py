"""The dimension clauses as properties, explored by hypothesis over every kind of call.

Each test states one clause's property for every example the strategies draw;
Anam is the in-process double applying Anam's documented rules, so the 400
paths are explored as well as the accepted ones. Examples run one after the
other on one event loop of the test's own (an example costs a few
milliseconds; a loop or fixture per example would cost more than the example).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from livekit.agents import APIStatusError

from conformance.expect import expect
from conformance.harness.anam_rules import Acceptance, Rejection, judge_session_request
from conformance.harness.driver import StartOutcome, start_avatar
from conformance.harness.evidence import describe
from conformance.harness.wire import pre_feature_body, with_token, without_dimensions
from conformance.hypothesis_profiles import PropertyRun
from conformance.strategies import HALF, Scenario, never_acceptable, scenarios
from conformance.target import PluginTarget

TOKEN = "<livekit-jwt>"
Check = Callable[[Scenario, StartOutcome], Awaitable[None]]


def explore(
    run: PropertyRun, strategy: st.SearchStrategy[Scenario], check: Check, target: PluginTarget
) -> None:
    """Start the plugin once per example and hold the outcome to ``check``."""
    loop = asyncio.new_event_loop()

    async def one(scenario: Scenario) -> None:
        outcome = await start_avatar(
            target, persona=scenario.persona, session_options=scenario.session_options
        )
        await check(scenario, outcome)

    @run.settings
    @given(scenario=strategy)
    def example(scenario: Scenario) -> None:
        run.example()
        loop.run_until_complete(one(scenario))

    try:
        example()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def refused_locally(outcome: StartOutcome) -> bool:
    return isinstance(outcome.error, ValueError) and not outcome.requests


def dimension_keys(value: Any, path: str = "") -> list[str]:
    """Every key anywhere in the body that names a width or a height, however spelled."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            spelled = str(key).lower().replace("_", "").replace("-", "")
            if "width" in spelled or "height" in spelled:
                found.append(where)
            found += dimension_keys(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += dimension_keys(item, f"{path}[{index}]")
    return found


def without_disclosure(body: Any) -> Any:
    """The body without ``showAIAvatarDisclosure`` (and a ``sessionOptions`` it alone filled).

    Keeping the flag is fields.disclosure-kept's to judge, at its own level (SHOULD): the
    dimension properties compare everything else.
    """
    options = body.get("sessionOptions") if isinstance(body, dict) else None
    if not isinstance(options, dict) or "showAIAvatarDisclosure" not in options:
        return body  # an empty sessionOptions stays, for dims.omitted-is-baseline to see
    options = {k: v for k, v in options.items() if k != "showAIAvatarDisclosure"}
    rest = {k: v for k, v in body.items() if k != "sessionOptions"}
    return {**rest, "sessionOptions": options} if options else rest


def same_json(sent: Any, asked: Any) -> bool:
    """Equal and of the same JSON type: ``1152.0`` is not ``1152``, ``true`` is not ``1``."""
    return type(sent) is type(asked) and json.dumps(sent) == json.dumps(asked)


def first_verdict(outcome: StartOutcome) -> Acceptance | Rejection | None:
    """How Anam's documented rules answer the first session request the plugin sent."""
    sent = outcome.session_requests
    return judge_session_request(sent[0].body) if sent else None


@pytest.mark.clause("dims.both-or-neither")
@pytest.mark.needs("SessionOptions")
def test_a_half_pair_is_refused_before_any_request(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        expect(
            isinstance(outcome.error, ValueError) and not outcome.requests,
            expected=f"ValueError and no request for {scenario}",
            actual=f"{outcome.error!r}, {describe(outcome.requests)}",
        )

    explore(property_run, scenarios(anam_target, *HALF), check, anam_target)


@pytest.mark.clause("dims.local-refusal")
@pytest.mark.needs("SessionOptions")
def test_a_full_pair_is_refused_locally_only_when_anam_could_never_accept_it(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        if outcome.session_requests:
            return
        impossible = never_acceptable(scenario.width) or never_acceptable(scenario.height)
        expect(
            refused_locally(outcome) and impossible,
            expected=f"{scenario} sent for Anam to judge"
            + ("" if not impossible else ", or refused with ValueError"),
            actual=f"nothing sent; {outcome.error!r}",
        )

    explore(property_run, scenarios(anam_target, "both"), check, anam_target)


@pytest.mark.clause("dims.verbatim")
@pytest.mark.needs("SessionOptions")
def test_a_full_pair_is_sent_verbatim_and_nothing_else_changes(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    baselines: dict[str, Any] = {}

    async def baseline(scenario: Scenario) -> Any:
        plain = scenario.without_dimensions()
        key = str(plain)
        if key not in baselines:
            outcome = await start_avatar(
                anam_target, persona=plain.persona, session_options=plain.session_options
            )
            baselines[key] = without_disclosure(with_token(outcome.session_request.body, TOKEN))
        return baselines[key]

    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        sent = outcome.session_requests
        if not sent and refused_locally(outcome):
            return  # judged by dims.local-refusal
        expect(bool(sent), expected=f"{scenario} sent to Anam", actual=f"nothing sent; {outcome.error!r}")
        asked = {"videoWidth": scenario.width, "videoHeight": scenario.height}
        expected_rest = await baseline(scenario)
        for request in sent:
            options = request.body.get("sessionOptions") if isinstance(request.body, dict) else None
            got = {k: options.get(k) for k in asked} if isinstance(options, dict) else None
            expect(
                got is not None and all(same_json(got[k], asked[k]) for k in asked),
                expected=f"sessionOptions {json.dumps(asked)} for {scenario}",
                actual=f"sessionOptions {json.dumps(options)}",
            )
            rest = without_disclosure(with_token(without_dimensions(request.body), TOKEN))
            expect(
                rest == expected_rest,
                expected="the rest of the body as without dimensions: "
                + json.dumps(expected_rest, sort_keys=True),
                actual=json.dumps(rest, sort_keys=True),
            )

    explore(property_run, scenarios(anam_target, "both"), check, anam_target)


@pytest.mark.clause("dims.omitted-is-baseline")
def test_no_dimensions_means_no_dimension_anywhere(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        sent = outcome.session_requests
        expect(
            len(sent) == 1, expected=f"one session request for {scenario}", actual=describe(outcome.requests)
        )
        body = with_token(sent[0].body, TOKEN)
        keys = dimension_keys(body)
        expect(not keys, expected=f"no dimension key for {scenario}", actual=f"{', '.join(keys)} in the body")
        expected = pre_feature_body(scenario.persona, TOKEN)
        expect(
            without_disclosure(body) == expected,
            expected=f"{json.dumps(expected, sort_keys=True)} for {scenario}",
            actual=json.dumps(body, sort_keys=True),
        )

    explore(property_run, scenarios(anam_target, "neither"), check, anam_target)


@pytest.mark.clause("rejection.surfaced")
@pytest.mark.needs("SessionOptions")
def test_every_rejection_surfaces_as_api_status_error(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        verdict = first_verdict(outcome)
        if not isinstance(verdict, Rejection):
            return
        error = outcome.error
        expect(
            isinstance(error, APIStatusError)
            and error.status_code == verdict.status
            and verdict.message in str(error.body),
            expected=f"APIStatusError {verdict.status} with Anam's message for {scenario}",
            actual=repr(error)
            if not isinstance(error, APIStatusError)
            else f"{error.status_code} {error.body!r}",
        )
        expect(
            not outcome.sessions and not outcome.joined,
            expected="no session started after the rejection",
            actual=f"{len(outcome.sessions)} session(s), joined={outcome.joined}",
        )

    explore(property_run, scenarios(anam_target, "both"), check, anam_target)


@pytest.mark.clause("rejection.not-retried")
@pytest.mark.needs("SessionOptions")
def test_a_rejected_request_is_sent_once(anam_target: PluginTarget, property_run: PropertyRun) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        if not isinstance(first_verdict(outcome), Rejection):
            return
        expect(
            len(outcome.requests) == 1,
            expected=f"one request, rejected, for {scenario}",
            actual=f"{len(outcome.requests)}: {describe(outcome.requests)}",
        )

    explore(property_run, scenarios(anam_target, "both"), check, anam_target)


@pytest.mark.clause("rejection.no-downgrade")
@pytest.mark.needs("SessionOptions")
def test_a_pair_anam_refuses_is_never_downgraded(
    anam_target: PluginTarget, property_run: PropertyRun
) -> None:
    async def check(scenario: Scenario, outcome: StartOutcome) -> None:
        asked = {"videoWidth": scenario.width, "videoHeight": scenario.height}
        if never_acceptable(scenario.width) or never_acceptable(scenario.height):
            return  # refusable locally: judged by dims.local-refusal
        model = scenario.persona.avatar_model
        persona = {"avatarModel": model} if model else {}
        if not isinstance(
            judge_session_request({"personaConfig": persona, "sessionOptions": asked}), Rejection
        ):
            return
        sent = [r.body.get("sessionOptions") for r in outcome.session_requests]
        expect(
            bool(sent)
            and all(
                isinstance(o, dict)
                and o.get("videoWidth") == asked["videoWidth"]
                and o.get("videoHeight") == asked["videoHeight"]
                for o in sent
            ),
            expected=f"every session request to ask {asked['videoWidth']}x{asked['videoHeight']} "
            f"({scenario})",
            actual=describe(outcome.requests),
        )
        expect(
            not outcome.sessions and not outcome.joined,
            expected=f"no session started for {scenario}",
            actual=f"{len(outcome.sessions)} session(s), joined={outcome.joined}",
        )

    explore(property_run, scenarios(anam_target, "both"), check, anam_target)
