"""The run's verdict: its records judged against what the implementation offers, as the JSON report.

Renderings other than the clause table (JUnit, Markdown) are made from this
report, never from live pytest objects.
"""

from __future__ import annotations

from typing import Any

import pytest

from .. import report as reporting
from ..gating import FEATURES
from ..implementations.loading import isolation_of
from .records import Records
from .target import Target

Judged = tuple[dict[str, Any], list[reporting.ClauseResult]]


def judge(records: Records, target: Target) -> Judged | None:
    """The report's ``plugin`` block and the clause outcomes; None when no check of the suite ran."""
    if not records.records:
        return None
    found, selected = records.all(), records.selected_clauses()
    broke = target.broken()
    if broke is not None:
        plugin = {"module": target.module, "version": None, "isolation": broke.isolation}
        return plugin, reporting.judge(found, set(FEATURES), selected)
    implementation = target.get()
    described = implementation.describe()
    surface = {name for name, offered in FEATURES.items() if offered(described.surface)}
    return described.as_report() | {"isolation": isolation_of(implementation)}, reporting.judge(
        found, surface, selected
    )


def as_json(judged: Judged, suite: dict[str, Any], config: pytest.Config) -> dict[str, Any]:
    """The report: what judged (the suite, the run's settings), what was judged, the outcomes."""
    # Imported here: a module of ``pytest_plugins`` imported before pytest registers it is not rewritten.
    from ..hypothesis_profiles import run_block

    plugin, results = judged
    return reporting.as_json(plugin, results, suite, run_block(config))
