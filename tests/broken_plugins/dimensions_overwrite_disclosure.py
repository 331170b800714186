"""Assigns sessionOptions = {dimensions} after the disclosure flag was set, losing it."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("fields.disclosure-kept",)


def _overwrite(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    if "videoWidth" in video:
        body["sessionOptions"] = {k: video[k] for k in ("videoWidth", "videoHeight")}


AvatarSession = avatar_session_editing(_overwrite)
