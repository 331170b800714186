"""A stalled call is a fact the in-process adapter reports; the harness alone makes it a violation."""

from __future__ import annotations

import asyncio
import time

import pytest
from anam_conformance.assertions import ClauseViolation
from anam_conformance.harness.start import stalls_fail
from anam_conformance.implementations.watchdog import forget_stalls, guard_await, guard_sync
from anam_conformance.port import Stall, Stalled


@pytest.fixture(autouse=True)
def _fresh() -> None:
    forget_stalls()


async def _never() -> None:
    await asyncio.Event().wait()


def test_an_await_that_never_returns_is_reported_as_a_stall_and_remembered() -> None:
    with pytest.raises(Stalled) as first:
        asyncio.run(guard_await("plugin", "start()", _never(), limit=0.05))
    assert first.value.stall == Stall("start()", "did not return within 0.05 s")
    began = time.monotonic()
    with pytest.raises(Stalled) as later:
        asyncio.run(guard_await("plugin", "wait_for_join()", _never(), limit=5))
    assert later.value.stall == first.value.stall and time.monotonic() - began < 1


def test_an_exit_is_refused_and_reported_as_a_stall() -> None:
    with pytest.raises(Stalled) as refused, guard_sync("plugin", "AvatarSession(...)"):
        raise SystemExit(3)
    assert str(refused.value) == "AvatarSession(...) tried to end the agent's process: raise SystemExit(3)"


def test_the_harness_fails_a_stalled_call_with_the_stall_as_its_cause() -> None:
    stall = Stall("start()", "blocked the event loop for 10 s")
    with pytest.raises(ClauseViolation, match=r"^start\(\) blocked the event loop for 10 s$"), stalls_fail():
        raise Stalled(stall)
