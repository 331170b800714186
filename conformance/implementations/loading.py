"""From ``--anam-plugin=SPEC`` to the implementation under test, behind the port.

Each kind of spec (:mod:`.specs`) has one loader here, and every kind runs in a
driver process of its own, sandboxed where the machine allows
(:mod:`.sandbox`): a Python module through the Python driver
(``drivers/python/driver.py``, under ``--anam-python``), ``npm:`` and ``node:``
through the Node driver, ``driver:`` as given. Only ``--anam-isolation=in-process``
imports a module into the judge's own process (the in-process adapter), for
debugging. Above this module nothing knows which it got.

A conformance run that silently tested nothing is the worst outcome this suite
can have, so a module that cannot be imported, or lacks the surface every
release had, is refused here with an error that names the option and module.
A module that only lacks the newer surface (``SessionOptions`` before 1.6.0)
is accepted: the clauses that need it are reported ``unimplemented``.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from ..port.description import PythonTypes
from ..port.implementation import Implementation
from . import node, python, specs
from .driven import DescribeRefused, DrivenImplementation
from .process import DriverCrashed, DriverError, DriverProcess, DriverRefused, DriverTimeout
from .sandbox import OPTION as ISOLATION_OPTION
from .sandbox import Isolation, SandboxUnavailable, choose
from .specs import Placement

REFERENCE_MODULE, REFERENCE_ALIASES = python.REFERENCE_MODULE, python.REFERENCE_ALIASES
ENV_VAR, OPTION = specs.ENV_VAR, specs.OPTION

Say = Callable[[str], None]


class TargetError(Exception):
    """The implementation named for test cannot be put under test."""


class TargetBroke(TargetError):
    """The implementation's driver started, then ended or hung while the plugin loaded (a plugin
    that kills its driver at import): no verdict, never the caller's usage error."""

    def __init__(self, message: str, error: DriverError, isolation: Isolation) -> None:
        super().__init__(message)
        self.error = error
        self.isolation = isolation


#: Where an implementation runs unless the caller says: sandboxed where it works, under this Python.
DEFAULT_PLACEMENT = Placement()


def load_target(
    spec: str, say: Say = lambda _: None, placement: Placement = DEFAULT_PLACEMENT
) -> Implementation:
    """The implementation a spec names, loaded by its kind's loader, placed as ``placement`` says.

    ``say`` hears about long work (a first npm install) and a sandbox that cannot be had, for
    the terminal.
    """
    try:
        parsed = specs.parse(spec)
    except specs.SpecError as error:
        raise TargetError(f"{OPTION}={spec}: {error}") from None
    if placement.isolation == "in-process":
        if parsed.kind != "module":
            raise TargetError(
                f"{ISOLATION_OPTION}=in-process: only a Python module can be imported into the judge "
                f"({OPTION}={spec} runs in a driver of its own)"
            )
        return load_in_process(parsed, say, placement)
    try:
        sandbox = choose(placement.isolation, say)
    except SandboxUnavailable as error:
        raise TargetError(str(error)) from None
    return LOADERS[parsed.kind](parsed, say, dataclasses.replace(placement, sandbox=sandbox))


def isolation_of(implementation: Implementation) -> Isolation:
    """How far the implementation is from the judge, as the reports record it."""
    process = getattr(implementation, "process", None)
    return process.isolation if isinstance(process, DriverProcess) else "in-process"


def load_module(spec: specs.Spec, say: Say, placement: Placement) -> DrivenImplementation:
    """A Python plugin module in a driver process of its own, imported as its user's Python would."""
    return _driven(spec, python.python_driver(python.module_name(spec.value), placement))


def load_in_process(
    spec: specs.Spec, say: Say = lambda _: None, placement: Placement = DEFAULT_PLACEMENT
) -> Implementation:
    """Import the plugin module into the judge and check the surface every release exposes.

    Only behind ``--anam-isolation=in-process``: the plugin then shares the judge's memory, and
    livekit-agents is imported here, not before."""
    from .in_process import PythonModule

    if placement.cwd is not None and str(placement.cwd) not in sys.path:
        sys.path.insert(0, str(placement.cwd))  # the caller's folder, as its own Python would have it

    from ..drivers.python import driver  # how the Python driver imports and checks it, in here

    module_name = python.module_name(spec.value)
    try:
        module, found = driver.load_plugin(module_name)
    except driver.PluginNotLoaded as error:
        raise TargetError(f"{OPTION}={spec.value}: {error}") from error
    # The optional surface is read from the module, the one place that may lack it.
    types = PythonTypes(
        avatar_session=found.avatar_session,
        persona_config=found.persona_config,
        session_options=found.session_options,
        director_notes=found.director_notes,
    )
    return PythonModule(module_name, driver.version_of(module), types)


def _driven(spec: specs.Spec, process: DriverProcess) -> DrivenImplementation:
    try:
        return DrivenImplementation.load(spec.text, process)
    except DescribeRefused as refused:
        cause = refused.__cause__
        if isinstance(cause, DriverRefused) and cause.type_name == python.PLUGIN_NOT_LOADED:
            # The driver's own words for a module that is no plugin: the user's mistake, in one line.
            raise TargetError(f"{OPTION}={spec.text}: {cause.message.splitlines()[0]}") from None
        if isinstance(cause, DriverCrashed | DriverTimeout) and process.pid_started:
            raise TargetBroke(f"{OPTION}={spec.text}: {refused}", cause, process.isolation) from cause
        raise TargetError(f"{OPTION}={spec.text}: {refused}") from refused


def load_npm(spec: specs.Spec, say: Say, placement: Placement) -> DrivenImplementation:
    """An npm release and its declared peers, installed into the suite's cache, through the Node driver."""
    where = f"{OPTION}={spec.text}"
    try:
        name, version = node.split_package_spec(spec.value)
        plugin_dir = node.install_release(name, version, say)
        process = node.node_driver(plugin_dir, f"node ({name}@{version})", placement.sandbox)
    except node.NodeUnavailable as error:
        raise TargetError(f"{where}: {error}") from error
    except (ValueError, RuntimeError, OSError) as error:
        raise TargetError(f"{where}: {error}") from error
    return _driven(spec, process)


def load_node(spec: specs.Spec, say: Say, placement: Placement) -> DrivenImplementation:
    """A local Node package folder, as it is, through the Node driver."""
    where = f"{OPTION}={spec.text}"
    plugin_dir = Path(spec.value).expanduser().resolve()
    if not (plugin_dir / "package.json").is_file():
        raise TargetError(f"{where}: {plugin_dir} is not a Node package (no package.json)")
    try:
        process = node.node_driver(plugin_dir, f"node ({plugin_dir})", placement.sandbox)
    except node.NodeUnavailable as error:
        raise TargetError(f"{where}: {error}") from error
    return _driven(spec, process)


def load_driver(spec: specs.Spec, say: Say, placement: Placement) -> DrivenImplementation:
    """Any program that speaks ``drivers/PROTOCOL.md``."""
    argv = shlex.split(spec.value)
    if not argv:
        raise TargetError(f"{OPTION}={spec.text}: name the driver's command")
    name = argv[0] if len(argv) == 1 else " ".join(argv)
    return _driven(spec, DriverProcess(name, argv, cwd=placement.cwd, sandbox=placement.sandbox))


#: One loader per kind of spec (:data:`.specs.KINDS`): a new kind is a spec entry and a loader here.
LOADERS: dict[specs.Kind, Callable[[specs.Spec, Say, Placement], Implementation]] = {
    "module": load_module,
    "npm": load_npm,
    "node": load_node,
    "driver": load_driver,
}
