"""Rebuilds personaConfig from name and avatarId when dimensions are given, losing avatarModel."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("fields.persona-kept",)


def _rebuild(body: dict[str, Any], _options: Any) -> None:
    if "videoWidth" in body.get("sessionOptions", {}):
        body["personaConfig"].pop("avatarModel", None)
        body["personaConfig"].pop("directorNotes", None)


AvatarSession = avatar_session_editing(_rebuild)
