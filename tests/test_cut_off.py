"""A driven start cut off at its deadline: the next start finds the driver in step, and soon.

Once the Anam double is gone, a start that only waited on it ends by itself, and
its driver is kept; one that still runs is killed at once (it would finish that
start before any goodbye) and a fresh driver is loaded.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

import pytest
from anam_conformance.harness.anam_double import STALL, ScriptedReply
from anam_conformance.harness.start import start_avatar
from anam_conformance.implementations.driven import DrivenImplementation
from anam_conformance.implementations.loading import load_target
from anam_conformance.port import ConnOptions

TESTS = Path(__file__).resolve().parent
DRIVER = TESTS.parent / "drivers" / "python" / "driver.py"
PATIENT = ConnOptions(max_retry=0, retry_interval=0.0, timeout=30.0)


def driven(module: str, monkeypatch: pytest.MonkeyPatch) -> DrivenImplementation:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    target = load_target(f"driver:{sys.executable} {DRIVER} {module}")
    assert isinstance(target, DrivenImplementation)
    return target


def cut_off_start(target: DrivenImplementation) -> None:
    outcome = asyncio.run(
        start_avatar(target, always=ScriptedReply(fault=STALL), conn_options=PATIENT, deadline=0.5)
    )
    assert outcome.overran


def test_a_start_that_ends_once_anam_is_gone_keeps_its_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    target = driven("plugin_under_test", monkeypatch)
    try:
        before = target.process.pid
        cut_off_start(target)
        assert target.process.pid == before
        after = asyncio.run(start_avatar(target))
        assert after.failure is None and after.joined, after.failure
    finally:
        target.close()


def test_a_start_that_never_ends_costs_its_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    target = driven("broken_plugins._never_returns", monkeypatch)
    try:
        before = target.process.pid
        cut_off_start(target)
        assert target.process.pid not in (before, None)
        after = asyncio.run(start_avatar(target, deadline=0.5))
        assert after.overran  # the new driver answers in turn: its own start, cut off again
    finally:
        target.close()


def test_the_commands_of_every_test_wait_in_one_thread_which_close_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = driven("plugin_under_test", monkeypatch)

    def callers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith(f"driver {target.process.name}")]

    try:
        for _ in range(3):  # each on an event loop of its own, as each test is
            assert asyncio.run(start_avatar(target)).joined
        assert len(callers()) == 1
    finally:
        target.close()
    for thread in callers():
        thread.join(timeout=5)
    assert callers() == []
