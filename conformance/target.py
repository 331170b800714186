"""The implementation under test: which one, and what of the public surface it has.

Two kinds of target share one small protocol (:class:`Target`): a Python
module driven in-process (:class:`PluginTarget`), and an implementation in
another language driven out of process through its driver
(:class:`~anam_conformance.implementations.driver_target.DriverTarget`):
``--anam-plugin=npm:@livekit/agents-plugin-anam@1.5.0`` (an npm release),
``node:PATH`` (a local Node package) or ``driver:COMMAND`` (any program that
speaks ``drivers/PROTOCOL.md``).

A conformance run that silently tested nothing is the worst outcome this suite
can have, so a module that cannot be imported, or lacks the surface every
release had, is refused here with an error that names the option and module.
A module that only lacks the newer surface (``SessionOptions`` before 1.6.0)
is accepted: the clauses that need it are reported ``unimplemented``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .implementations import specs

if TYPE_CHECKING:
    from .implementations.driver_target import DriverTarget

#: The reference plugin travels inside the suite; ``plugin_under_test`` (its folder in the
#: repository) is accepted as its short name.
REFERENCE_MODULE = "anam_conformance.plugin_under_test"
REFERENCE_ALIASES = frozenset({"plugin_under_test", REFERENCE_MODULE})
ENV_VAR = "ANAM_PLUGIN"
OPTION = "--anam-plugin"


class TargetError(Exception):
    """The module named for test cannot be put under test."""


class Target(Protocol):
    """What the suite needs of any implementation: its name, version and optional surface."""

    kind: ClassVar[str]

    @property
    def module_name(self) -> str: ...

    @property
    def version(self) -> str | None: ...

    @property
    def session_options(self) -> object | None: ...

    @property
    def director_notes(self) -> object | None: ...

    def session_option_fields(self) -> frozenset[str]: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PluginTarget:
    """A Python module with the public surface of ``livekit.plugins.anam``, driven in-process."""

    kind: ClassVar[str] = "python"
    module_name: str
    module: ModuleType
    version: str | None
    avatar_session: type
    persona_config: type
    session_options: type | None
    director_notes: type | None

    def session_option_fields(self) -> frozenset[str]:
        """The keyword arguments ``SessionOptions`` takes (empty when it has none)."""
        if self.session_options is None:
            return frozenset()
        if dataclasses.is_dataclass(self.session_options):
            return frozenset(f.name for f in dataclasses.fields(self.session_options))
        params = inspect.signature(self.session_options).parameters
        return frozenset(name for name in params if name != "self")

    def describe(self) -> dict[str, Any]:
        return {"module": self.module_name, "version": self.version}


def _version_of(module: ModuleType) -> str | None:
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version(module.__name__.replace(".", "-"))
    except importlib.metadata.PackageNotFoundError:
        return None


def is_driver(target: object) -> bool:
    return getattr(target, "kind", None) == "driver"


def load_target(spec: str, say: Callable[[str], None] = lambda _: None) -> PluginTarget | DriverTarget:
    """A Python module by its import name, or an out-of-process implementation by its prefix.

    ``say`` hears about long work (a first npm install), for the terminal.
    """
    try:
        parsed = specs.parse(spec)
    except specs.SpecError as error:
        raise TargetError(f"{OPTION}={spec}: {error}") from None
    if parsed.out_of_process:
        return load_out_of_process(parsed, say)
    return load_module_target(parsed.value)


def load_out_of_process(spec: specs.Spec, say: Callable[[str], None] = lambda _: None) -> DriverTarget:
    """Install (npm) or locate (node) the implementation, start its driver, ask it to describe itself."""
    import shlex
    from pathlib import Path

    from .implementations import node
    from .implementations.driver_target import load_driver_target
    from .implementations.process import DriverProcess

    where = f"{OPTION}={spec.text}"
    try:
        if spec.kind == "npm":
            name, version = node.split_package_spec(spec.value)
            plugin_dir = node.install_release(name, version, say)
            process = node.node_driver(plugin_dir, f"node ({name}@{version})")
        elif spec.kind == "node":
            plugin_dir = Path(spec.value).expanduser().resolve()
            if not (plugin_dir / "package.json").is_file():
                raise TargetError(f"{where}: {plugin_dir} is not a Node package (no package.json)")
            process = node.node_driver(plugin_dir, f"node ({plugin_dir})")
        else:
            argv = shlex.split(spec.value)
            process = DriverProcess(argv[0] if len(argv) == 1 else " ".join(argv), argv)
    except node.NodeUnavailable as error:
        raise TargetError(f"{where}: {error}") from error
    except (ValueError, RuntimeError, OSError) as error:
        raise TargetError(f"{where}: {error}") from error
    return load_driver_target(spec.text, process)


def load_module_target(module_name: str) -> PluginTarget:
    """Import the plugin module and check the surface every release exposes."""
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
    return PluginTarget(
        module_name=module_name,
        module=module,
        version=_version_of(module),
        avatar_session=avatar_session,
        persona_config=persona_config,
        session_options=getattr(module, "SessionOptions", None),
        director_notes=getattr(module, "DirectorNotes", None),
    )
