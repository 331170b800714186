"""PersonaConfig "made Pythonic": avatar_id / avatar_model instead of avatarId / avatarModel."""

from dataclasses import dataclass

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import types

BREAKS = ("surface.drop-in",)


@dataclass
class PersonaConfig:
    name: str
    avatar_id: str
    avatar_model: str | None = None
    director_notes: types.DirectorNotes | None = None
