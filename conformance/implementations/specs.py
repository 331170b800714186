"""How an implementation is named: ``--anam-plugin=SPEC``, parsed in one place.

The pytest plugin loads what a spec names; ``anam-conformance`` only rewrites
its local paths (the child runs in another directory). Both read specs here, so
a new kind of implementation is one entry in :data:`KINDS`, and the help, the
usage errors and the runner's rewriting follow from it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .sandbox import Sandbox

Kind = Literal["module", "npm", "node", "driver"]
OPTION = "--anam-plugin"
#: What names the implementation when the option does not.
ENV_VAR = "ANAM_PLUGIN"
#: The interpreter a Python module's driver runs under, and the environment's say when not given.
PYTHON_OPTION, PYTHON_ENV = "--anam-python", "ANAM_PYTHON"
#: The folder a Python module is imported from when it is not the suite's own working directory:
#: ``anam-conformance`` runs the suite in a folder of its own, and names the caller's here.
CALLER_DIR_ENV = "ANAM_CONFORMANCE_CALLER_DIR"


@dataclass(frozen=True)
class KindInfo:
    """One kind of implementation: what a maintainer writes, and an example."""

    kind: Kind
    form: str
    meaning: str
    example: str


#: Every kind a spec can name, the prefixed ones by their prefix; a spec with none is a module.
KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "module",
        "MODULE",
        "a Python module, run by the Python driver under --anam-python",
        "livekit.plugins.anam",
    ),
    KindInfo(
        "npm",
        "npm:PACKAGE@VERSION",
        "a Node release, installed from npm into the suite's cache",
        "npm:@livekit/agents-plugin-anam@1.5.0",
    ),
    KindInfo(
        "node",
        "node:PATH",
        "a local Node package folder (a built checkout)",
        "node:../agents-js/plugins/anam",
    ),
    KindInfo(
        "driver",
        "driver:COMMAND",
        "any program that speaks the suite's driver protocol",
        '"driver:python my_driver.py"',
    ),
)
PREFIXED: dict[str, KindInfo] = {info.kind: info for info in KINDS if info.kind != "module"}


class SpecError(ValueError):
    """A spec that names nothing that could be judged."""


@dataclass(frozen=True)
class Spec:
    kind: Kind
    value: str

    @property
    def text(self) -> str:
        """The spec as written on the command line."""
        return self.value if self.kind == "module" else f"{self.kind}:{self.value}"

    @property
    def out_of_process(self) -> bool:
        return self.kind != "module"

    def localized(self, cwd: Path) -> Spec:
        """The spec with its local paths taken from ``cwd``: ``node:PATH``'s folder, and a
        ``driver:`` command's program (when it has a slash, as a shell finds it) and file
        arguments. A module, and an npm release, name nothing local.
        """
        if self.kind == "node":
            return Spec("node", str((cwd / Path(self.value).expanduser()).resolve()))
        if self.kind == "driver":
            program, *args = shlex.split(self.value) or [""]
            words = [(program, "/" in program), *((a, (cwd / a).is_file()) for a in args)]
            shown = (
                str((cwd / w).resolve()) if local and not Path(w).is_absolute() else w for w, local in words
            )
            return Spec("driver", shlex.join(shown))
        return self


def parse(text: str) -> Spec:
    """``npm:@scope/name@1.5.0`` -> Spec("npm", "@scope/name@1.5.0"); no known prefix: a module."""
    prefix, colon, rest = text.partition(":")
    if colon and prefix in PREFIXED:
        if not rest.strip():
            raise SpecError(
                f"name what to judge after {prefix}: (e.g. {PREFIXED[prefix].example.strip(chr(34))})"
            )
        return Spec(PREFIXED[prefix].kind, rest)
    if not text.strip():
        raise SpecError("name the implementation to judge")
    return Spec("module", text)


@dataclass(frozen=True)
class Placement:
    """Where the judged code runs: how far from the judge, under which Python, in which folder.

    ``python`` runs a Python module's driver (a venv holding the plugin and its own
    livekit-agents; the suite's interpreter by default); ``cwd`` is the folder a module
    is imported from, as its user's interpreter would (the caller's, under the runner);
    ``sandbox`` is what ``isolation`` came to on this machine.
    """

    isolation: str = "auto"
    python: str | None = None
    cwd: Path | None = None
    sandbox: Sandbox | None = None
