"""Builds personaConfig field by field and forgets directorNotes (added to PersonaConfig later)."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("fields.persona-kept",)


def _forget_notes(body: dict[str, Any], _options: Any) -> None:
    body["personaConfig"].pop("directorNotes", None)


AvatarSession = avatar_session_editing(_forget_notes)
