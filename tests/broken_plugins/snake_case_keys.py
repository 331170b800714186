"""The Python field names leak onto the wire: sessionOptions.video_width/video_height."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.verbatim",)


def _snake(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    for camel, snake in (("videoWidth", "video_width"), ("videoHeight", "video_height")):
        if camel in video:
            video[snake] = video.pop(camel)


AvatarSession = avatar_session_editing(_snake)
