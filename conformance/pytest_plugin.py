"""The suite's pytest entry point: its options and marks in every session, the suite only where asked.

Installed through ``pytest11``, this module is imported by every pytest session
in an environment that has the suite, most of them a project's own tests. It
declares the suite's options (pytest parses the command line before anyone can
know whether the run is the suite's) and its marks (so ``--strict-markers``
accepts them), keeps a second copy of the suite out of any run, and imports
nothing else until the session asks for the suite: ``--anam-plugin`` or a
report option given, a path in or right above the suite's folder,
``--pyargs anam_conformance``, or collection reaching the suite's folder. Then
the session's plugin (:mod:`.session.plugin`) is registered, and pytest calls
its ``pytest_configure`` as it registers it. The suite's checks of marks apply
only to its own checks: a project's ``clause`` mark is its own business.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from . import heap, one_suite, options
from .implementations import early, specs
from .plain_imports import import_libraries

#: ``--anam-isolation``: its choices and variable, as :mod:`.implementations.sandbox` reads them.
ISOLATION_OPTION = "--anam-isolation"
ISOLATION_CHOICES = ("auto", "sandbox", "process", "in-process")
ISOLATION_ENV = "ANAM_ISOLATION"
#: The session's plugin, registered by name in the runs that judge.
SESSION_PLUGIN = f"{one_suite.PACKAGE}.session.plugin"
#: A second copy of the suite found while collecting (deeper than the command line's paths).
OTHER_SUITE_KEY = pytest.StashKey[Path]()
#: The options whose value only the suite reads: given any, the run is the suite's.
SUITE_PATH_DESTS = tuple(dest for option, dest in options.PATH_DESTS.items() if option != "--junitxml")


def names_the_suite(args: list[str], base: Path) -> bool:
    """Whether a path the command line names is in the suite's folder, or the folder right above it."""
    return any(
        one_suite.in_package(path) or path == one_suite.PACKAGE_DIR.parent
        for path in one_suite.named_paths(args, base)
    )


def names_the_package(args: list[str]) -> bool:
    """Whether a ``--pyargs`` name is the suite's package or one of its modules."""
    names = (arg.split("::", 1)[0] for arg in args)
    return any(name == one_suite.PACKAGE or name.startswith(f"{one_suite.PACKAGE}.") for name in names)


def asks_for_the_suite(config: pytest.Config) -> bool:
    """Whether the command line asks for the suite; collection may still reach it (:func:`use_suite`)."""
    args = list(config.args)
    return bool(
        config.getoption("anam_plugin")
        or any(getattr(config.option, dest, None) for dest in SUITE_PATH_DESTS)
        or names_the_suite(args, config.invocation_params.dir)
        or (config.getoption("pyargs") and names_the_package(args))
    )


def _starts_the_suite(args: list[str], base: Path) -> bool:
    """Whether a command line names an implementation, a path of the suite or its package."""
    return bool(
        early.named(specs.OPTION, args)
        or names_the_suite([a for a in args if not a.startswith("-")], base)
        or ("--pyargs" in args and names_the_package(args))
    )


def _start_the_named_driver(argv: list[str]) -> None:
    """A driver this process's command line names starts loading on the other core while pytest
    starts up (:mod:`.implementations.early`); not for a command line with a path that cannot be
    used, which is refused in ``pytest_configure`` before any plugin runs."""
    if early.named(specs.OPTION, argv) is None:
        return
    from . import report

    options_given = (
        (option, early.named(option, argv)) for option in (*report.OUTPUT_OPTIONS, *report.INPUT_OPTIONS)
    )
    if not any(value and report.path_problem(option, value) for option, value in options_given):
        early.start_named_driver(argv, os.environ)


_start_the_named_driver(sys.argv[1:])


def pytest_plugin_registered(plugin: object) -> None:
    """The session's configuration, registered before this module: a command line that asks for the
    suite (an xdist worker's is its controller's) has the suite's libraries imported now, before the
    plugins loaded after this one import them through pytest's assertion rewriter (:mod:`.plain_imports`)."""
    if isinstance(plugin, pytest.Config):
        invocation = plugin.invocation_params
        if _starts_the_suite(list(invocation.args), invocation.dir):
            import_libraries()


def use_suite(config: pytest.Config) -> None:
    """Register the session's plugin (once): from here on, this run is the suite's."""
    if config.pluginmanager.has_plugin(SESSION_PLUGIN):
        return
    import_libraries()  # before anything imports them through pytest's assertion rewriter
    config.pluginmanager.import_plugin(SESSION_PLUGIN)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(options.GROUP, "Anam plugin conformance")
    group.addoption(
        specs.OPTION,
        dest="anam_plugin",
        default=None,
        metavar="IMPLEMENTATION",
        help="what to judge: "
        + ", ".join(f"{info.form} ({info.example.strip(chr(34))})" for info in specs.KINDS)
        + f" (default: ${specs.ENV_VAR}; else the suite's reference plugin, plugin_under_test)",
    )
    group.addoption(
        ISOLATION_OPTION,
        dest="anam_isolation",
        default=None,
        choices=ISOLATION_CHOICES,
        help="how far the judged code runs from the judge: sandbox (bubblewrap: read-only files, own "
        "PIDs, no secrets), process (a plain child process), auto (the sandbox where it works, else "
        f"a process; the default, or ${ISOLATION_ENV}), in-process (a Python module imported into "
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
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        other = one_suite.other_suite(list(config.args), config.invocation_params.dir)
        if other is not None:
            raise pytest.UsageError(one_suite.two_suites(other))
    # First to register, last to run: after pytest's own final collection for unraisables.
    config.add_cleanup(lambda: heap.thaw(config))
    for line in options.MARKERS:
        config.addinivalue_line("markers", line)
    if asks_for_the_suite(config):
        use_suite(config)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A second copy of the suite deeper than the command line's paths (:func:`.one_suite.other_suite`
    looks only near them) is not collected, and the run stops once collection ends."""
    if (
        collection_path.is_dir()
        and one_suite.is_suite_copy(collection_path)
        and not one_suite.in_package(collection_path)
    ):
        config.stash[OTHER_SUITE_KEY] = collection_path.resolve()
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config) -> None:
    if OTHER_SUITE_KEY in config.stash:
        raise pytest.UsageError(one_suite.two_suites(config.stash[OTHER_SUITE_KEY]))


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """The suite's folders as plain directories: pytest's ``Package`` would import each
    ``__init__.py`` by its folder's name (``conformance``), a second name for a module the
    installed package already imported."""
    if not one_suite.in_package(path):
        return None
    use_suite(parent.config)
    return pytest.Dir.from_parent(parent, path=path)


class SuiteModule(pytest.Module):
    """A check module imported by its one installed name (``anam_conformance.suite.test_x``).

    pytest names a module after its folders (``conformance.suite.test_x`` in a checkout); the
    checks' relative imports would then load the whole suite a second time, with a second
    ``ClauseViolation`` class the verdict does not recognise.
    """

    def _getobj(self) -> Any:
        parts = self.path.resolve().relative_to(one_suite.PACKAGE_DIR).with_suffix("").parts
        module = importlib.import_module(".".join((one_suite.PACKAGE, *parts)))
        self.config.pluginmanager.consider_module(module)
        return module


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if not one_suite.in_package(module_path):
        return None
    use_suite(parent.config)
    return SuiteModule.from_parent(parent, path=module_path)


#: Set on a controller that never loaded the suite when a worker says it ran the suite's checks.
UNJUDGED_KEY = pytest.StashKey[int]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker that reached the suite's checks by collecting alone (nothing on the command
    line named the suite, so its controller never loaded it): no clause report can be made."""
    config = node.config
    if config.pluginmanager.has_plugin(SESSION_PLUGIN):
        return
    found = getattr(node, "workeroutput", {}).get(options.SELECTED_OUTPUT)
    if found:
        config.stash[UNJUDGED_KEY] = max(config.stash.get(UNJUDGED_KEY, 0), len(found))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """No verdict is never a pass: checks the suite ran without judging them end the run non-zero."""
    checks = session.config.stash.get(UNJUDGED_KEY, 0)
    if not checks:
        return
    from .report import NO_VERDICT_EXIT  # only here: a session that never used the suite

    terminal = session.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.write_line(
            f"anam-conformance: no verdict: {checks} of the suite's checks ran in xdist workers, but "
            "the command line did not name the suite, so nothing judged them; name it (pytest "
            "conformance, --pyargs anam_conformance, or --anam-plugin=...)",
            red=True,
        )
    session.exitstatus = NO_VERDICT_EXIT
