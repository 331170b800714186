"""Width and height crossed when mapping to camelCase."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.verbatim",)


def _swap(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    if "videoWidth" in video:
        video["videoWidth"], video["videoHeight"] = video["videoHeight"], video["videoWidth"]


AvatarSession = avatar_session_editing(_swap)
