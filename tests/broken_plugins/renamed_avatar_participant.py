"""Mints the avatar's token as the Node plugin does: named "Anam Avatar", valid 60 s, default grants left out.

None of it is in the contract (the display name is the implementation's default, a token's
lifetime only bounds the first connection, an absent canPublish is LiveKit's true), so the
plugin conforms; the request snapshot notes each difference. Not a mutant: its test is in
tests/test_snapshots_files.py.
"""

import time
from typing import Any

import jwt
from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit.agents import get_job_context
from livekit.agents.voice.room_io import ATTRIBUTE_PUBLISH_ON_BEHALF

BREAKS = ()
TTL = 60


class AvatarSession(avatar.AvatarSession):
    def _livekit_token(self, room: Any, api_key: str, api_secret: str) -> str:
        now = int(time.time())
        claims = {
            "iss": api_key,
            "sub": self._identity,
            "name": "Anam Avatar",
            "kind": "agent",
            "nbf": now,
            "exp": now + TTL,
            "video": {"roomJoin": True, "room": room.name},
            "attributes": {ATTRIBUTE_PUBLISH_ON_BEHALF: get_job_context().local_participant_identity},
        }
        return jwt.encode(claims, api_secret, algorithm="HS256")
