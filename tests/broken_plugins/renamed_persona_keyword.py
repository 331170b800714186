"""Renames the constructor's persona_config keyword to persona: no longer a drop-in."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar

BREAKS = ("surface.drop-in",)


class AvatarSession(avatar.AvatarSession):
    def __init__(self, *, persona: Any = None, **kwargs: Any) -> None:
        super().__init__(persona_config=persona, **kwargs)
