"""``AvatarSession``: start an Anam avatar in the agent's room."""

from __future__ import annotations

import os
from typing import Any

from livekit import api, rtc
from livekit.agents import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    AgentSession,
    APIConnectOptions,
    APIError,
    NotGivenOr,
    get_job_context,
    utils,
)
from livekit.agents.voice.avatar import AvatarSession as BaseAvatarSession
from livekit.agents.voice.avatar import DataStreamAudioOutput
from livekit.agents.voice.room_io import ATTRIBUTE_PUBLISH_ON_BEHALF

from .api import DEFAULT_API_URL, AnamAPI
from .errors import AnamException
from .request import session_request_body
from .types import PersonaConfig, SessionOptions

SAMPLE_RATE = 24000
AVATAR_IDENTITY = "anam-avatar-agent"
AVATAR_NAME = "anam-avatar-agent"


class AvatarSession(BaseAvatarSession[Any]):
    """An Anam avatar that joins the room and speaks the agent's audio.

    Each step (token, body, call, audio hand-off) is one method, so that a
    variant of this plugin can change exactly one of them.
    """

    api_class: type[AnamAPI] = AnamAPI

    def __init__(
        self,
        *,
        persona_config: PersonaConfig,
        session_options: NotGivenOr[SessionOptions] = NOT_GIVEN,
        api_url: NotGivenOr[str] = NOT_GIVEN,
        api_key: NotGivenOr[str] = NOT_GIVEN,
        avatar_participant_identity: NotGivenOr[str] = NOT_GIVEN,
        avatar_participant_name: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> None:
        super().__init__()
        key = api_key if utils.is_given(api_key) else os.getenv("ANAM_API_KEY")
        if not key:
            raise AnamException("ANAM_API_KEY must be set by arguments or environment variables")
        self._api = self.api_class(
            api_key=key,
            api_url=api_url if utils.is_given(api_url) else os.getenv("ANAM_API_URL", DEFAULT_API_URL),
            conn_options=conn_options,
        )
        self._persona_config = persona_config
        self._session_options = session_options if utils.is_given(session_options) else None
        self._identity = avatar_participant_identity or AVATAR_IDENTITY
        self._name = avatar_participant_name or AVATAR_NAME
        self.session_id: str | None = None

    @property
    def avatar_identity(self) -> str:
        return self._identity

    @property
    def provider(self) -> str:
        return "anam"

    async def start(
        self,
        agent_session: AgentSession[Any],
        room: rtc.Room,
        *,
        livekit_url: NotGivenOr[str] = NOT_GIVEN,
        livekit_api_key: NotGivenOr[str] = NOT_GIVEN,
        livekit_api_secret: NotGivenOr[str] = NOT_GIVEN,
    ) -> None:
        url = livekit_url or os.getenv("LIVEKIT_URL")
        key = livekit_api_key or os.getenv("LIVEKIT_API_KEY")
        secret = livekit_api_secret or os.getenv("LIVEKIT_API_SECRET")
        if not url or not key or not secret:
            raise AnamException(
                "livekit_url, livekit_api_key and livekit_api_secret must be set "
                "by arguments or environment variables"
            )
        # Built first: a half pair is refused before anything is started or sent.
        body = self._request_body(url, self._livekit_token(room, key, secret))
        await super().start(agent_session, room)
        session: dict[str, Any] = await self._api.start_session(body)
        self.session_id = self._session_id(session)
        agent_session.output.replace_audio_tail(self._audio_output(room))

    def _session_id(self, session: dict[str, Any]) -> str:
        """Anam's answer names the session it opened; without one no avatar is coming."""
        session_id = session.get("sessionId")
        if not isinstance(session_id, str) or not session_id:
            raise APIError(
                "Anam's answer names no sessionId: no session was started", body=session, retryable=False
            )
        return session_id

    def _request_body(self, livekit_url: str, livekit_token: str) -> dict[str, Any]:
        return session_request_body(
            self._persona_config,
            livekit_url=livekit_url,
            livekit_token=livekit_token,
            options=self._session_options,
        )

    def _audio_output(self, room: rtc.Room) -> DataStreamAudioOutput:
        """The agent's speech goes to the avatar, once the avatar's video is there to carry it."""
        return DataStreamAudioOutput(
            room=room,
            destination_identity=self._identity,
            sample_rate=SAMPLE_RATE,
            wait_remote_track=rtc.TrackKind.KIND_VIDEO,
            wait_playback_start=True,
        )

    def _livekit_token(self, room: rtc.Room, api_key: str, api_secret: str) -> str:
        """The avatar's own admission to the room, publishing on behalf of the local agent."""
        return (
            api.AccessToken(api_key=api_key, api_secret=api_secret)
            .with_kind("agent")
            .with_identity(self._identity)
            .with_name(self._name)
            .with_grants(api.VideoGrants(room_join=True, room=room.name))
            .with_attributes({ATTRIBUTE_PUBLISH_ON_BEHALF: get_job_context().local_participant_identity})
            .to_jwt()
        )
