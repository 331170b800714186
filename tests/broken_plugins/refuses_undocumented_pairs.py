"""Keeps its own copy of Anam's size table and raises ValueError for any other pair, valid or not."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.local-refusal",)
KNOWN = {(720, 480), (1152, 768), (768, 1152)}


def _refuse(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    if "videoWidth" in video and (video["videoWidth"], video["videoHeight"]) not in KNOWN:
        raise ValueError(f"unsupported size {video['videoWidth']}x{video['videoHeight']}")


AvatarSession = avatar_session_editing(_refuse)
