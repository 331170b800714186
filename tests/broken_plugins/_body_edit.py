"""Shared by the variants that change one thing in the reference's request body."""

from collections.abc import Callable
from typing import Any

from anam_conformance.plugin_under_test import avatar

BodyEdit = Callable[[dict[str, Any], Any], None]


def avatar_session_editing(edit: BodyEdit) -> type[avatar.AvatarSession]:
    """An ``AvatarSession`` whose body is the reference's, then ``edit(body, session_options)``."""

    class AvatarSession(avatar.AvatarSession):
        def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
            body = super()._request_body(livekit_url, livekit_token)
            edit(body, self._session_options)
            return body

    return AvatarSession
