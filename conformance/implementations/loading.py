"""From ``--anam-plugin=SPEC`` to the implementation under test, behind the port.

Each kind of spec (:mod:`.specs`) has one loader here: a Python module is
imported and becomes the in-process adapter; ``npm:``, ``node:`` and
``driver:`` start a driver process and become the driven adapter. Above this
module nothing knows which it got.

A conformance run that silently tested nothing is the worst outcome this suite
can have, so a module that cannot be imported, or lacks the surface every
release had, is refused here with an error that names the option and module.
A module that only lacks the newer surface (``SessionOptions`` before 1.6.0)
is accepted: the clauses that need it are reported ``unimplemented``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import shlex
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from ..port.description import PythonTypes
from ..port.implementation import Implementation
from . import node, specs
from .driven import DescribeRefused, DrivenImplementation
from .in_process import PythonModule
from .process import DriverProcess

#: The reference plugin travels inside the suite; ``plugin_under_test`` (its folder in the
#: repository) is accepted as its short name.
REFERENCE_MODULE = "anam_conformance.plugin_under_test"
REFERENCE_ALIASES = frozenset({"plugin_under_test", REFERENCE_MODULE})
ENV_VAR, OPTION = specs.ENV_VAR, specs.OPTION

Say = Callable[[str], None]


class TargetError(Exception):
    """The implementation named for test cannot be put under test."""


def load_target(spec: str, say: Say = lambda _: None) -> Implementation:
    """The implementation a spec names, loaded by its kind's loader.

    ``say`` hears about long work (a first npm install), for the terminal.
    """
    try:
        parsed = specs.parse(spec)
    except specs.SpecError as error:
        raise TargetError(f"{OPTION}={spec}: {error}") from None
    return LOADERS[parsed.kind](parsed, say)


def _version_of(module: ModuleType) -> str | None:
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version(module.__name__.replace(".", "-"))
    except importlib.metadata.PackageNotFoundError:
        return None


def load_module(spec: specs.Spec, say: Say = lambda _: None) -> PythonModule:
    """Import the plugin module and check the surface every release exposes."""
    module_name = spec.value
    where = f"{OPTION}={module_name}"
    if module_name in REFERENCE_ALIASES:
        module_name = REFERENCE_MODULE
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an import error of any kind must stop the run
        raise TargetError(
            f"{where}: the plugin module cannot be imported: {type(exc).__name__}: {exc}"
        ) from exc

    missing = [name for name in ("AvatarSession", "PersonaConfig") if not hasattr(module, name)]
    if missing:
        raise TargetError(
            f"{where}: {module.__name__} ({getattr(module, '__file__', '?')}) is not an Anam "
            f"plugin: it lacks {', '.join(missing)}"
        )
    avatar_session = module.AvatarSession
    persona_config = module.PersonaConfig
    for name, value in (("AvatarSession", avatar_session), ("PersonaConfig", persona_config)):
        if not inspect.isclass(value):
            raise TargetError(f"{where}: {name} is not a class but {type(value).__name__}")
    # The optional surface is read from the module, the one place that may lack it.
    types = PythonTypes(
        avatar_session=avatar_session,
        persona_config=persona_config,
        session_options=getattr(module, "SessionOptions", None),
        director_notes=getattr(module, "DirectorNotes", None),
    )
    return PythonModule(module_name, _version_of(module), types)


def _driven(spec: specs.Spec, process: DriverProcess) -> DrivenImplementation:
    try:
        return DrivenImplementation.load(spec.text, process)
    except DescribeRefused as refused:
        raise TargetError(f"{OPTION}={spec.text}: {refused}") from refused


def load_npm(spec: specs.Spec, say: Say = lambda _: None) -> DrivenImplementation:
    """An npm release and its declared peers, installed into the suite's cache, through the Node driver."""
    where = f"{OPTION}={spec.text}"
    try:
        name, version = node.split_package_spec(spec.value)
        plugin_dir = node.install_release(name, version, say)
        process = node.node_driver(plugin_dir, f"node ({name}@{version})")
    except node.NodeUnavailable as error:
        raise TargetError(f"{where}: {error}") from error
    except (ValueError, RuntimeError, OSError) as error:
        raise TargetError(f"{where}: {error}") from error
    return _driven(spec, process)


def load_node(spec: specs.Spec, say: Say = lambda _: None) -> DrivenImplementation:
    """A local Node package folder, as it is, through the Node driver."""
    where = f"{OPTION}={spec.text}"
    plugin_dir = Path(spec.value).expanduser().resolve()
    if not (plugin_dir / "package.json").is_file():
        raise TargetError(f"{where}: {plugin_dir} is not a Node package (no package.json)")
    try:
        process = node.node_driver(plugin_dir, f"node ({plugin_dir})")
    except node.NodeUnavailable as error:
        raise TargetError(f"{where}: {error}") from error
    return _driven(spec, process)


def load_driver(spec: specs.Spec, say: Say = lambda _: None) -> DrivenImplementation:
    """Any program that speaks ``drivers/PROTOCOL.md``."""
    argv = shlex.split(spec.value)
    if not argv:
        raise TargetError(f"{OPTION}={spec.text}: name the driver's command")
    return _driven(spec, DriverProcess(argv[0] if len(argv) == 1 else " ".join(argv), argv))


#: One loader per kind of spec (:data:`.specs.KINDS`): a new kind is a spec entry and a loader here.
LOADERS: dict[specs.Kind, Callable[[specs.Spec, Say], Implementation]] = {
    "module": load_module,
    "npm": load_npm,
    "node": load_node,
    "driver": load_driver,
}
