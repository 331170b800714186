"""pytest options and fixtures for the cassette replay: ``--anam-cassettes=replay|record|live``.

Replay is the default and what CI runs. ``record`` re-records every cassette
against the emulator before the tests replay them; ``live`` re-records them
against https://api.anam.ai and is taken only with both the option and
``ANAM_API_KEY``. Recording happens once, in the controlling process, so
pytest-xdist workers replay finished files.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ..harness.anam_double import SESSION_TOKEN_PATH
from ..harness.driver import Persona
from ..target import Target
from .library import (
    FLOWS,
    SCENARIOS,
    CassetteError,
    CassetteFile,
    Flow,
    cassette_path,
    read_cassette,
    scenario,
)
from .recorder import record
from .replay import ReplayOutcome, replay_start

OPTION = "--anam-cassettes"
MODES = ("replay", "record", "live")
PROBE_SCENARIO = "default-size-cara-3"

Replay = Callable[..., Awaitable[tuple[ReplayOutcome, CassetteFile]]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("anam-conformance")
    group.addoption(
        OPTION,
        dest="anam_cassettes",
        choices=MODES,
        default="replay",
        help="replay the cassettes (default, network blocked); record: re-record them against the "
        "emulator first; live: re-record them against https://api.anam.ai (needs ANAM_API_KEY)",
    )


def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("anam_cassettes", "replay")
    if mode == "replay" or hasattr(config, "workerinput"):
        return
    if mode == "live" and not os.environ.get("ANAM_API_KEY"):
        raise pytest.UsageError(f"{OPTION}=live needs ANAM_API_KEY in the environment")

    async def rerecord() -> None:
        for found in SCENARIOS:
            for flow in FLOWS:
                await record(found, flow, live=mode == "live")

    asyncio.run(rerecord())


def load(name: str, flow: Flow) -> CassetteFile:
    try:
        return read_cassette(cassette_path(scenario(name), flow))
    except CassetteError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def anam_wire_flow(anam_target: Target) -> Flow:
    """Which wire flow the plugin speaks, seen from the first request it sends to a replayed start."""
    probe = replay_start(
        anam_target,
        load(PROBE_SCENARIO, "one-request"),
        persona=Persona(avatar_model=scenario(PROBE_SCENARIO).avatar_model),
    )
    outcome = asyncio.run(probe)
    paths = [r.path for r in outcome.requests]
    return "two-requests" if SESSION_TOKEN_PATH in paths else "one-request"


@pytest.fixture
def anam_replay(anam_target: Target, anam_wire_flow: Flow) -> Replay:
    """``await anam_replay(scenario_name, **start_kwargs)``: one start against that scenario's cassette."""

    async def run(name: str, **kwargs: Any) -> tuple[ReplayOutcome, CassetteFile]:
        found = scenario(name)
        cassette = load(name, anam_wire_flow)
        kwargs.setdefault("persona", Persona(avatar_model=found.avatar_model))
        return await replay_start(anam_target, cassette, **kwargs), cassette

    return run
