"""From test outcomes to clause outcomes, a verdict, a table and a JSON report.

Pure functions over plain records, so the same aggregation serves the terminal,
the JSON file and (under xdist) reports that arrive from other processes.

A clause's outcome, strongest first:

- ``fail``: a check of this clause saw the plugin violate it, or a check of
  another clause found one of this clause's premises broken (that premise is
  this clause's requirement, so it is evidence against it).
- ``error``: the suite itself could not judge a check (unreadable evidence, a
  crashed harness or driver). No verdict about the plugin is given then.
- ``pass``: at least one check ran and passed, and none failed or errored.
- ``blocked``: no check could judge this clause, because another clause failed
  first; the report names that clause.
- ``unimplemented``: the plugin lacks the optional surface the clause is about.
- ``skip``: nothing ran, which is not a pass either.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .clauses import CLAUSES, Clause, Level

TestOutcome = Literal["pass", "fail", "blocked", "unimplemented", "error", "skip"]
ClauseOutcome = TestOutcome
Verdict = Literal["conforming", "nonconforming", "error"]
OUTCOMES: tuple[ClauseOutcome, ...] = ("pass", "fail", "blocked", "unimplemented", "error", "skip")
#: Which outcome a clause takes when its checks ended differently, strongest first.
PRECEDENCE: tuple[ClauseOutcome, ...] = ("fail", "error", "pass", "blocked", "unimplemented")
#: How a clause's outcome reads to a person. A failed SHOULD is a ``warn``: it is reported
#: everywhere, but it leaves the verdict standing, so no output may show it as a red failure.
Status = Literal["pass", "fail", "warn", "blocked", "unimplemented", "error", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "warn", "blocked", "unimplemented", "error", "skip")
UNIMPLEMENTED_PREFIX = "unimplemented: "
SCHEMA_VERSION = 3
#: pytest's exit code for a run that gave no verdict about the plugin (its "internal error").
NO_VERDICT_EXIT = 3


@dataclass(frozen=True)
class TestRecord:
    nodeid: str
    clauses: tuple[str, ...]
    outcome: TestOutcome
    detail: str = ""
    #: For a ``blocked`` test: the clause whose premise did not hold.
    blocked_by: str | None = None


@dataclass
class ClauseResult:
    clause: Clause
    outcome: ClauseOutcome = "skip"
    tests: list[TestRecord] = field(default_factory=list)
    #: Premises of this clause that checks of other clauses found broken.
    premise_failures: list[TestRecord] = field(default_factory=list)
    applicable: bool = True

    @property
    def blocked_by(self) -> str | None:
        if self.outcome != "blocked":
            return None
        return next((t.blocked_by for t in self.tests if t.outcome == "blocked"), None)

    @property
    def detail(self) -> str:
        if self.outcome == "fail":
            own = next((t.detail for t in self.tests if t.outcome == "fail"), None)
            if own is not None:
                return own
            seen = self.premise_failures[0]
            premise = seen.detail.removeprefix(f"blocked by {self.clause.id}: ")
            return f"{premise} (a premise of {seen.nodeid})"
        if self.outcome == "blocked":
            found = next(t for t in self.tests if t.outcome == "blocked")
            return found.detail
        if self.outcome in ("error", "unimplemented"):
            return next((t.detail for t in self.tests if t.outcome == self.outcome), "")
        return ""


def status(level: str, outcome: str) -> Status:
    """What an outcome means for the verdict: only a MUST (or MAY-less) failure is a ``fail``."""
    if outcome == "fail" and level != Level.MUST.value:
        return "warn"
    return outcome  # type: ignore[return-value]


def clause_outcome(tests: Sequence[TestRecord], premise_failures: Sequence[TestRecord] = ()) -> ClauseOutcome:
    """The strongest outcome among the clause's checks; a broken premise of it is a failure."""
    outcomes = {t.outcome for t in tests}
    if premise_failures:
        outcomes.add("fail")
    return next((o for o in PRECEDENCE if o in outcomes), "skip")


def judge(records: Iterable[TestRecord], surface: Collection[str] | None = None) -> list[ClauseResult]:
    """Clause outcomes from test records; ``surface`` is the optional surface the plugin offers.

    A conditional clause (``applies_if``) whose surface the plugin does not
    offer is ``unimplemented`` and not applicable, whatever its tests did.
    """
    results = {c.id: ClauseResult(c) for c in CLAUSES}
    for record in records:
        for clause_id in record.clauses:
            results[clause_id].tests.append(record)
        if record.outcome == "blocked" and record.blocked_by in results:
            results[record.blocked_by].premise_failures.append(record)
    for result in results.values():
        condition = result.clause.applies_if
        if condition is not None and surface is not None and condition not in surface:
            result.applicable = False
            result.outcome = "unimplemented"
            result.tests.append(
                TestRecord(f"(surface) {condition}", (result.clause.id,), "unimplemented", f"no {condition}")
            )
            continue
        result.outcome = clause_outcome(result.tests, result.premise_failures)
    return list(results.values())


def verdict(results: Sequence[ClauseResult]) -> Verdict:
    """``error`` when the suite could not judge; else conforming iff every applicable MUST passes."""
    if any(r.outcome == "error" for r in results):
        return "error"
    musts = [r for r in results if r.clause.level is Level.MUST and r.applicable]
    return "conforming" if all(r.outcome == "pass" for r in musts) else "nonconforming"


def exit_code(results: Sequence[ClauseResult]) -> int:
    return {"conforming": 0, "nonconforming": 1, "error": NO_VERDICT_EXIT}[verdict(results)]


def as_json(plugin: dict[str, Any], results: Sequence[ClauseResult]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "plugin": plugin,
        "verdict": verdict(results),
        "clauses": [
            {
                "id": r.clause.id,
                "level": r.clause.level.value,
                "title": r.clause.title,
                "requirement": r.clause.requirement,
                "source": r.clause.source,
                "applicable": r.applicable,
                "outcome": r.outcome,
                "status": status(r.clause.level.value, r.outcome),
                "blocked_by": r.blocked_by,
                "detail": r.detail,
                "tests": [
                    {"nodeid": t.nodeid, "outcome": t.outcome, "detail": t.detail}
                    | ({"blocked_by": t.blocked_by} if t.blocked_by else {})
                    for t in r.tests
                ],
            }
            for r in results
        ],
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def table_lines(plugin: dict[str, Any], results: Sequence[ClauseResult]) -> list[str]:
    """The terminal table: one line a clause, its one-line detail, then the verdict."""
    width = max(len(r.clause.id) for r in results)
    lines = [f"plugin: {plugin['module']} {plugin.get('version') or '(no version)'}"]
    for r in results:
        line = f"{r.clause.id:<{width}}  {r.clause.level.value:<6}  {r.outcome:<13}"
        if r.detail:
            line += f"  {r.detail.splitlines()[0]}"
        lines.append(line.rstrip())
    counts = {o: sum(r.outcome == o for r in results) for o in OUTCOMES}
    summary = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    judged = verdict(results)
    if judged == "error":
        errors = [r for r in results if r.outcome == "error"]
        lines.append(f"verdict: error, no verdict about the plugin ({summary}): the suite could not judge")
        lines += [f"  {r.clause.id}: {r.detail.splitlines()[0] if r.detail else 'error'}" for r in errors]
    else:
        lines.append(f"verdict: {judged} ({summary})")
    return lines
