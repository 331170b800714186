"""From test outcomes to clause outcomes, a verdict, a table and a JSON report.

Pure functions over plain records, so the same aggregation serves the terminal,
the JSON file and (under xdist) reports that arrive from other processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .clauses import CLAUSES, Clause, Level

TestOutcome = Literal["pass", "fail", "unimplemented", "skip"]
ClauseOutcome = Literal["pass", "fail", "unimplemented", "skip"]
UNIMPLEMENTED_PREFIX = "unimplemented: "
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TestRecord:
    nodeid: str
    clauses: tuple[str, ...]
    outcome: TestOutcome
    detail: str = ""


@dataclass
class ClauseResult:
    clause: Clause
    outcome: ClauseOutcome = "skip"
    tests: list[TestRecord] = field(default_factory=list)

    @property
    def detail(self) -> str:
        failing = [t for t in self.tests if t.outcome == "fail"]
        if failing:
            return failing[0].detail
        unimplemented = [t for t in self.tests if t.outcome == "unimplemented"]
        if self.outcome == "unimplemented" and unimplemented:
            return unimplemented[0].detail
        return ""


def clause_outcome(tests: Sequence[TestRecord]) -> ClauseOutcome:
    """A failure anywhere fails the clause; a pass needs at least one test that ran.

    Tests that the plugin cannot take (no ``SessionOptions``, no ``DirectorNotes``)
    do not make a clause pass on their own: with nothing else run it is
    ``unimplemented``, and a clause no test ran at all is ``skip``, which is not
    a pass either.
    """
    outcomes = {t.outcome for t in tests}
    precedence: tuple[ClauseOutcome, ...] = ("fail", "pass", "unimplemented")
    return next((o for o in precedence if o in outcomes), "skip")


def judge(records: Iterable[TestRecord]) -> list[ClauseResult]:
    results = {c.id: ClauseResult(c) for c in CLAUSES}
    for record in records:
        for clause_id in record.clauses:
            results[clause_id].tests.append(record)
    for result in results.values():
        result.outcome = clause_outcome(result.tests)
    return list(results.values())


def verdict(results: Sequence[ClauseResult]) -> Literal["conforming", "nonconforming"]:
    musts = [r for r in results if r.clause.level is Level.MUST]
    return "conforming" if all(r.outcome == "pass" for r in musts) else "nonconforming"


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
                "outcome": r.outcome,
                "detail": r.detail,
                "tests": [{"nodeid": t.nodeid, "outcome": t.outcome} for t in r.tests],
            }
            for r in results
        ],
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def table_lines(plugin: dict[str, Any], results: Sequence[ClauseResult]) -> list[str]:
    width = max(len(r.clause.id) for r in results)
    lines = [f"plugin: {plugin['module']} {plugin.get('version') or '(no version)'}"]
    for r in results:
        line = f"{r.clause.id:<{width}}  {r.clause.level.value:<6}  {r.outcome:<13}"
        if r.detail:
            line += f"  {r.detail}"
        lines.append(line.rstrip())
    counts = {o: sum(r.outcome == o for r in results) for o in ("pass", "fail", "unimplemented", "skip")}
    summary = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    lines.append(f"verdict: {verdict(results)} ({summary})")
    return lines
