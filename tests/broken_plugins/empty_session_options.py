"""Always sends a sessionOptions object, empty when no option was asked for."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.omitted-is-baseline",)


def _always(body: dict[str, Any], _options: Any) -> None:
    body.setdefault("sessionOptions", {})


AvatarSession = avatar_session_editing(_always)
