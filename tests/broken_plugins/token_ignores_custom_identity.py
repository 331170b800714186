"""Mints the token for the default identity even when a custom avatar identity is asked for."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit import rtc

BREAKS = ("avatar.token",)


class AvatarSession(avatar.AvatarSession):
    def _livekit_token(self, room: rtc.Room, api_key: str, api_secret: str) -> str:
        chosen: Any = self._identity
        self._identity = avatar.AVATAR_IDENTITY
        try:
            return super()._livekit_token(room, api_key, api_secret)
        finally:
            self._identity = chosen
