"""The pytest plugin: ``--anam-plugin``, clause marks, the clause table and the verdict.

Registered through the ``pytest11`` entry point, so it is active wherever the
suite is installed; it stays silent in any run that collects no clause-marked
test, and takes over the exit code only in runs that do.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest

from . import report as reporting
from .implementations.early import named, start_named_driver
from .plain_imports import import_libraries


def _paths_in(args: list[str]) -> list[str]:
    """Why a path the command line names cannot be used, one line each (empty when all can)."""
    found = (
        (option, named(option, args)) for option in (*reporting.OUTPUT_OPTIONS, *reporting.INPUT_OPTIONS)
    )
    return [
        problem for option, value in found if value and (problem := reporting.path_problem(option, value))
    ]


# A command line with a bad path is refused in pytest_configure, before any plugin runs: its
# driver is not started early either.
if not _paths_in(sys.argv[1:]):
    start_named_driver(sys.argv[1:], os.environ)  # a Node driver loads on the other core meanwhile
import_libraries()  # before anything imports them through pytest's assertion rewriter

from .clauses import ClauseId, Level, Offer, UnknownClause, clause
from .expect import NOTE_PROPERTY, Blocked, ClauseViolation, SuiteError
from .gating import FEATURES, UnknownOffer, gate
from .implementations import sandbox, specs
from .implementations.loading import (
    ENV_VAR,
    OPTION,
    REFERENCE_MODULE,
    TargetBroke,
    TargetError,
    isolation_of,
    load_target,
)
from .implementations.process import CHECK_REQUESTS_ENV, DriverError
from .implementations.specs import Placement
from .port.implementation import Implementation

#: The suite's further parts, each a pytest plugin module of its own (options, fixtures, hooks).
pytest_plugins: list[str] = [
    "anam_conformance.cassettes.plugin",
    "anam_conformance.hypothesis_profiles",
    "anam_conformance.snapshot_storage",
    "anam_conformance.renderers.pytest_outputs",
]

#: Where the suite's own modules live: the checkout's ``conformance/`` folder under an editable
#: install, ``site-packages/anam_conformance`` from a wheel.
PACKAGE_DIR = Path(__file__).resolve().parent
TARGET_KEY = pytest.StashKey[Implementation]()
#: The driver that broke while the plugin loaded: every check is the suite's error, naming it.
BROKE_KEY = pytest.StashKey[TargetBroke]()
FROZE_KEY = pytest.StashKey[bool]()
CLAUSE_PROPERTY = "anam_clauses"
ORDER_PROPERTY = "anam_order"
#: Where an xdist worker sends the controller the checks it collected (``workeroutput``).
SELECTED_OUTPUT = "anam_selected"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("anam-conformance", "Anam plugin conformance")
    group.addoption(
        OPTION,
        dest="anam_plugin",
        default=None,
        metavar="IMPLEMENTATION",
        help="what to judge: "
        + ", ".join(f"{info.form} ({info.example.strip(chr(34))})" for info in specs.KINDS)
        + f" (default: ${ENV_VAR}; else the suite's reference plugin, plugin_under_test)",
    )
    group.addoption(
        sandbox.OPTION,
        dest="anam_isolation",
        default=None,
        choices=sandbox.CHOICES,
        help="how far the judged code runs from the judge: sandbox (bubblewrap: read-only files, own "
        "PIDs, no secrets), process (a plain child process), auto (the sandbox where it works, else "
        f"a process; the default, or ${sandbox.ENV_VAR}), in-process (a Python module imported into "
        "the judge: debugging only, never a gate)",
    )
    group.addoption(
        specs.PYTHON_OPTION,
        dest="anam_python",
        default=None,
        metavar="PYTHON",
        help="the interpreter a Python module's driver runs under: a venv with the plugin and its own "
        f"livekit-agents (default: ${specs.PYTHON_ENV}; else this interpreter)",
    )
    group.addoption(
        "--conformance-report",
        dest="conformance_report",
        default=None,
        metavar="PATH",
        help="write the clause report as JSON to PATH",
    )


#: The path options and where pytest keeps each (``--junitxml`` is pytest's own).
PATH_DESTS = {
    "--conformance-report": "conformance_report",
    "--conformance-junit": "conformance_junit",
    "--conformance-markdown": "conformance_markdown",
    "--junitxml": "xmlpath",
    "--conformance-snapshots": "conformance_snapshots",
    "--conformance-cassettes": "conformance_cassettes",
}


def check_paths(config: pytest.Config) -> None:
    """A report that could not be written, or evidence that is not there, is a usage error now,
    in one line, not a traceback or a blamed plugin after the whole run."""
    # Imported here: a module of ``pytest_plugins`` imported before pytest registers it is not rewritten.
    from .snapshot_storage import UPDATE_OPTIONS

    updating = any(getattr(config.option, dest, False) for dest in UPDATE_OPTIONS)
    for option, dest in PATH_DESTS.items():
        value = getattr(config.option, dest, None)
        if not value or (updating and option == "--conformance-snapshots"):
            continue  # --snapshot-update writes the folder
        problem = reporting.path_problem(option, str(value))
        if problem:
            raise pytest.UsageError(problem)


#: What makes a folder a copy of the suite's package: the installed ``anam_conformance``, or a
#: checkout's ``conformance/``.
SUITE_MARKS = ("pytest_plugin.py", "clauses.py", "suite")


def is_suite_copy(folder: Path) -> bool:
    return all((folder / mark).exists() for mark in SUITE_MARKS)


def _near(path: Path) -> list[Path]:
    """``path``, the folders above it, and those right inside it (``pytest .`` in a checkout)."""
    near = [path, *path.parents]
    if path.is_dir():
        with contextlib.suppress(OSError):
            near += sorted(child for child in path.iterdir() if child.is_dir())
    return near


def other_suite(args: list[str], base: Path) -> Path | None:
    """A copy of the suite the command line names that is not the installed one (:data:`PACKAGE_DIR`).

    Its checks would be collected beside the installed plugin, which judges with its own harness,
    evidence and drivers: two suites in one run, one verdict about neither.
    """
    for arg in args:
        path = Path(base, arg.split("::", 1)[0])
        if not path.exists():
            continue  # a name for --pyargs: pytest finds it where it is installed
        found = next((f for f in _near(path.resolve()) if f != PACKAGE_DIR and is_suite_copy(f)), None)
        if found is not None:
            return found
    return None


def two_suites(other: Path) -> str:
    """The one line that stops a run naming a second copy of the suite, and how to choose."""
    checkout = other.parent if (other.parent / "pyproject.toml").is_file() else None
    instead = f"install its checkout (pip install -e {checkout})" if checkout else "run its own installation"
    return (
        f"two copies of the suite: the installed anam_conformance ({PACKAGE_DIR}) judges with its own "
        f"checks, not those of {other}; to judge with {other}, {instead}; to judge with the installed "
        "one, run anam-conformance or pytest --pyargs anam_conformance"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        other = other_suite(list(config.args), config.invocation_params.dir)
        if other is not None:
            raise pytest.UsageError(two_suites(other))
        check_paths(config)
    # First to register, last to run: after pytest's own final collection for unraisables.
    config.add_cleanup(lambda: _thaw(config))
    config.addinivalue_line("markers", "clause(*ids): the conformance clauses a test checks")
    config.addinivalue_line(
        "markers",
        f"offers(*what): a check that applies only where the implementation offers it ({', '.join(Offer)}); "
        "elsewhere a feature's check is unimplemented, a capability's skipped for its twin",
    )
    config.pluginmanager.register(ConformanceRun(config), "anam-conformance-run")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """An implementation named on the command line is loaded before anything is printed.

    So a name that cannot be judged is a usage error and the only line of the run, and a first
    ``npm:`` install shows its progress once, in the process that prints (not in an xdist worker).
    """
    config = session.config
    if config.getoption("anam_plugin") and not hasattr(config, "workerinput"):
        _broke(config)


def target_module(config: pytest.Config) -> str:
    return config.getoption("anam_plugin") or os.environ.get(ENV_VAR) or REFERENCE_MODULE


def pytest_unconfigure(config: pytest.Config) -> None:
    target = config.stash.get(TARGET_KEY, None)
    if target is not None:
        target.close()  # whatever the implementation runs lives as long as the run


def _say_to(config: pytest.Config) -> Callable[[str], None]:
    terminal = config.pluginmanager.get_plugin("terminalreporter")

    def say(message: str) -> None:
        if terminal is not None and not hasattr(config, "workerinput"):
            terminal.write_line(f"anam-conformance: {message}")

    return say


def placement(config: pytest.Config) -> Placement:
    """Where the judged code runs, from the options (or the environment)."""
    caller = os.environ.get(specs.CALLER_DIR_ENV)
    return Placement(
        isolation=config.getoption("anam_isolation") or os.environ.get(sandbox.ENV_VAR) or "auto",
        python=config.getoption("anam_python") or os.environ.get(specs.PYTHON_ENV) or None,
        cwd=Path(caller) if caller else None,
    )


def _target(config: pytest.Config) -> Implementation:
    if BROKE_KEY in config.stash:
        raise config.stash[BROKE_KEY].error
    if TARGET_KEY not in config.stash:
        try:
            config.stash[TARGET_KEY] = load_target(target_module(config), _say_to(config), placement(config))
        except TargetBroke as broke:
            # The judge goes on: every check is its error, naming the driver, and the reports say so.
            config.stash[BROKE_KEY] = broke
            _say_to(config)(f"no verdict: {broke}")
            raise broke.error from None
        except TargetError as error:
            raise pytest.UsageError(str(error)) from error
    return config.stash[TARGET_KEY]


def _broke(config: pytest.Config) -> bool:
    """Whether the implementation's driver broke while the plugin loaded (see :class:`TargetBroke`)."""
    if BROKE_KEY not in config.stash:
        with contextlib.suppress(DriverError):
            _target(config)
    return BROKE_KEY in config.stash


def _clause_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("clause"):
        for clause_id in mark.args:
            try:
                clause(clause_id)
            except UnknownClause as error:
                raise pytest.UsageError(f"{item.nodeid}: {error.args[0]}") from None
            ids.append(str(clause_id))  # a plain str: xdist carries no enum between processes
    return tuple(dict.fromkeys(ids))


def _in_suite(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return getattr(module, "__name__", "").startswith(f"{__package__}.suite")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported so far (livekit-agents, hypothesis, the plugin) lives as long as the run.

    Frozen, it is skipped by every later ``gc.collect()``: pytest's check for unraisable
    exceptions collects twice at the end, which over an unfrozen heap this size cost about
    0.5 s a run. Objects the checks create are collected, and checked, as before. Only a run
    of the suite freezes, and it thaws the heap as its very last cleanup.
    """
    if any(_judged(item) for item in session.items):
        gc.freeze()
        session.config.stash[FROZE_KEY] = True


def _thaw(config: pytest.Config) -> None:
    if config.stash.get(FROZE_KEY, False):
        gc.unfreeze()


def snapshots_pin_the_reference(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The request snapshots are written from the reference plugin only, never from the one judged."""
    if not any("request_snapshot" in getattr(item, "fixturenames", ()) for item in items):
        return
    # Imported here: a module of ``pytest_plugins`` imported before pytest registers it is not rewritten.
    from .snapshot_storage import UPDATE_OPTIONS

    updating = [flag for dest, flag in UPDATE_OPTIONS.items() if getattr(config.option, dest, False)]
    module = target_module(config)
    if updating and module != REFERENCE_MODULE:
        raise pytest.UsageError(
            f"{updating[0]}: the request snapshots pin the reference plugin ({REFERENCE_MODULE}); "
            f"they are never written from another plugin ({OPTION}={module})"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if OTHER_SUITE_KEY in config.stash:
        raise pytest.UsageError(two_suites(config.stash[OTHER_SUITE_KEY]))
    snapshots_pin_the_reference(config, items)
    clause_items = [(item, _clause_ids(item)) for item in items]
    unjudged = [item.nodeid for item, ids in clause_items if not ids and _in_suite(item)]
    if unjudged:
        # A suite test that names no clause would run without ever counting for the verdict.
        raise pytest.UsageError(f"{unjudged[0]}: a conformance test must name its clause(s)")
    clause_items = [(item, ids) for item, ids in clause_items if ids]
    if not clause_items:
        return
    for order, (item, ids) in enumerate(clause_items):
        item.user_properties.append((CLAUSE_PROPERTY, ids))
        item.user_properties.append((ORDER_PROPERTY, order))
    if _broke(config):
        return  # every check errs at setup (pytest_runtest_setup), naming the broken driver
    described = _target(config).describe()
    for item, ids in clause_items:
        marked = [name for mark in item.iter_markers("offers") for name in mark.args]
        try:
            skipped = gate(marked, [ClauseId(i) for i in ids], described)
        except UnknownOffer as error:
            raise pytest.UsageError(f"{item.nodeid}: {error}") from None
        if skipped is not None:
            item.add_marker(pytest.mark.skip(reason=skipped.reason))


def _in_package(path: Path) -> bool:
    return path.resolve().is_relative_to(PACKAGE_DIR)


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """The suite's folders as plain directories: pytest's ``Package`` would import each
    ``__init__.py`` by its folder's name (``conformance``), a second name for a module the
    installed package already imported."""
    return pytest.Dir.from_parent(parent, path=path) if _in_package(path) else None


#: A second copy of the suite found while collecting (deeper than the command line's paths).
OTHER_SUITE_KEY = pytest.StashKey[Path]()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A second copy of the suite deeper than the command line's paths (:func:`other_suite`
    looks only near them) is not collected, and the run stops once collection ends."""
    if collection_path.is_dir() and not _in_package(collection_path) and is_suite_copy(collection_path):
        config.stash[OTHER_SUITE_KEY] = collection_path.resolve()
        return True
    return None


class SuiteModule(pytest.Module):
    """A check module imported by its one installed name (``anam_conformance.suite.test_x``).

    pytest names a module after its folders (``conformance.suite.test_x`` in a checkout); the
    checks' relative imports would then load the whole suite a second time, with a second
    ``ClauseViolation`` class the verdict does not recognise.
    """

    def _getobj(self) -> Any:
        parts = self.path.resolve().relative_to(PACKAGE_DIR).with_suffix("").parts
        module = importlib.import_module(".".join((__package__ or "anam_conformance", *parts)))
        self.config.pluginmanager.consider_module(module)
        return module


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    return SuiteModule.from_parent(parent, path=module_path) if _in_package(module_path) else None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check of an implementation whose driver broke while it loaded cannot judge: its error."""
    if _judged(item) and _broke(item.config):
        _target(item.config)  # raises the driver's error


@pytest.fixture(scope="session")
def anam_target(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test, as named by ``--anam-plugin``, behind the port."""
    return _target(request.config)


#: The user property that carries a failed phase's classification from the hook to the report.
FAILURE_PROPERTY = "anam_failure"


def _leaves(error: BaseException) -> list[BaseException]:
    """An exception group's leaves (hypothesis raises one when examples fail in distinct ways)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def classify(error: BaseException) -> tuple[reporting.TestOutcome, str, str | None]:
    """What a raised exception means for the verdict: (outcome, one-line cause, blocking clause).

    A clause violation is the plugin's failure; a blocked premise names the clause
    that owns it; anything else (evidence that cannot be read, a harness or driver
    that crashed, a bug in a check) is the suite's error, never the plugin's.
    """
    leaves = _leaves(error)
    violation = next((e for e in leaves if isinstance(e, ClauseViolation)), None)
    if violation is not None:
        # hypothesis adds the falsifying example as a note: the input a maintainer replays.
        notes = [
            str(n) for n in getattr(violation, "__notes__", None) or getattr(error, "__notes__", None) or []
        ]
        return "fail", "\n".join([str(violation), *notes]), None
    blocked = next((e for e in leaves if isinstance(e, Blocked)), None)
    if blocked is not None:
        return "blocked", str(blocked), str(blocked.by)
    first = leaves[0]
    if isinstance(first, SuiteError):
        return "error", f"{type(first).__name__}: {first}", None
    return "error", f"the suite crashed: {type(first).__name__}: {first}", None


def _judged(item: pytest.Item) -> bool:
    return any(k == CLAUSE_PROPERTY for k, _ in item.user_properties)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    """A check that did not pass, classified; a blocked one reads as pytest's "precondition not met".

    pytest knows no outcome between passed and failed, so a blocked check is
    shown as a skip naming its blocker (``s``, ``-rs``), as ``pytest.skip`` is
    used for an unmet precondition: pytest's FAILED lines are then exactly the
    checks that saw the plugin break their clause, or the suite's own errors.
    Its report is built here, without the traceback pytest would format and
    nobody read (most of a run's cost when one fault blocks a hundred checks).
    """
    if call.excinfo is None or not _judged(item) or call.excinfo.errisinstance(pytest.skip.Exception):
        return None
    classified = classify(call.excinfo.value)
    outcome, detail, _ = classified
    if (
        call.when not in ("setup", "call")
        or outcome == "error"
        or (outcome == "fail" and asked_for_details(item))
    ):
        report = pytest.TestReport.from_item_and_call(item, call)
        if report.failed:
            report.user_properties.append((FAILURE_PROPERTY, classified))
            if outcome == "fail" and not _decides_verdict(item):
                report.outcome = "skipped"
                report.wasxfail = f"{WARN_PREFIX}{detail.splitlines()[0]}"
        return report
    when: Literal["setup", "call"] = "setup" if call.when == "setup" else "call"
    path, line, _ = item.reportinfo()
    report = pytest.TestReport(
        item.nodeid,
        item.location,
        {name: 1 for name in item.keywords},
        "skipped" if outcome == "blocked" else "failed",
        (str(path), (line or 0) + 1, f"Skipped: {detail.splitlines()[0]}")
        if outcome == "blocked"
        else detail,
        when,
        duration=call.duration,
        start=call.start,
        stop=call.stop,
        user_properties=[*item.user_properties, (FAILURE_PROPERTY, classified)],
    )
    if outcome == "fail" and not _decides_verdict(item):
        # A SHOULD the plugin does not meet: reported everywhere, never a red result. pytest's
        # own form for a known non-fatal failure is xfail (JUnit: <skipped type="pytest.xfail">).
        report.outcome = "skipped"
        report.longrepr = (str(path), (line or 0) + 1, f"{WARN_PREFIX}{detail.splitlines()[0]}")
        report.wasxfail = f"{WARN_PREFIX}{detail.splitlines()[0]}"
    return report


#: How a failed SHOULD check's reason starts (pytest's xfail reason, its JUnit ``skipped`` message).
WARN_PREFIX = "warn: SHOULD not met, the verdict stands: "


def asked_for_details(item: pytest.Item) -> bool:
    """``-v`` or an explicit ``--tb``: show a violation with pytest's traceback, as pytest would."""
    option = item.config.option
    return bool(option.verbose > 0 or option.tbstyle not in ("auto", "no") or option.fulltrace)


def _decides_verdict(item: pytest.Item) -> bool:
    """A check of at least one MUST clause: its failure makes the plugin nonconforming."""
    ids: Any = next((v for k, v in item.user_properties if k == CLAUSE_PROPERTY), ())
    return any(clause(i).level is Level.MUST for i in ids)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(
    report: pytest.TestReport,
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """A failed SHOULD check reads as a warning (``w``, ``WARN``, "3 warned"), not as an xfail."""
    if report.skipped and str(getattr(report, "wasxfail", "")).startswith(WARN_PREFIX):
        return "warned", "w", ("WARN", {"yellow": True})
    return None


def _test_outcome(report: pytest.TestReport) -> tuple[reporting.TestOutcome, str, str | None]:
    classified: Any = next((v for k, v in report.user_properties if k == FAILURE_PROPERTY), None)
    if classified is not None:
        outcome: reporting.TestOutcome = classified[0]
        return outcome, str(classified[1]), classified[2]
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        return "error", f"the suite crashed: {message.strip() or 'failed'}", None
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        reason = reason.removeprefix("Skipped: ")
        if reason.startswith(reporting.UNIMPLEMENTED_PREFIX):
            return "unimplemented", reason.removeprefix(reporting.UNIMPLEMENTED_PREFIX), None
        return "skip", reason, None
    notes = [str(v) for k, v in report.user_properties if k == NOTE_PROPERTY]
    return "pass", "\n".join(dict.fromkeys(notes)), None


#: How long git may take to say which commit the suite is (it never decides a verdict).
GIT_TIMEOUT = 10


def checkout_commit(package_dir: Path = PACKAGE_DIR) -> tuple[str, bool] | None:
    """The commit of the git checkout the suite's own files are tracked in, and whether tracked
    files differ from it: an editable install of a checkout.

    None for a wheel (its files are tracked by no checkout, even in a virtualenv inside one), and
    wherever git is missing or cannot say: the report then says it does not know.
    """
    git = shutil.which("git")
    if git is None:
        return None
    # No index lock taken in a tree others may be working in; none of the caller's GIT_DIR.
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["GIT_OPTIONAL_LOCKS"] = "0"

    def git_says(*args: str) -> str:
        return subprocess.run(
            [git, "-C", str(package_dir), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=GIT_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        ).stdout.strip()

    try:
        git_says("ls-files", "--error-unmatch", "--", Path(__file__).name)  # the checkout's own file
        commit = git_says("rev-parse", "HEAD")
        dirty = bool(git_says("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return commit, dirty


def suite_version() -> str | None:
    """The suite's version, from its distribution's metadata."""
    try:
        return importlib.metadata.version(reporting.DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def suite_identity(package_dir: Path = PACKAGE_DIR) -> dict[str, Any]:
    """The report's ``suite`` block: what judged (its version, and its commit where it has one)."""
    commit, dirty = checkout_commit(package_dir) or (None, None)
    return reporting.suite_block(suite_version(), commit, dirty)


class ConformanceRun:
    """Collects clause outcomes for one pytest session and reports them at its end.

    Outcomes are read from test reports (not items), so under pytest-xdist the
    controller judges what the workers ran.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[reporting.TestRecord] = []
        #: Checks of the suite that a selection (``-k``, ``-m``, node ids) left out.
        self.deselected = 0
        #: The selected checks (node id -> clause ids, order), as collected here or by the xdist
        #: workers; None when no collection was seen (every worker crashed).
        self.selected: dict[str, tuple[tuple[str, ...], int]] | None = None
        #: Checks whose xdist worker crashed while running them: (node id, what xdist said).
        self.crashed: list[tuple[str, str]] = []
        #: The report's ``suite`` block, once asked (git is asked once a run).
        self._suite: dict[str, Any] | None = None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += sum(_in_suite(item) for item in items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Which clauses the selection gives a check: the others are ``not-run``, and only they."""
        selected = {}
        for item in session.items:
            ids: Any = next((v for k, v in item.user_properties if k == CLAUSE_PROPERTY), None)
            order: Any = next((v for k, v in item.user_properties if k == ORDER_PROPERTY), 0)
            if ids:
                selected[item.nodeid] = (tuple(ids), int(order))
        self.selected = selected
        output = getattr(self.config, "workeroutput", None)  # an xdist worker's
        if isinstance(output, dict):
            # Sent to the controller when the worker ends (pytest_testnodedown).
            output[SELECTED_OUTPUT] = {k: [list(i), o] for k, (i, o) in selected.items()}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """An xdist worker's selection: every worker collects the same checks."""
        found = getattr(node, "workeroutput", {}).get(SELECTED_OUTPUT)
        if isinstance(found, dict):
            self.selected = (self.selected or {}) | {k: (tuple(i), int(o)) for k, (i, o) in found.items()}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids: tuple[str, ...] = next(
            (tuple(v) for k, v in report.user_properties if k == CLAUSE_PROPERTY),  # type: ignore[arg-type]
            (),
        )
        if not ids:
            if report.failed and report.when not in ("setup", "call", "teardown"):
                # xdist's report of a check whose worker crashed carries none of the check's
                # properties: its clauses are found from the workers' selection at the end.
                self.crashed.append((report.nodeid, str(report.longrepr)))
            return
        # One record per test: its call, or the setup/teardown phase that failed or skipped it.
        if report.when != "call" and not (report.failed or report.skipped):
            return
        outcome, detail, blocked_by = _test_outcome(report)
        order = next((int(v) for k, v in report.user_properties if k == ORDER_PROPERTY), 0)  # type: ignore[call-overload]
        self.records.append(
            reporting.TestRecord.received(report.nodeid, ids, outcome, detail, blocked_by, order)
        )

    def _records(self) -> list[reporting.TestRecord]:
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

    def _selected_clauses(self) -> set[str] | None:
        if self.selected is None:
            return None
        return {clause_id for ids, _ in self.selected.values() for clause_id in ids}

    def _judged(self) -> tuple[dict[str, Any], list[reporting.ClauseResult]] | None:
        if not self.records:
            return None
        records, selected = self._records(), self._selected_clauses()
        if _broke(self.config):
            broke = self.config.stash[BROKE_KEY]
            plugin = {"module": target_module(self.config), "version": None, "isolation": broke.isolation}
            return plugin, reporting.judge(records, set(FEATURES), selected)
        target = _target(self.config)
        described = target.describe()
        surface = {name for name, offered in FEATURES.items() if offered(described.surface)}
        return described.as_report() | {"isolation": isolation_of(target)}, reporting.judge(
            records, surface, selected
        )

    def _as_json(self, plugin: dict[str, Any], results: list[reporting.ClauseResult]) -> dict[str, Any]:
        """The report: what judged (the suite, the run's settings), what was judged, the outcomes."""
        # Imported here: a module of ``pytest_plugins`` imported before pytest registers it is not rewritten.
        from .hypothesis_profiles import run_block

        if self._suite is None:
            self._suite = suite_identity()
        return reporting.as_json(plugin, results, self._suite, run_block(self.config))

    def report(self) -> dict[str, Any] | None:
        """The run's JSON report, for renderings other than this module's own."""
        judged = self._judged()
        return None if judged is None else self._as_json(*judged)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker saw only its share: the controller reports for the whole run
        judged = self._judged()
        if judged is None:
            return
        plugin, results = judged
        report = self._as_json(plugin, results)
        # In the project's own tests, every report is checked against the schema it ships with:
        # one that breaks it is the suite's error, and is not written.
        problems = reporting.schema_problems(report) if os.environ.get(CHECK_REQUESTS_ENV) else []
        if problems:
            _say_to(self.config)(
                f"no verdict: the report breaks its schema ({reporting.SCHEMA_FILE}): {problems[0]}"
            )
            session.exitstatus = reporting.NO_VERDICT_EXIT
            return
        path = self.config.getoption("conformance_report")
        if path:
            reporting.write_json(Path(path), report)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = reporting.exit_code(results)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        judged = self._judged()
        if judged is None:
            supervised = os.environ.get("ANAM_CONFORMANCE_SUPERVISED")  # then the runner says it
            if self.deselected and not supervised and not hasattr(self.config, "workerinput"):
                terminalreporter.write_line(
                    f"anam-conformance: no verdict: the selection matched none of the suite's "
                    f"{self.deselected} checks (see -k, -m or the node ids given)",
                    red=True,
                )
            return
        plugin, results = judged
        terminalreporter.section("Anam conformance: clause report")
        width = shutil.get_terminal_size().columns
        verbose = self.config.option.verbose > 0
        for line in reporting.table_lines(plugin, results, width=width, verbose=verbose):
            terminalreporter.write_line(line)
