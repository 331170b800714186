"""Puts videoWidth/videoHeight into personaConfig, where Anam ignores them, not sessionOptions."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.verbatim",)


def _move(body: dict[str, Any], _options: Any) -> None:
    video = body.pop("sessionOptions", {})
    for key in ("videoWidth", "videoHeight"):
        if key in video:
            body["personaConfig"][key] = video.pop(key)
    if video:
        body["sessionOptions"] = video


AvatarSession = avatar_session_editing(_move)
