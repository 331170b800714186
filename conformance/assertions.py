"""How a check ends when it does not pass: a violation, a blocked premise, or the suite's own error.

A verdict is only trusted if each failure is something the maintainer must fix,
so a check distinguishes three ways of not passing (as web-platform-tests
separates FAIL from PRECONDITION_FAILED, and Bowtie an implementation that
*failed* from one that *errored*):

- :class:`ClauseViolation`: the plugin broke the clause the check is about (``fail``).
- :class:`Blocked`: a premise of the check, owned by another clause, does not
  hold, so this clause cannot be judged here (``blocked by <clause>``). The
  premise is itself evidence against the clause that owns it.
- :class:`SuiteError`: the suite could not judge at all (unreadable evidence,
  a harness that crashed): ``error``, never blamed on the plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

from .clauses import ClauseId


class ClauseViolation(AssertionError):
    """The plugin did not do what a clause requires."""


class Blocked(Exception):
    """A premise owned by clause ``by`` does not hold, so this check cannot judge its own clause.

    ``by`` is checked here, where the premise is raised: a blame naming no clause is the suite's
    own error at once (a ``ValueError``), never a blocked check counted against nobody.
    """

    def __init__(self, by: ClauseId, premise: str) -> None:
        self.by = ClauseId(by)
        super().__init__(f"blocked by {self.by}: {premise}")
        self.premise = premise


class SuiteError(Exception):
    """The suite itself could not judge: the plugin is neither passed nor failed."""


class EvidenceError(SuiteError):
    """A file of the suite's evidence (cassette, snapshot, expectation) is missing or unreadable."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _sentence(expected: str, actual: str, evidence: str) -> str:
    """``expected ...; actual ...`` reads as a sentence on the report's line; the evidence goes below it."""
    return f"expected {expected}; actual {actual}" + (f"\n{evidence}" if evidence else "")


#: The user property that carries a check's notes to its report.
NOTE_PROPERTY = "anam_note"


def note(item: pytest.Item, text: str) -> None:
    """Report ``text`` with the check's outcome without changing it.

    For what the check sees but the contract leaves to the implementation (a
    token's display name, its lifetime): a maintainer reads it, and nothing is
    to be fixed, so it never fails the clause.
    """
    item.user_properties.append((NOTE_PROPERTY, text))


def violation(expected: str, actual: str, evidence: str = "") -> NoReturn:
    raise ClauseViolation(_sentence(expected, actual, evidence))


def nothing_judged(reason: str) -> NoReturn:
    """The check drew no example it judges for this plugin: it says nothing of its clause.

    Neither a pass on nothing nor a fault: the check reads as a ``skip`` with ``reason``, in
    every output, as one the gate left out (:mod:`anam_conformance.gating`) does. The one way
    a running check ends without a verdict of its own.
    """
    pytest.skip(reason)


def expect(condition: bool, *, expected: str, actual: str, evidence: str = "") -> None:
    """Fail with ``expected ...; actual ...``, and ``evidence`` (the requests in full) below it."""
    if not condition:
        violation(expected, actual, evidence)


def require(condition: bool, *, by: ClauseId, expected: str, actual: str, evidence: str = "") -> None:
    """A premise of this check that clause ``by`` owns: if it does not hold, the check is blocked."""
    if not condition:
        raise Blocked(by, _sentence(expected, actual, evidence))
