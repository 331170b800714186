"""What a check's end means for the verdict, and how pytest is told it.

A check ends in one of three ways (:mod:`anam_conformance.assertions`): a
``ClauseViolation`` (the plugin broke this clause), ``Blocked`` (a premise
another clause owns does not hold) or anything else, the suite's own error.
Around the check's setup and call, a violation becomes pytest's own failure
without a traceback (``pytest.fail(..., pytrace=False)``: a hundred blocked
checks must not cost a hundred formatted tracebacks nobody reads), and a
blocked check pytest's skip, its "precondition not met": pytest's FAILED lines
are then exactly the checks that saw the plugin break their clause, or the
suite's own errors. ``-v`` or an explicit ``--tb`` keep pytest's traceback.

The classification travels on the report as a user property (so an xdist
controller reads what its workers saw), and a failed SHOULD check reads as
``warned``: pytest's form for a known non-fatal failure, an xfail, named so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .. import report as reporting
from ..assertions import NOTE_PROPERTY, Blocked, ClauseViolation, SuiteError
from ..clauses import Level, clause
from ..port.facts import Undrivable
from .collection import CLAUSE_PROPERTY, GATE_PROPERTY, property_of

#: The user property that carries a check's classification on its report.
FAILURE_PROPERTY = "anam_failure"
#: How a failed SHOULD check's reason starts (pytest's xfail reason, its JUnit ``skipped`` message).
WARN_PREFIX = "warn: SHOULD not met, the verdict stands: "


@dataclass(frozen=True)
class Classified:
    """A check that did not pass: its outcome, its one-line cause first, the clause that blocked it."""

    outcome: reporting.TestOutcome
    detail: str
    blocked_by: str | None = None

    @property
    def first_line(self) -> str:
        return self.detail.splitlines()[0]

    def as_property(self) -> tuple[str, str, str | None]:
        """As a report carries it: plain values, which xdist sends from worker to controller."""
        return self.outcome, self.detail, self.blocked_by

    @classmethod
    def on(cls, report: pytest.TestReport) -> Classified | None:
        found: Any = property_of(report, FAILURE_PROPERTY)
        return None if found is None else cls(found[0], str(found[1]), found[2])


#: Each phase's classification, from the wrapper around it to the report made of it.
CLASSIFIED_KEY = pytest.StashKey[dict[str, Classified]]()


def _leaves(error: BaseException) -> list[BaseException]:
    """An exception group's leaves (hypothesis raises one when examples fail in distinct ways)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def classify(error: BaseException) -> Classified:
    """What a raised exception means for the verdict.

    A clause violation is the plugin's failure; a blocked premise names the clause
    that owns it; anything else (evidence that cannot be read, a harness or driver
    that crashed, a bug in a check) is the suite's error, never the plugin's.
    """
    leaves = _leaves(error)
    violation = next((e for e in leaves if isinstance(e, ClauseViolation)), None)
    if violation is not None:
        # hypothesis adds the falsifying example as a note: the input a maintainer replays.
        notes = [
            str(n) for n in getattr(violation, "__notes__", None) or getattr(error, "__notes__", None) or []
        ]
        return Classified("fail", "\n".join([str(violation), *notes]))
    blocked = next((e for e in leaves if isinstance(e, Blocked)), None)
    if blocked is not None:
        return Classified("blocked", str(blocked), str(blocked.by))
    first = leaves[0]
    if isinstance(first, SuiteError | Undrivable):
        return Classified("error", f"{type(first).__name__}: {first}")
    return Classified("error", f"the suite crashed: {type(first).__name__}: {first}")


def asked_for_details(item: pytest.Item) -> bool:
    """``-v`` or an explicit ``--tb``: show a violation with pytest's traceback, as pytest would."""
    option = item.config.option
    return bool(option.verbose > 0 or option.tbstyle not in ("auto", "no") or option.fulltrace)


def decides_verdict(item: pytest.Item) -> bool:
    """A check of at least one MUST clause: its failure makes the plugin nonconforming."""
    ids: Any = property_of(item, CLAUSE_PROPERTY, ())
    return any(clause(i).level is Level.MUST for i in ids)


def _concise(classified: Classified, item: pytest.Item) -> bool:
    """Whether pytest is told the outcome alone: a violation (unless details are asked) or a block."""
    return classified.outcome == "blocked" or (classified.outcome == "fail" and not asked_for_details(item))


def forget(item: pytest.Item, when: str) -> None:
    """A phase run again (a rerun) is classified afresh."""
    item.stash.get(CLASSIFIED_KEY, {}).pop(when, None)


def translated(item: pytest.Item, when: str, error: BaseException) -> BaseException:
    """What a check's setup or call raises to pytest instead of ``error`` (itself, where pytest's
    own report of it is the one wanted), its classification kept for the report."""
    if isinstance(error, pytest.skip.Exception | pytest.exit.Exception | KeyboardInterrupt):
        return error
    classified = classify(error)
    item.stash.setdefault(CLASSIFIED_KEY, {})[when] = classified
    if not _concise(classified, item):
        return error
    if classified.outcome == "blocked":
        return pytest.skip.Exception(classified.first_line)
    return pytest.fail.Exception(classified.detail, pytrace=False)


def finish(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """The report of a check that did not pass: its classification, and its face in pytest's outputs."""
    if call.excinfo is None:
        return
    classified = item.stash.get(CLASSIFIED_KEY, {}).get(call.when)
    if classified is None:
        if call.excinfo.errisinstance(pytest.skip.Exception):
            return
        classified = classify(call.excinfo.value)
    path, line, _ = item.reportinfo()
    where = (str(path), (line or 0) + 1)
    if _concise(classified, item) and call.when in ("setup", "call"):
        # The outcome and its cause alone: no captured output, no traceback, the check's location.
        report.sections = []
        report.longrepr = (
            (*where, f"Skipped: {classified.first_line}") if report.skipped else classified.detail
        )
    if report.failed or classified.outcome == "blocked":
        report.user_properties.append((FAILURE_PROPERTY, classified.as_property()))
    if report.failed and classified.outcome == "fail" and not decides_verdict(item):
        # A SHOULD the plugin does not meet: reported everywhere, never a red result. pytest's
        # own form for a known non-fatal failure is xfail (JUnit: <skipped type="pytest.xfail">).
        report.outcome = "skipped"
        if _concise(classified, item) and call.when in ("setup", "call"):
            report.longrepr = (*where, f"{WARN_PREFIX}{classified.first_line}")
        report.wasxfail = f"{WARN_PREFIX}{classified.first_line}"


def warned(report: pytest.TestReport) -> bool:
    """A failed SHOULD check: reported as a skip, classified as the plugin's failure."""
    classified = Classified.on(report)
    return bool(report.skipped and classified is not None and classified.outcome == "fail")


def test_outcome(report: pytest.TestReport) -> Classified:
    """The check's outcome for the verdict, from its report alone (a worker's, under xdist)."""
    classified = Classified.on(report)
    if classified is not None:
        return classified
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        return Classified("error", f"the suite crashed: {message.strip() or 'failed'}")
    if report.skipped:
        gated: Any = property_of(report, GATE_PROPERTY)
        if gated is not None:
            return Classified(gated[0], str(gated[1]))
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        return Classified("skip", reason.removeprefix("Skipped: "))
    notes = [str(v) for k, v in report.user_properties if k == NOTE_PROPERTY]
    return Classified("pass", "\n".join(dict.fromkeys(notes)))
