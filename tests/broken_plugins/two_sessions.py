"""Opens the session twice (a "warm-up" call left in), billing and starting two avatars."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("session.one-request",)


class _TwiceAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        await super().start_session(body)
        return await super().start_session(body)


AvatarSession = avatar_session_with(_TwiceAPI)
