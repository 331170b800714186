"""An implementation driven out of process: its surface as its driver describes it.

The driver answers ``describe`` once, when the target is loaded, so that the
clauses the release lacks the surface for are known at collection (reported
``unimplemented``), exactly as for an in-process module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .process import PROTOCOL_VERSION, DriverError, DriverProcess

#: The driver reports option fields in its own language's spelling; the suite's are Python's.
PYTHON_FIELD_NAMES = {
    "videoWidth": "video_width",
    "videoHeight": "video_height",
    "showAIAvatarDisclosure": "show_ai_avatar_disclosure",
}


@dataclass(frozen=True)
class Offered:
    """A part of the surface the implementation has (a type in its language, not a Python one)."""

    name: str
    language: str


@dataclass
class DriverTarget:
    """An implementation in another language, judged through its driver process."""

    kind: ClassVar[str] = "driver"
    spec: str
    process: DriverProcess
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def module_name(self) -> str:
        return self.spec

    @property
    def version(self) -> str | None:
        version = self.info.get("version")
        return version if isinstance(version, str) else None

    @property
    def language(self) -> str:
        return str(self.info.get("language", "unknown"))

    @property
    def surface(self) -> dict[str, Any]:
        surface = self.info.get("surface")
        return surface if isinstance(surface, dict) else {}

    @property
    def session_options(self) -> Offered | None:
        return Offered("SessionOptions", self.language) if self.surface.get("session_options") else None

    @property
    def director_notes(self) -> Offered | None:
        return Offered("DirectorNotes", self.language) if self.surface.get("director_notes") else None

    def session_option_fields(self) -> frozenset[str]:
        fields = self.surface.get("session_option_fields") or []
        return frozenset(PYTHON_FIELD_NAMES.get(str(f), str(f)) for f in fields)

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"module": self.spec, "version": self.version}
        for key in ("name", "language", "runtime", "framework"):
            if key in self.info:
                described[key] = self.info[key]
        described["driver"] = self.process.name
        return described

    def close(self) -> None:
        self.process.close()


def load_driver_target(spec: str, process: DriverProcess) -> DriverTarget:
    """Start the driver and ask it what it is; a driver that cannot say is refused."""
    from ..target import TargetError

    try:
        info = process.request("describe")
    except DriverError as error:
        process.close()
        raise TargetError(f"--anam-plugin={spec}: {error}") from error
    if info.get("protocol") != PROTOCOL_VERSION:
        process.close()
        raise TargetError(
            f"--anam-plugin={spec}: driver {process.name} speaks protocol {info.get('protocol')!r}, "
            f"the suite speaks {PROTOCOL_VERSION}"
        )
    if not info.get("surface", {}).get("avatar_session"):
        process.close()
        raise TargetError(f"--anam-plugin={spec}: {info.get('name')} is not an Anam plugin: no AvatarSession")
    return DriverTarget(spec, process, info)
