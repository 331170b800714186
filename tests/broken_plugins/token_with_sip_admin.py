"""Mints the avatar's token with a SIP admin grant besides its room grant: the avatar joins and
publishes as before, but it may now manage the project's telephony. No narrower clause reads claims
beyond the avatar's identity, kind, video grant and attributes; the pinned request does."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit import api, rtc
from livekit.agents import get_job_context
from livekit.agents.voice.room_io import ATTRIBUTE_PUBLISH_ON_BEHALF

BREAKS = ("request.snapshot",)


class AvatarSession(avatar.AvatarSession):
    def _livekit_token(self, room: rtc.Room, api_key: str, api_secret: str) -> str:
        return (
            api.AccessToken(api_key=api_key, api_secret=api_secret)
            .with_kind("agent")
            .with_identity(self._identity)
            .with_name(self._name)
            .with_grants(api.VideoGrants(room_join=True, room=room.name))
            .with_sip_grants(api.SIPGrants(admin=True))
            .with_attributes({ATTRIBUTE_PUBLISH_ON_BEHALF: get_job_context().local_participant_identity})
            .to_jwt()
        )
