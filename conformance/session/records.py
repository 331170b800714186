"""One record per check, read from test reports (not items), so an xdist controller judges what its
workers ran; and which checks the selection gave each clause, so the others are ``not-run``.
"""

from __future__ import annotations

from typing import Any

import pytest

from .. import report as reporting
from ..options import SELECTED_OUTPUT
from .collection import CLAUSE_PROPERTY, ORDER_PROPERTY, in_suite, property_of
from .outcomes import test_outcome

#: Where an xdist worker sends the controller the checks it collected (``workeroutput``).


class Records:
    """The records of one run's checks, and of the checks it selected."""

    def __init__(self) -> None:
        self.records: list[reporting.TestRecord] = []
        #: Checks of the suite that a selection (``-k``, ``-m``, node ids) left out.
        self.deselected = 0
        #: The selected checks (node id -> clause ids, order), as collected here or by the xdist
        #: workers; None when no collection was seen (every worker crashed).
        self.selected: dict[str, tuple[tuple[str, ...], int]] | None = None
        #: Checks whose xdist worker crashed while running them: (node id, what xdist said).
        self.crashed: list[tuple[str, str]] = []

    def deselect(self, items: list[pytest.Item]) -> None:
        self.deselected += sum(in_suite(item) for item in items)

    def select(self, items: list[pytest.Item], workeroutput: object = None) -> None:
        """Which clauses the selection gives a check: the others are ``not-run``, and only they."""
        selected = {}
        for item in items:
            ids: Any = property_of(item, CLAUSE_PROPERTY)
            order: Any = property_of(item, ORDER_PROPERTY, 0)
            if ids:
                selected[item.nodeid] = (tuple(ids), int(order))
        self.selected = selected
        if isinstance(workeroutput, dict):
            # Sent to the controller when the worker ends (pytest_testnodedown).
            workeroutput[SELECTED_OUTPUT] = {k: [list(i), o] for k, (i, o) in selected.items()}

    def worker_selected(self, node: Any) -> None:
        """An xdist worker's selection: every worker collects the same checks."""
        found = getattr(node, "workeroutput", {}).get(SELECTED_OUTPUT)
        if isinstance(found, dict):
            self.selected = (self.selected or {}) | {k: (tuple(i), int(o)) for k, (i, o) in found.items()}

    def add(self, report: pytest.TestReport) -> None:
        ids: Any = property_of(report, CLAUSE_PROPERTY)
        if not ids:
            if report.failed and report.when not in ("setup", "call", "teardown"):
                # xdist's report of a check whose worker crashed carries none of the check's
                # properties: its clauses are found from the workers' selection at the end.
                self.crashed.append((report.nodeid, str(report.longrepr)))
            return
        # One record per test: its call, or the setup/teardown phase that failed or skipped it.
        if report.when != "call" and not (report.failed or report.skipped):
            return
        found = test_outcome(report)
        order = int(property_of(report, ORDER_PROPERTY, 0))
        self.records.append(
            reporting.TestRecord.received(
                report.nodeid, tuple(ids), found.outcome, found.detail, found.blocked_by, order
            )
        )

    def all(self) -> list[reporting.TestRecord]:
        """The checks' records, and the suite's error for each check whose worker crashed."""
        records = list(self.records)
        for nodeid, said in self.crashed:
            ids, order = (self.selected or {}).get(nodeid, ((), 0))
            if ids:
                records.append(
                    reporting.TestRecord.received(
                        nodeid, ids, "error", f"the suite crashed: {said}", None, order
                    )
                )
        return records

    def selected_clauses(self) -> set[str] | None:
        if self.selected is None:
            return None
        return {clause_id for ids, _ in self.selected.values() for clause_id in ids}
