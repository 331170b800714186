"""SessionOptions declared as a plain dataclass with required fields: SessionOptions() no longer works."""

from dataclasses import dataclass

from anam_conformance.plugin_under_test import *  # noqa: F403

BREAKS = ("surface.session-options",)


@dataclass
class SessionOptions:
    video_width: int | None
    video_height: int | None
    show_ai_avatar_disclosure: bool | None = None
