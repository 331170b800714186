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
- ``skip``: its checks were selected but skipped (for a capability another check
  offers, say), so nothing judged it, which is not a pass either.
- ``not-run``: none of its checks was selected (``-k``, ``-m``, node ids): the run
  is *partial*, and the clause is out of its verdict, neither for nor against.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .clauses import BY_ID, CLAUSES, Clause, ClauseId, Level, presupposed

TestOutcome = Literal["pass", "fail", "blocked", "unimplemented", "error", "skip"]
#: A clause's outcome: a check's, or ``not-run`` when no check of the clause was selected.
ClauseOutcome = Literal["pass", "fail", "blocked", "unimplemented", "error", "skip", "not-run"]
Verdict = Literal["conforming", "nonconforming", "error"]
NOT_RUN: ClauseOutcome = "not-run"
OUTCOMES: tuple[ClauseOutcome, ...] = ("pass", "fail", "blocked", "unimplemented", "error", "skip", NOT_RUN)
#: Which outcome a clause takes when its checks ended differently, strongest first.
PRECEDENCE: tuple[ClauseOutcome, ...] = ("fail", "error", "pass", "blocked", "unimplemented")
#: How a clause's outcome reads to a person. A failed SHOULD is a ``warn``: it is reported
#: everywhere, but it leaves the verdict standing, so no output may show it as a red failure.
Status = Literal["pass", "fail", "warn", "blocked", "unimplemented", "error", "skip", "not-run"]
STATUSES: tuple[Status, ...] = (
    "pass",
    "fail",
    "warn",
    "blocked",
    "unimplemented",
    "error",
    "skip",
    "not-run",
)
#: How a status is written for a person where it differs from its name in the JSON report.
LABELS: dict[str, str] = {"not-run": "not run"}
#: Why a clause is ``not-run``: its detail, in every output.
NOT_RUN_DETAIL = "none of its checks was selected (a partial run): out of the verdict"
UNIMPLEMENTED_PREFIX = "unimplemented: "
#: The JSON report's shape (``conformance/data/report.schema.json``; its changelog is
#: docs/report-schema.md): any change a reader could notice raises it.
SCHEMA_VERSION = 4
#: The JSON Schema of the report, in the package's data (it ships in the wheel).
SCHEMA_FILE = "data/report.schema.json"
#: pytest's exit code for a run that gave no verdict about the plugin (its "internal error").
NO_VERDICT_EXIT = 3


@dataclass(frozen=True)
class TestRecord:
    nodeid: str
    clauses: tuple[ClauseId, ...]
    outcome: TestOutcome
    detail: str = ""
    #: For a ``blocked`` test: the clause whose premise did not hold.
    blocked_by: ClauseId | None = None
    #: The check's place in the collected suite: reports are read in this order.
    order: int = 0

    @classmethod
    def received(
        cls,
        nodeid: str,
        clauses: Iterable[str],
        outcome: TestOutcome,
        detail: str = "",
        blocked_by: str | None = None,
        order: int = 0,
    ) -> TestRecord:
        """A record from a test report's plain strings (xdist carries no enum between processes).

        A blame naming no clause is the suite's error, not a blocked check nobody would answer for.
        """
        ids = tuple(ClauseId(c) for c in clauses)
        if blocked_by is not None and blocked_by not in BY_ID:
            return cls(nodeid, ids, "error", unknown_blame(blocked_by, detail), None, order)
        return cls(nodeid, ids, outcome, detail, None if blocked_by is None else ClauseId(blocked_by), order)


def unknown_blame(blocked_by: str, detail: str) -> str:
    """The suite's error for a check blocked by a clause the registry does not have."""
    return f"the suite blamed an unknown clause {blocked_by!r}: {detail}"


@dataclass
class ClauseResult:
    clause: Clause
    outcome: ClauseOutcome = "skip"
    tests: list[TestRecord] = field(default_factory=list)
    #: Premises of this clause that checks of other clauses found broken.
    premise_failures: list[TestRecord] = field(default_factory=list)
    applicable: bool = True

    @property
    def blocked_by(self) -> ClauseId | None:
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
        if self.outcome == NOT_RUN:
            return NOT_RUN_DETAIL
        if self.outcome == "pass":
            # The notes of the passing checks: what they saw and the contract leaves open.
            notes = (line for t in self.tests if t.outcome == "pass" for line in t.detail.splitlines())
            return "\n".join(dict.fromkeys(notes))
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


def judge(
    records: Iterable[TestRecord],
    surface: Collection[str] | None = None,
    selected: Collection[str] | None = None,
) -> list[ClauseResult]:
    """Clause outcomes from test records; ``surface`` is the optional surface the plugin offers.

    A conditional clause (``applies_if``) whose surface the plugin does not
    offer is ``unimplemented`` and not applicable, whatever its tests did. A
    clause with no record is ``not-run`` when no check of it was selected
    (``selected``: the clauses the selection gave a check, when known), and
    ``skip`` when one was but never reported.
    """
    results = {c.id: ClauseResult(c) for c in CLAUSES}
    # In the suite's order, not arrival order: under xdist reports arrive as the workers finish,
    # and a clause's detail (its first failing check's) must not depend on which worker was faster.
    for record in sorted((checked_blame(r) for r in records), key=lambda r: (r.order, r.nodeid)):
        for clause_id in record.clauses:
            results[clause_id].tests.append(record)
        if record.outcome == "blocked" and record.blocked_by is not None:
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
        if not (result.tests or result.premise_failures) and (
            selected is None or result.clause.id not in selected
        ):
            # No check of the clause was selected: a partial run, which says nothing of it.
            result.outcome = NOT_RUN
            continue
        result.outcome = clause_outcome(result.tests, result.premise_failures)
    return list(results.values())


def checked_blame(record: TestRecord) -> TestRecord:
    """``record``, or the suite's error when it is blocked by no clause the registry has.

    A blocked check counts against the clause that blocked it: one naming an unknown clause
    would count against nobody, and its own clause would read as merely blocked. A blame the
    premise graph does not declare counts against a clause for a premise it was never given,
    so it is the suite's error too, and the graph and the checks cannot drift apart.
    """
    if record.outcome != "blocked":
        return record
    if record.blocked_by is None or record.blocked_by not in BY_ID:
        return replace(record, outcome="error", detail=unknown_blame(str(record.blocked_by), record.detail))
    if record.blocked_by not in presupposed(record.clauses):
        return replace(record, outcome="error", detail=undeclared_blame(record))
    return record


def undeclared_blame(record: TestRecord) -> str:
    """The suite's error for a blame the premise graph does not declare (``Clause.presupposes``)."""
    judged = ", ".join(record.clauses)
    return f"the suite blamed {record.blocked_by}, which {judged} does not presuppose: {record.detail}"


def not_run(results: Sequence[ClauseResult]) -> int:
    """How many clauses had none of their checks selected."""
    return sum(r.outcome == NOT_RUN for r in results)


def partial(results: Sequence[ClauseResult]) -> bool:
    """A selection (``-k``, ``-m``, node ids) left some clause without any check: a partial run."""
    return not_run(results) > 0


def judged_nothing(results: Sequence[ClauseResult]) -> bool:
    """Every selected check was skipped: a selection that judged nothing gives no verdict."""
    return all(r.outcome in ("skip", NOT_RUN) or not r.applicable for r in results)


def verdict(results: Sequence[ClauseResult]) -> Verdict:
    """``error`` when the suite could not judge; else conforming iff every applicable MUST passes.

    A clause not run is out of the verdict: a partial run is conforming *so far* when every
    applicable MUST clause that ran passes (see :func:`partial`).
    """
    if any(r.outcome == "error" for r in results) or judged_nothing(results):
        return "error"
    musts = [r for r in results if r.clause.level is Level.MUST and r.applicable and r.outcome != NOT_RUN]
    return "conforming" if all(r.outcome == "pass" for r in musts) else "nonconforming"


def exit_code(results: Sequence[ClauseResult]) -> int:
    return {"conforming": 0, "nonconforming": 1, "error": NO_VERDICT_EXIT}[verdict(results)]


#: A loopback address with the port the Anam double happened to get: one run's accident.
LOOPBACK = re.compile(r"\b(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\]):\d+")


def stable(text: str) -> str:
    """``text`` without what differs between two runs of the same implementation (loopback ports)."""
    return LOOPBACK.sub(r"\1://\2:PORT", text)


def as_json(
    plugin: Mapping[str, Any],
    results: Sequence[ClauseResult],
    suite: Mapping[str, Any] | None = None,
    run: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report as written: two runs of the same implementation give the same bytes.

    ``suite`` is what judged (:func:`suite_block`) and ``run`` how (the hypothesis settings);
    the schema requires both, so only a caller that never writes the report (a test of the
    aggregation) leaves them out.
    """
    judged_by = {"suite": dict(suite)} if suite is not None else {}
    how = {"run": dict(run)} if run is not None else {}
    return {
        "schema": SCHEMA_VERSION,
        **judged_by,
        **how,
        "plugin": dict(plugin),
        "verdict": verdict(results),
        # True when some clause had none of its checks selected (its outcome is ``not-run``).
        "partial": partial(results),
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
                "detail": stable(r.detail),
                "tests": [
                    {"nodeid": t.nodeid, "outcome": t.outcome, "detail": stable(t.detail)}
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


#: The suite's distribution, as its metadata names it.
DISTRIBUTION = "anam-conformance"


def suite_block(version: str | None, commit: str | None = None, dirty: bool | None = None) -> dict[str, Any]:
    """The report's ``suite`` block: the suite's version, and the commit of the checkout it was
    installed from (editable) with whether tracked files differ from it; a wheel has no commit."""
    return {
        "name": DISTRIBUTION,
        "version": version,
        "commit": commit,
        "dirty": dirty if commit is not None else None,
    }


def report_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) every report written matches, from the package's data."""
    data = resources.files(__package__ or "anam_conformance").joinpath(SCHEMA_FILE)
    schema: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return schema


def schema_problems(report: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> list[str]:
    """Where ``report`` breaks the report's schema, one line each (``$.plugin: ...``); none when it
    matches."""
    import jsonschema  # only where a report is checked: the project's own tests, a reader

    validator = jsonschema.Draft202012Validator(schema if schema is not None else report_schema())
    found = sorted(validator.iter_errors(report), key=lambda e: [str(p) for p in e.absolute_path])
    return [_clip(f"{e.json_path}: {e.message}", 300) for e in found]


#: Options naming a file the run writes (its folders are made): checked before anything runs.
OUTPUT_OPTIONS = (
    "--conformance-report",
    "--conformance-junit",
    "--conformance-markdown",
    "--junitxml",
    "--junit-xml",
)
#: Options naming a folder of evidence the run reads.
INPUT_OPTIONS = {
    "--conformance-snapshots": "request snapshots",
    "--conformance-cassettes": "cassettes",
}


def unwritable(path: Path) -> str | None:
    """Why a report could not be written at ``path``, or None: tried, not guessed from permission
    bits (root passes every ``os.access`` check, and a folder under /proc cannot be made). The
    folders it needs are made now, as the writer would make them; the file itself is not touched."""
    if path.is_dir():
        return "a directory, not a file: name the file to write"
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"{blocking} is not a directory"
    try:
        if path.exists():
            with path.open("a", encoding="utf-8"):
                return None
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            return None
    except OSError as error:
        return f"cannot be written: {error.strerror or error}"


def unreadable_folder(path: Path, kind: str) -> str | None:
    """Why ``path`` is not a folder of evidence to read, or None."""
    if path.is_dir():
        return None
    return f"not a directory of {kind}" if path.exists() else f"no such directory of {kind}"


def path_problem(option: str, value: str, base: Path | None = None) -> str | None:
    """One line saying why ``option=value`` cannot be used (relative to ``base``), or None."""
    path = Path(base or ".", value)
    if option in OUTPUT_OPTIONS:
        problem = unwritable(path)
    elif option in INPUT_OPTIONS:
        problem = unreadable_folder(path, INPUT_OPTIONS[option])
    else:
        return None
    return None if problem is None else f"{option}={value}: {problem}"


def plugin_label(plugin: Mapping[str, Any]) -> str:
    """``livekit.plugins.anam 1.8.9``; an ``npm:`` spec already names its version."""
    module, version = str(plugin.get("module", "?")), plugin.get("version")
    if not version:
        return f"{module} (no version)"
    return module if module.endswith(f"@{version}") else f"{module} {version}"


def label(status_name: str) -> str:
    """A status as a person reads it (``not run`` for ``not-run``)."""
    return LABELS.get(status_name, status_name)


def tally(statuses: Sequence[str], order: Sequence[str] = STATUSES) -> str:
    """``22 pass, 3 warn``, or ``1 pass; 24 not run, none of their checks selected``.

    What was judged first, in ``order`` (then any status it does not name, as first seen);
    the clauses not run after a semicolon, since they are out of the verdict.
    """
    named = [s for s in dict.fromkeys([*order, *statuses]) if s in statuses and s != NOT_RUN]
    judged = ", ".join(f"{statuses.count(s)} {label(s)}" for s in named)
    missing = statuses.count(NOT_RUN)
    if not missing:
        return judged
    left_out = f"{missing} {label(NOT_RUN)}, none of their checks selected"
    return f"{judged}; {left_out}" if judged else left_out


def counts(results: Sequence[ClauseResult]) -> str:
    """``22 pass, 3 warn``: how many clauses read as each status (see :func:`tally`)."""
    return tally([status(r.clause.level.value, r.outcome) for r in results])


#: What the verdict line says of a judge that was not sandboxed (docs/isolation.md): a verdict
#: the judged code could have reached is never shown as if it could not.
ISOLATION_NOTES = {
    "process": "judged in a plain process, not sandboxed",
    "in-process": "NOT isolated: the plugin ran inside the judge's own process",
}


def isolation_note(plugin: Mapping[str, Any]) -> str:
    """What the verdict line adds for the report's isolation level; nothing for the sandbox."""
    return ISOLATION_NOTES.get(str(plugin.get("isolation", "")), "")


def verdict_line(results: Sequence[ClauseResult], plugin: Mapping[str, Any] | None = None) -> str:
    """The one line every output ends with: the verdict, what it rests on, what it leaves standing,
    and how far the judged code was from the judge when that was not the sandbox."""
    judged = verdict(results)
    tallied = counts(results)
    isolation = isolation_note(plugin or {})
    suffix = f" [{isolation}]" if isolation else ""
    if judged == "error":
        if judged_nothing(results):
            return f"verdict: error, no verdict ({tallied}): every selected check was skipped{suffix}"
        return f"verdict: error, no verdict about the plugin ({tallied}): the suite could not judge{suffix}"
    warned = sum(status(r.clause.level.value, r.outcome) == "warn" for r in results)
    note = "; a warn is a SHOULD not met, which leaves the verdict standing" if warned else ""
    return f"verdict: {verdict_words(judged, partial(results))} ({tallied}){note}{suffix}"


def verdict_words(judged: str, is_partial: bool) -> str:
    """``conforming``; of a partial run, ``partial, conforming so far`` or ``partial, nonconforming``
    (a MUST that ran and failed is a fault whatever was left out)."""
    if not is_partial or judged not in ("conforming", "nonconforming"):
        return judged
    return "partial, conforming so far" if judged == "conforming" else "partial, nonconforming"


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def table_lines(
    plugin: Mapping[str, Any],
    results: Sequence[ClauseResult],
    width: int | None = None,
    verbose: bool = False,
) -> list[str]:
    """The terminal table, then a line for each clause that is not a pass, then the verdict.

    Concise by default: a line a clause, and one short line (clipped to ``width``) for each
    clause a maintainer must look at. ``verbose`` gives every detail in full, its evidence below.
    """
    id_width = max(len(r.clause.id) for r in results)
    lines = [f"plugin: {plugin_label(plugin)}"]
    for r in results:
        shown = label(status(r.clause.level.value, r.outcome))
        lines.append(f"{r.clause.id:<{id_width}}  {r.clause.level.value:<6}  {shown}")
    noted = [r for r in results if r.outcome in ("fail", "blocked", "error") and r.detail]
    if noted:
        lines.append("")
    for r in noted:
        head = f"{status(r.clause.level.value, r.outcome):<7}  {r.clause.id}: "
        detail = stable(r.detail)
        if verbose:
            first, *rest = detail.splitlines() or [""]
            lines.append(head + first)
            lines += [f"    {line}" for line in rest]
        else:
            lines.append(_clip(head + (detail.splitlines() or [""])[0], width))
    lines.append(verdict_line(results, plugin))
    return lines
