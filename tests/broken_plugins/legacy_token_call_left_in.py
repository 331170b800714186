"""Moved to the one-request flow but left the old session-token call in: two session requests per start."""

from typing import Any

import aiohttp
from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("session.one-request",)


class _LegacyFirstAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        # The old flow's first request, its token no longer used.
        token_url = f"{self._api_url}/v1/auth/session-token"
        async with aiohttp.ClientSession() as http, http.post(token_url, json=body, headers=self._headers()):
            pass
        return await super().start_session(body)


AvatarSession = avatar_session_with(_LegacyFirstAPI)
