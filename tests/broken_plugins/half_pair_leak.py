"""The feature PR's first commit: sessionOptions built from whichever dimension is set."""

import dataclasses
from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from anam_conformance.plugin_under_test.request import session_request_body

BREAKS = ("dims.both-or-neither",)


class AvatarSession(avatar.AvatarSession):
    def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
        options, video = self._session_options, {}
        without = (
            None if options is None else dataclasses.replace(options, video_width=None, video_height=None)
        )
        body = session_request_body(
            self._persona_config, livekit_url=livekit_url, livekit_token=livekit_token, options=without
        )
        if options is not None and options.video_width is not None:
            video["videoWidth"] = options.video_width
        if options is not None and options.video_height is not None:
            video["videoHeight"] = options.video_height
        if video:
            body["sessionOptions"] = {**body.get("sessionOptions", {}), **video}
        return body
