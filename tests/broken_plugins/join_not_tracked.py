"""Its start() leaves out ``super().start()``, so wait_for_join() resolves before the avatar comes."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar

BREAKS = ("avatar.joins",)


class AvatarSession(avatar.AvatarSession):
    async def start(
        self,
        agent_session: Any,
        room: Any,
        *,
        livekit_url: str,
        livekit_api_key: str,
        livekit_api_secret: str,
    ) -> None:
        # The reference's start() line for line, but for the framework's: nothing tracks the join.
        body = self._request_body(livekit_url, self._livekit_token(room, livekit_api_key, livekit_api_secret))
        session: dict[str, Any] = await self._api.start_session(body)
        self.session_id = self._session_id(session)
        agent_session.output.replace_audio_tail(self._audio_output(room))
