"""Keeps its own copy of Anam's size table and quietly falls back to the default size."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("rejection.no-downgrade",)
KNOWN = {"cara-3": {(720, 480)}, "cara-4-latest": {(1152, 768), (768, 1152)}}


def _downgrade(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    model = body["personaConfig"].get("avatarModel")
    pair = (video.get("videoWidth"), video.get("videoHeight"))
    if "videoWidth" in video and pair not in KNOWN.get(model, {pair}):
        del video["videoWidth"], video["videoHeight"]
        if not video:
            del body["sessionOptions"]


AvatarSession = avatar_session_editing(_downgrade)
