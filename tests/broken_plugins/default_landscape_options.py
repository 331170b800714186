"""SessionOptions defaults to 1152x768 "for convenience", so every session asks for it."""

from dataclasses import dataclass

from anam_conformance.plugin_under_test import *  # noqa: F403

BREAKS = ("surface.session-options",)


@dataclass
class SessionOptions:
    video_width: int | None = 1152
    video_height: int | None = 768
    show_ai_avatar_disclosure: bool | None = None
