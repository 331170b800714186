"""Which collected tests are the suite's checks, which clauses each judges, and which can run here.

A check names its clauses with ``@pytest.mark.clause``; a typo would make it
count for nothing, so an unknown clause, or a check of the suite naming none,
stops the run at collection. From the implementation's description alone, the
gate (:mod:`anam_conformance.gating`) leaves out what cannot be judged here,
and says how that counts. Only the suite's own
checks are looked at: a project's tests may use marks of these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from .. import gating
from ..clauses import ClauseId, UnknownClause, clause
from ..implementations.loading import OPTION, REFERENCE_MODULE
from ..one_suite import PACKAGE
from ..options import UPDATE_OPTIONS
from ..port.description import Description

CLAUSE_PROPERTY = "anam_clauses"
ORDER_PROPERTY = "anam_order"
#: What a check the gate left out counts as, and why: (outcome, detail).
GATE_PROPERTY = "anam_gate"


def in_suite(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return getattr(module, "__name__", "").startswith(f"{PACKAGE}.suite")


def clause_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("clause"):
        for clause_id in mark.args:
            try:
                clause(clause_id)
            except UnknownClause as error:
                raise pytest.UsageError(f"{item.nodeid}: {error.args[0]}") from None
            ids.append(str(clause_id))  # a plain str: xdist carries no enum between processes
    return tuple(dict.fromkeys(ids))


def property_of(item: pytest.Item | pytest.TestReport, name: str, default: Any = None) -> Any:
    return next((value for key, value in item.user_properties if key == name), default)


def judged(item: pytest.Item) -> bool:
    """Whether the item is one of the suite's checks, its clauses marked on it at collection."""
    return any(key == CLAUSE_PROPERTY for key, _ in item.user_properties)


def snapshots_pin_the_reference(config: pytest.Config, items: list[pytest.Item], module: str) -> None:
    """The request snapshots are written from the reference plugin only, never from the one judged."""
    if not any("request_snapshot" in getattr(item, "fixturenames", ()) for item in items):
        return
    updating = [flag for dest, flag in UPDATE_OPTIONS.items() if getattr(config.option, dest, False)]
    if updating and module != REFERENCE_MODULE:
        raise pytest.UsageError(
            f"{updating[0]}: the request snapshots pin the reference plugin ({REFERENCE_MODULE}); "
            f"they are never written from another plugin ({OPTION}={module})"
        )


def checks(items: list[pytest.Item]) -> list[tuple[pytest.Item, tuple[str, ...]]]:
    """The suite's checks among ``items`` and their clauses, each marked with them and its order."""
    # Only the suite's own checks: a project's tests may use marks of these names for their own ends.
    clause_items = [(item, clause_ids(item)) for item in items if in_suite(item)]
    unjudged = [item.nodeid for item, ids in clause_items if not ids]
    if unjudged:
        # A suite test that names no clause would run without ever counting for the verdict.
        raise pytest.UsageError(f"{unjudged[0]}: a conformance test must name its clause(s)")
    for order, (item, ids) in enumerate(clause_items):
        item.user_properties.append((CLAUSE_PROPERTY, ids))
        item.user_properties.append((ORDER_PROPERTY, order))
    return clause_items


def gate(clause_items: Sequence[tuple[pytest.Item, tuple[str, ...]]], described: Description) -> None:
    """Skip what the implementation cannot be judged on (:func:`anam_conformance.gating.gate`),
    the outcome that counts carried on the check, for the report to read as given."""
    for item, ids in clause_items:
        marked = [name for mark in item.iter_markers("offers") for name in mark.args]
        try:
            skipped = gating.gate(marked, [ClauseId(i) for i in ids], described)
        except gating.UnknownOffer as error:
            raise pytest.UsageError(f"{item.nodeid}: {error}") from None
        if skipped is not None:
            item.user_properties.append((GATE_PROPERTY, (skipped.outcome, skipped.detail)))
            item.add_marker(pytest.mark.skip(reason=skipped.reason))
