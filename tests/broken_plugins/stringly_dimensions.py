"""Dimensions sent as strings ("1152"), as a query-string habit would."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.verbatim",)


def _stringify(body: dict[str, Any], _options: Any) -> None:
    video = body.get("sessionOptions", {})
    for key in ("videoWidth", "videoHeight"):
        if key in video:
            video[key] = str(video[key])


AvatarSession = avatar_session_editing(_stringify)
