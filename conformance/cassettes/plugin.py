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
from pathlib import Path
from typing import Any

import pytest

from ..assertions import ClauseViolation
from ..harness.anam_double import SESSION_TOKEN_PATH
from ..harness.start import start_avatar
from ..options import CASSETTE_DIRECTORY_OPTION, CASSETTE_MODES, CASSETTES_OPTION
from ..port.call import Persona
from ..port.implementation import Implementation
from ..premises import session_request
from .library import (
    FLOWS,
    SCENARIOS,
    CassetteFile,
    Flow,
    cassette_path,
    read_cassette,
    scenario,
)
from .recorder import record
from .replay import ReplayOutcome, replay_start

OPTION, DIRECTORY_OPTION, MODES = CASSETTES_OPTION, CASSETTE_DIRECTORY_OPTION, CASSETTE_MODES
PROBE_SCENARIO = "default-size-cara-3"

Replay = Callable[..., Awaitable[tuple[ReplayOutcome, CassetteFile]]]


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


def cassette_directory(config: pytest.Config) -> Path | None:
    """``--conformance-cassettes``, or None for the suite's own (:mod:`anam_conformance.evidence`)."""
    given = config.getoption("conformance_cassettes", None)
    return Path(given).resolve() if given else None


def load(name: str, flow: Flow, directory: Path | None = None) -> CassetteFile:
    """The scenario's cassette; one that cannot be read is the suite's error (``CassetteError``)."""
    return read_cassette(cassette_path(scenario(name), flow, directory))


@pytest.fixture(scope="session")
def anam_wire_flow(implementation: Implementation) -> Flow:
    """Which wire flow the plugin speaks, seen from a start against the Anam double (which speaks both).

    The flow is the path of the one request that carries the persona; a start that
    sends more than one such request speaks neither (``session.one-request``'s premise).
    """
    probe = start_avatar(implementation, persona=Persona(avatar_model=scenario(PROBE_SCENARIO).avatar_model))
    try:
        outcome = asyncio.run(probe)
    except ClauseViolation:
        # The watchdog stopped the probe (a plugin that stalls or exits in start()): each
        # replay test then fails for its own clause when it starts the plugin itself.
        return "one-request"
    return "two-requests" if session_request(outcome).path == SESSION_TOKEN_PATH else "one-request"


@pytest.fixture
def anam_replay(
    implementation: Implementation, anam_wire_flow: Flow, request: pytest.FixtureRequest
) -> Replay:
    """``await anam_replay(scenario_name, **start_kwargs)``: one start against that scenario's cassette."""
    directory = cassette_directory(request.config)

    async def run(name: str, **kwargs: Any) -> tuple[ReplayOutcome, CassetteFile]:
        found = scenario(name)
        cassette = load(name, anam_wire_flow, directory)
        kwargs.setdefault("persona", Persona(avatar_model=found.avatar_model))
        return await replay_start(implementation, cassette, **kwargs), cassette

    return run
