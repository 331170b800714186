"""The pytest plugin: ``--anam-plugin``, clause marks, the clause table and the verdict.

Registered through the ``pytest11`` entry point, so it is active wherever the
suite is installed; it stays silent in any run that collects no clause-marked
test, and takes over the exit code only in runs that do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from . import report as reporting
from .clauses import UnknownClause, clause
from .target import ENV_VAR, OPTION, REFERENCE_MODULE, PluginTarget, TargetError, load_target

#: The suite's further parts, each a pytest plugin module of its own (options, fixtures, hooks).
pytest_plugins: list[str] = [
    "conformance.cassettes.plugin",
    "conformance.hypothesis_profiles",
    "conformance.snapshot_storage",
    "conformance.renderers.pytest_outputs",
]

TARGET_KEY = pytest.StashKey[PluginTarget]()
CLAUSE_PROPERTY = "anam_clauses"

#: Optional parts of the public surface a test may need, and how to tell the plugin has them.
FEATURES = {
    "SessionOptions": lambda t: t.session_options is not None,
    "DirectorNotes": lambda t: t.director_notes is not None,
    "show_ai_avatar_disclosure": lambda t: "show_ai_avatar_disclosure" in t.session_option_fields(),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("anam-conformance", "Anam plugin conformance")
    group.addoption(
        OPTION,
        dest="anam_plugin",
        default=None,
        metavar="MODULE",
        help=f"module to put under test (default: ${ENV_VAR} or {REFERENCE_MODULE})",
    )
    group.addoption(
        "--conformance-report",
        dest="conformance_report",
        default=None,
        metavar="PATH",
        help="write the clause report as JSON to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(*ids): the conformance clauses a test checks")
    config.addinivalue_line(
        "markers", "needs(feature): the optional plugin surface a test cannot run without"
    )
    config.pluginmanager.register(ConformanceRun(config), "anam-conformance-run")


def target_module(config: pytest.Config) -> str:
    return config.getoption("anam_plugin") or os.environ.get(ENV_VAR) or REFERENCE_MODULE


def _target(config: pytest.Config) -> PluginTarget:
    if TARGET_KEY not in config.stash:
        try:
            config.stash[TARGET_KEY] = load_target(target_module(config))
        except TargetError as error:
            raise pytest.UsageError(str(error)) from error
    return config.stash[TARGET_KEY]


def _clause_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("clause"):
        for clause_id in mark.args:
            try:
                clause(clause_id)
            except UnknownClause as error:
                raise pytest.UsageError(f"{item.nodeid}: {error.args[0]}") from None
            ids.append(clause_id)
    return tuple(dict.fromkeys(ids))


def _in_suite(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return getattr(module, "__name__", "").startswith(f"{__package__}.suite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    clause_items = [(item, _clause_ids(item)) for item in items]
    unjudged = [item.nodeid for item, ids in clause_items if not ids and _in_suite(item)]
    if unjudged:
        # A suite test that names no clause would run without ever counting for the verdict.
        raise pytest.UsageError(f"{unjudged[0]}: a conformance test must name its clause(s)")
    clause_items = [(item, ids) for item, ids in clause_items if ids]
    if not clause_items:
        return
    target = _target(config)
    for item, ids in clause_items:
        item.user_properties.append((CLAUSE_PROPERTY, ids))
        for mark in item.iter_markers("needs"):
            for feature in mark.args:
                if feature not in FEATURES:
                    raise pytest.UsageError(f"{item.nodeid}: unknown feature {feature!r}")
                if not FEATURES[feature](target):
                    item.add_marker(
                        pytest.mark.skip(
                            reason=f"{reporting.UNIMPLEMENTED_PREFIX}{target.module_name} has no {feature}"
                        )
                    )


@pytest.fixture(scope="session")
def anam_target(request: pytest.FixtureRequest) -> PluginTarget:
    """The plugin under test, as named by ``--anam-plugin``."""
    return _target(request.config)


def _test_outcome(report: pytest.TestReport) -> tuple[reporting.TestOutcome, str]:
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        first = message.strip().splitlines()[0] if message.strip() else "failed"
        for prefix in ("conformance.expect.ClauseViolation: ", "ClauseViolation: "):
            first = first.removeprefix(prefix)
        return "fail", first
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        reason = reason.removeprefix("Skipped: ")
        if reason.startswith(reporting.UNIMPLEMENTED_PREFIX):
            return "unimplemented", reason.removeprefix(reporting.UNIMPLEMENTED_PREFIX)
        return "skip", reason
    return "pass", ""


class ConformanceRun:
    """Collects clause outcomes for one pytest session and reports them at its end.

    Outcomes are read from test reports (not items), so under pytest-xdist the
    controller judges what the workers ran.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[reporting.TestRecord] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids: tuple[str, ...] = next(
            (tuple(v) for k, v in report.user_properties if k == CLAUSE_PROPERTY),  # type: ignore[arg-type]
            (),
        )
        if not ids:
            return
        # One record per test: its call, or the setup/teardown phase that failed or skipped it.
        if report.when != "call" and not (report.failed or report.skipped):
            return
        outcome, detail = _test_outcome(report)
        self.records.append(reporting.TestRecord(report.nodeid, ids, outcome, detail))

    def _judged(self) -> tuple[dict[str, Any], list[reporting.ClauseResult]] | None:
        if not self.records:
            return None
        return _target(self.config).describe(), reporting.judge(self.records)

    def report(self) -> dict[str, Any] | None:
        """The run's JSON report, for renderings other than this module's own."""
        judged = self._judged()
        return None if judged is None else reporting.as_json(*judged)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker saw only its share: the controller reports for the whole run
        judged = self._judged()
        if judged is None:
            return
        plugin, results = judged
        path = self.config.getoption("conformance_report")
        if path:
            reporting.write_json(Path(path), reporting.as_json(plugin, results))
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            conforming = reporting.verdict(results) == "conforming"
            session.exitstatus = pytest.ExitCode.OK if conforming else pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        judged = self._judged()
        if judged is None:
            return
        plugin, results = judged
        terminalreporter.section("Anam conformance: clause report")
        for line in reporting.table_lines(plugin, results):
            terminalreporter.write_line(line)
