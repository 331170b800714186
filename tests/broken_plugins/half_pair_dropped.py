"""A lone dimension is silently ignored (`if width and height:`) instead of refused."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import SessionOptions, avatar, request

BREAKS = ("dims.both-or-neither",)


class AvatarSession(avatar.AvatarSession):
    def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
        options = self._session_options
        if options is not None and (options.video_width is None or options.video_height is None):
            options = SessionOptions(show_ai_avatar_disclosure=options.show_ai_avatar_disclosure)
        return request.session_request_body(
            self._persona_config, livekit_url=livekit_url, livekit_token=livekit_token, options=options
        )
