"""A watchdog around every call the driver makes into the plugin.

A plugin runs inside the suite's process and event loop, so a plugin that
blocks the loop (``time.sleep``, a busy loop) or awaits forever would hang the
run, and one that ends the process would leave no verdict. Each driven call is
therefore guarded, and a call that stalls is stopped and reported through the
port as :class:`~anam_conformance.port.facts.Stalled` (the harness fails the test
that made it, for that test's own clause, the stall its cause):

- a blocked loop: ``SIGALRM`` fires after :data:`STALL_LIMIT` seconds unless the
  loop's own heartbeat re-armed it, and raises inside the blocked code (as
  pytest-timeout's signal method does); main thread on POSIX only;
- an await that never returns: the call runs as a task given
  :data:`STALL_LIMIT` seconds, then cancelled and abandoned;
- ``os._exit()`` / ``sys.exit()`` during the call: refused, and reported as a stall.

A plugin stalled once is stalled for every later call in the process: the
property tests start it hundreds of times, and each would wait the full limit.

The limit: one whole driven start (the double on loopback, the constructors,
``start()``, ``wait_for_join()``, ``aclose()``) measured over 200 starts of the
reference on the 2-core machine with both cores busy: median 22 ms, p99
46-330 ms, slowest 0.83 s, first of a process 50-60 ms. 10 s is 12x the
slowest and 450x the median, and with one stall per process a plugin that
blocks ``start()`` has its verdict in about a minute end to end.
``anam-conformance`` remains the guarantee for what no guard in the process can
catch (a plugin that kills it, or blocks inside C code).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Iterator
from types import FrameType
from typing import Any, NoReturn, TypeVar

from ..port.facts import Stall, Stalled

T = TypeVar("T")

#: Seconds a driven call may block the loop, or take in all, before it is stopped.
STALL_LIMIT = 10.0
#: Seconds a stopped call gets to honour its cancellation before it is abandoned.
CANCEL_GRACE = 0.5

#: The first stall of each plugin module in this process; later calls are stopped with it at once.
_stalled: dict[str, Stall] = {}


class _LoopBlocked(BaseException):
    """Raised inside the blocked code; not an ``Exception``, so a plugin's handler cannot swallow it."""


class _ExitRefused(BaseException):
    """Raised where the plugin called ``os._exit``/``sys.exit``; not an ``Exception`` either."""


def _stop(stall: Stall) -> NoReturn:
    # One place raises every stall, so hypothesis sees the same failure each time it replays one.
    raise Stalled(stall)


def forget_stalls() -> None:
    """For the project's own tests: judge a plugin afresh."""
    _stalled.clear()


class _Guard:
    """What happened during one guarded call: a blocked loop, an attempt to exit."""

    def __init__(self, plugin: str, call: str, limit: float) -> None:
        self.plugin, self.call, self.limit = plugin, call, limit
        self.blocked = False
        self.armed = False
        self.exits: list[str] = []

    def on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.blocked = True
            raise _LoopBlocked

    def refuse(self, name: str) -> Any:
        def refused(*args: object) -> NoReturn:
            self.exits.append(f"{name}({', '.join(map(repr, args))})")
            raise _ExitRefused

        return refused

    def report(self) -> None:
        """Stop the call for what the guard saw, remembering a stall for the plugin's later calls."""
        if self.blocked:
            stall = Stall(self.call, f"blocked the event loop for {self.limit:g} s")
            _stalled.setdefault(self.plugin, stall)
            _stop(stall)
        if self.exits:
            _stop(Stall(self.call, f"tried to end the agent's process: {self.exits[0]}"))


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _guarded(plugin: str, call: str, limit: float) -> Iterator[_Guard]:
    if plugin in _stalled:
        _stop(_stalled[plugin])
    guard = _Guard(plugin, call, limit)
    exits = os._exit, sys.exit
    os._exit, sys.exit = guard.refuse("os._exit"), guard.refuse("sys.exit")
    alarm = _can_alarm() and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # never take over another's timer
    previous: Any = signal.signal(signal.SIGALRM, guard.on_alarm) if alarm else None
    heartbeat: asyncio.TimerHandle | None = None
    if alarm:
        loop = _running_loop()

        def beat() -> None:
            # The loop is turning: the plugin is awaiting, not blocking. Re-arm the alarm.
            nonlocal heartbeat
            signal.setitimer(signal.ITIMER_REAL, limit)
            if loop is not None:
                heartbeat = loop.call_later(limit / 4, beat)

        guard.armed = True
        beat()
    try:
        yield guard
    except _LoopBlocked:
        pass  # guard.blocked says so
    except _ExitRefused:
        pass  # guard.exits says so
    except SystemExit as exit_:
        guard.exits.append(f"raise SystemExit({exit_.code!r})")
    finally:
        guard.armed = False
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        if heartbeat is not None:
            heartbeat.cancel()
        os._exit, sys.exit = exits
    guard.report()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@contextlib.contextmanager
def guard_sync(plugin: str, call: str, limit: float = STALL_LIMIT) -> Iterator[None]:
    """Guard synchronous plugin code (constructors): a blocked loop or an exit stops the call."""
    with _guarded(plugin, call, limit):
        yield


async def guard_await(plugin: str, call: str, awaitable: Awaitable[T], limit: float = STALL_LIMIT) -> T:
    """Await a plugin coroutine as a task given ``limit`` seconds, with the loop and exits guarded."""
    if plugin in _stalled:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()  # never started: no "coroutine was never awaited" warning
        _stop(_stalled[plugin])
    task = asyncio.ensure_future(awaitable)
    stall: Stall | None = None
    try:
        with _guarded(plugin, call, limit):
            done, _ = await asyncio.wait({task}, timeout=limit)
            if not done:
                task.cancel()
                await asyncio.wait({task}, timeout=CANCEL_GRACE)  # one that ignores cancellation is left
                stall = Stall(call, f"did not return within {limit:g} s")
                _stalled.setdefault(plugin, stall)
    finally:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved here: the guard has judged it, asyncio need not log it
    if stall is not None:
        _stop(stall)
    return task.result()  # a stall or an exit has already stopped the call, as the guard ended
