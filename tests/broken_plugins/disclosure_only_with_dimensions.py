"""Builds sessionOptions only when dimensions are given, so the disclosure flag alone is lost."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._body_edit import avatar_session_editing

BREAKS = ("fields.disclosure-kept",)


def _only_with_dimensions(body: dict[str, Any], _options: Any) -> None:
    if "videoWidth" not in body.get("sessionOptions", {}):
        body.pop("sessionOptions", None)


AvatarSession = avatar_session_editing(_only_with_dimensions)
