"""One run of the suite, as the pytest plugin object that holds its parts.

The implementation (:mod:`.target`), the checks collected (:mod:`.collection`),
each check's outcome (:mod:`.outcomes`), the records (:mod:`.records`) and the
verdict (:mod:`.verdict`) each live in a module of their own; this object holds
one of each for the run and answers pytest's hooks with them. It stays silent
in any run that collects no check of the suite, and takes over the exit code
only in runs that do.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .. import heap
from .. import report as reporting
from ..implementations.process import CHECK_REQUESTS_ENV
from . import collection, outcomes
from .identity import suite_identity
from .records import Records
from .target import Target, say_to
from .verdict import Judged, as_json, judge

#: The name the run is registered under (the CI renderings ask it for the report).
RUN_PLUGIN = "anam-conformance-run"
#: Set by ``anam-conformance`` in the run it supervises: it says why a run judged nothing.
SUPERVISED_ENV = "ANAM_CONFORMANCE_SUPERVISED"


class SuiteRun:
    """The suite's part of one pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.target = Target(config)
        self.records = Records()
        #: The report's ``suite`` block, once asked (git is asked once a run).
        self._suite: dict[str, Any] | None = None

    @property
    def _worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """An implementation named on the command line is loaded before anything is printed.

        So a name that cannot be judged is a usage error and the only line of the run, and a first
        ``npm:`` install shows its progress once, in the process that prints (not in an xdist worker).
        """
        if self.config.getoption("anam_plugin") and not self._worker:
            self.target.broken()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.target.close()

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        collection.snapshots_pin_the_reference(config, items, self.target.module)
        clause_items = collection.checks(items)
        if not clause_items or self.target.broken() is not None:
            return  # a broken driver: every check errs at setup (pytest_runtest_setup), naming it
        collection.gate(clause_items, self.target.get().describe())

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.records.deselect(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if any(collection.judged(item) for item in session.items):
            heap.freeze(self.config)
        self.records.select(session.items, getattr(self.config, "workeroutput", None))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.records.worker_selected(node)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A check of an implementation whose driver broke while it loaded cannot judge: its error."""
        if collection.judged(item) and self.target.broken() is not None:
            self.target.get()  # raises the driver's error

    @pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_runtest_setup")
    def pytest_runtest_setup_translated(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from _translating(item, "setup"))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from _translating(item, "call"))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if collection.judged(item):
            outcomes.finish(item, call, report)
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport
    ) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        """A failed SHOULD check reads as a warning (``w``, ``WARN``, "3 warned"), not as an xfail."""
        if outcomes.warned(report):
            return "warned", "w", ("WARN", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.records.add(report)

    def _judged(self) -> Judged | None:
        return judge(self.records, self.target)

    def _as_json(self, judged: Judged) -> dict[str, Any]:
        if self._suite is None:
            self._suite = suite_identity()
        return as_json(judged, self._suite, self.config)

    def report(self) -> dict[str, Any] | None:
        """The run's JSON report, for renderings other than the clause table."""
        judged = self._judged()
        return None if judged is None else self._as_json(judged)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self._worker:
            return  # an xdist worker saw only its share: the controller reports for the whole run
        judged = self._judged()
        if judged is None:
            return
        report = self._as_json(judged)
        # In the project's own tests, every report is checked against the schema it ships with:
        # one that breaks it is the suite's error, and is not written.
        problems = reporting.schema_problems(report) if os.environ.get(CHECK_REQUESTS_ENV) else []
        if problems:
            say_to(self.config)(
                f"no verdict: the report breaks its schema ({reporting.SCHEMA_FILE}): {problems[0]}"
            )
            session.exitstatus = reporting.NO_VERDICT_EXIT
            return
        path = self.config.getoption("conformance_report")
        if path:
            reporting.write_json(Path(path), report)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = reporting.exit_code(judged[1])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not os.environ.get(SUPERVISED_ENV):
            self._summary(terminalreporter)

    @pytest.hookimpl(trylast=True, specname="pytest_terminal_summary")
    def pytest_terminal_summary_last(self, terminalreporter: Any) -> None:
        """Under ``anam-conformance``, the clause table ends the child's output, every other plugin's
        summary above it: the tool's verdict line follows it directly."""
        if os.environ.get(SUPERVISED_ENV):
            self._summary(terminalreporter)

    def _summary(self, terminalreporter: Any) -> None:
        judged = self._judged()
        if judged is None:
            supervised = os.environ.get(SUPERVISED_ENV)  # then the runner says it
            if self.records.deselected and not supervised and not self._worker:
                terminalreporter.write_line(
                    f"anam-conformance: no verdict: the selection matched none of the suite's "
                    f"{self.records.deselected} checks (see -k, -m or the node ids given)",
                    red=True,
                )
            return
        plugin, results = judged
        terminalreporter.section("Anam conformance: clause report")
        width = shutil.get_terminal_size().columns
        verbose = self.config.option.verbose > 0
        for line in reporting.table_lines(plugin, results, width=width, verbose=verbose):
            terminalreporter.write_line(line)


def _translating(item: pytest.Item, when: str) -> Generator[None, None, None]:
    """The phase as pytest runs it, a check's ending told to pytest in pytest's terms (:mod:`.outcomes`)."""
    outcomes.forget(item, when)
    try:
        return (yield)
    except BaseException as error:
        if not collection.judged(item):
            raise
        instead = outcomes.translated(item, when, error)
        if instead is error:
            raise
        raise instead from None
