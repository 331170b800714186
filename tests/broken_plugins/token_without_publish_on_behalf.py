"""Mints the avatar's token without the lk.publish_on_behalf attribute naming the local agent."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit import api, rtc

BREAKS = ("avatar.token",)


class AvatarSession(avatar.AvatarSession):
    def _livekit_token(self, room: rtc.Room, api_key: str, api_secret: str) -> str:
        return (
            api.AccessToken(api_key=api_key, api_secret=api_secret)
            .with_kind("agent")
            .with_identity(self._identity)
            .with_name(self._name)
            .with_grants(api.VideoGrants(room_join=True, room=room.name))
            .to_jwt()
        )
