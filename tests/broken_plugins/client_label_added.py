"""Adds the anam SDK's ``clientLabel`` to the body: neither the pre-feature nor the pinned request."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("dims.omitted-is-baseline", "request.snapshot")


def _label(body: dict[str, Any], _options: Any) -> None:
    body["clientLabel"] = "livekit-agents"


AvatarSession = avatar_session_editing(_label)
