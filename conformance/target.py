"""The plugin under test: which module, and what of the public surface it has.

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
from dataclasses import dataclass
from types import ModuleType
from typing import Any

REFERENCE_MODULE = "plugin_under_test"
ENV_VAR = "ANAM_PLUGIN"
OPTION = "--anam-plugin"


class TargetError(Exception):
    """The module named for test cannot be put under test."""


@dataclass(frozen=True)
class PluginTarget:
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


def load_target(module_name: str) -> PluginTarget:
    """Import the plugin module and check the surface every release exposes."""
    where = f"{OPTION}={module_name}"
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
