"""Failure messages the clause report can quote in one line."""

from __future__ import annotations

from typing import NoReturn


class ClauseViolation(AssertionError):
    """The plugin did not do what a clause requires."""


def violation(expected: str, actual: str) -> NoReturn:
    raise ClauseViolation(f"expected {expected}; actual {actual}")


def expect(condition: bool, *, expected: str, actual: str) -> None:
    """Fail with ``expected ...; actual ...`` so the report reads as a sentence."""
    if not condition:
        violation(expected, actual)
