"""Expected outcomes per release, kept as data beside the suite.

Like web-platform-tests' expectation files: a release's file lists only what
is expected *not* to pass, plus the expected verdict; every clause it does not
name is expected to pass, so none is named ``pass``. So a known-nonconforming
old release keeps a matrix green, a regression turns it red, and an entry that
stopped being true is reported rather than silently kept. A release without a
file has no expectation: ``for_label`` refuses it (``MissingExpectation``)
rather than silently expecting every clause to pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clauses import BY_ID

OUTCOMES = ("pass", "fail", "blocked", "unimplemented", "skip")
#: The outcomes a file may name: only what differs from a pass.
LISTED = tuple(o for o in OUTCOMES if o != "pass")
#: A report with verdict "error" judged nothing: it never matches an expectation.
VERDICTS = ("conforming", "nonconforming")


class ExpectationError(ValueError):
    """An expectation file that cannot be read: names the file and the entry at fault."""


class MissingExpectation(ExpectationError):
    """No expectation file for a report's label."""

    def __init__(self, label: str, path: Path) -> None:
        super().__init__(f"no expectations for {label!r} (expected {path})")
        self.label = label
        self.path = path


@dataclass(frozen=True)
class Expectation:
    label: str
    verdict: str = "conforming"
    clauses: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None

    def outcome(self, clause_id: str) -> str:
        return self.clauses.get(clause_id, "pass")


@dataclass(frozen=True)
class Mismatch:
    """One place where a report differs from its expectation."""

    label: str
    what: str  # a clause id, or "verdict"
    expected: str
    actual: str

    @property
    def stale(self) -> bool:
        """The expectation no longer holds because things got better, not worse."""
        return self.actual in ("pass", "conforming", "not in the report")

    def __str__(self) -> str:
        kind = "expectation no longer holds" if self.stale else "unexpected"
        return f"{self.label}: {self.what}: expected {self.expected}; actual {self.actual} ({kind})"


def load(path: Path) -> Expectation:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ExpectationError(f"{path}: cannot read expectations: {error}") from None
    verdict = data.get("verdict", "conforming")
    if verdict not in VERDICTS:
        raise ExpectationError(f"{path}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    clauses = data.get("clauses", {})
    if not isinstance(clauses, dict):
        raise ExpectationError(f"{path}: [clauses] must be a table of clause id = outcome")
    for clause_id, outcome in clauses.items():
        if clause_id not in BY_ID:
            raise ExpectationError(f"{path}: unknown clause {clause_id!r}; known: {', '.join(sorted(BY_ID))}")
        if outcome == "pass":
            # An entry that says what is assumed anyway would outlive the outcome it once differed from.
            raise ExpectationError(
                f'{path}: clause {clause_id!r} = "pass": '
                "every clause not named is expected to pass; remove it"
            )
        if outcome not in OUTCOMES:
            raise ExpectationError(
                f"{path}: clause {clause_id!r}: outcome {outcome!r} is not one of {', '.join(LISTED)}"
            )
    return Expectation(path.stem, verdict, dict(clauses), path)


def for_label(directory: Path, label: str) -> Expectation:
    """The expectation of the report labelled ``label``: ``<directory>/<label>.toml``, which must exist."""
    path = directory / f"{label}.toml"
    if not path.exists():
        raise MissingExpectation(label, path)
    return load(path)


def compare(expectation: Expectation, report: Mapping[str, Any]) -> list[Mismatch]:
    label = expectation.label
    found: list[Mismatch] = []
    actual = {c["id"]: c["outcome"] for c in report["clauses"]}
    for clause_id, outcome in actual.items():
        if outcome != expectation.outcome(clause_id):
            found.append(Mismatch(label, clause_id, expectation.outcome(clause_id), outcome))
    for clause_id, expected in expectation.clauses.items():
        if clause_id not in actual:
            found.append(Mismatch(label, clause_id, expected, "not in the report"))
    if report["verdict"] != expectation.verdict:
        found.append(Mismatch(label, "verdict", expectation.verdict, report["verdict"]))
    return found
