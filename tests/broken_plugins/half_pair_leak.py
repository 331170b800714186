"""The feature PR's first commit: sessionOptions built from whichever dimension is set."""

from typing import Any

from plugin_under_test import *  # noqa: F403
from plugin_under_test import avatar
from plugin_under_test.request import session_request_body

BREAKS = ("dims.both-or-neither",)


class AvatarSession(avatar.AvatarSession):
    def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
        body = session_request_body(
            self._persona_config, livekit_url=livekit_url, livekit_token=livekit_token, options=None
        )
        options, video = self._session_options, {}
        if options is not None and options.video_width is not None:
            video["videoWidth"] = options.video_width
        if options is not None and options.video_height is not None:
            video["videoHeight"] = options.video_height
        if video:
            body["sessionOptions"] = video
        return body
