"""Which collected tests are the suite's checks, which clauses each judges, and which can run here.

A check names its clauses with ``@pytest.mark.clause``; a typo would make it
count for nothing, so an unknown clause, or a check of the suite naming none,
stops the run at collection. From the implementation's description alone,
a check that needs a part of the surface it lacks is ``unimplemented``, a check
of a clause with no counterpart in its language too, and a check that needs a
capability it does not offer is skipped for its twin. Only the suite's own
checks are looked at: a project's tests may use marks of these names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from .. import report as reporting
from ..clauses import UnknownClause, clause
from ..implementations.loading import OPTION, REFERENCE_MODULE
from ..one_suite import PACKAGE
from ..options import UPDATE_OPTIONS
from ..port.description import CAPABILITIES, Description, Surface

CLAUSE_PROPERTY = "anam_clauses"
ORDER_PROPERTY = "anam_order"

#: Optional parts of the public surface a test may need, and how to tell the plugin has them.
FEATURES: dict[str, Callable[[Surface], bool]] = {
    "SessionOptions": lambda s: s.session_options,
    "DirectorNotes": lambda s: s.director_notes,
    "show_ai_avatar_disclosure": lambda s: s.takes_option("show_ai_avatar_disclosure"),
}


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
            ids.append(clause_id)
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
    """Skip what the implementation cannot be judged on: ``unimplemented``, or judged by a twin."""
    language = described.language
    for item, ids in clause_items:
        needed = [c for mark in item.iter_markers("capability") for c in mark.args]
        unknown = [c for c in needed if c not in CAPABILITIES]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: unknown capability {unknown[0]!r}")
        lacking = [c for c in needed if not described.capabilities.offers(c)]
        if lacking:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{described.module} offers no {lacking[0]}: judged by its twin check"
                )
            )
            continue
        absent = [i for i in ids if not clause(i).applies_to(language)]
        if absent:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{reporting.UNIMPLEMENTED_PREFIX}{absent[0]} has no counterpart in {language}: "
                    f"{clause(absent[0]).meaning_in(language)}"
                )
            )
            continue
        for mark in item.iter_markers("needs"):
            for feature in mark.args:
                if feature not in FEATURES:
                    raise pytest.UsageError(f"{item.nodeid}: unknown feature {feature!r}")
                if not FEATURES[feature](described.surface):
                    item.add_marker(
                        pytest.mark.skip(
                            reason=f"{reporting.UNIMPLEMENTED_PREFIX}{described.module} has no {feature}"
                        )
                    )
