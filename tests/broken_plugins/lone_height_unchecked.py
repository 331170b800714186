"""Checks only one half of both-or-neither: a lone width is refused, a lone height goes to Anam."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import SessionOptions, avatar

BREAKS = ("dims.both-or-neither",)


class AvatarSession(avatar.AvatarSession):
    def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
        options = self._session_options
        if options is None or options.video_width is not None or options.video_height is None:
            return super()._request_body(livekit_url, livekit_token)
        self._session_options = SessionOptions(show_ai_avatar_disclosure=options.show_ai_avatar_disclosure)
        try:
            body = super()._request_body(livekit_url, livekit_token)
        finally:
            self._session_options = options
        body.setdefault("sessionOptions", {})["videoHeight"] = options.video_height
        return body
