"""Posts json.dumps(body) as data=, so the request goes out as text/plain, not application/json."""

import json
from typing import Any

import aiohttp

from plugin_under_test import *  # noqa: F403
from plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("request.shape",)


class _TextAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}{api.ENGINE_SESSION_PATH}"
        headers = {"Authorization": f"Bearer {self._api_key}"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=json.dumps(body), headers=headers) as r,
        ):
            if not r.ok:
                raise api.APIStatusError(
                    "Anam refused the session", status_code=r.status, body=await r.text()
                )
            result: dict[str, Any] = await r.json(content_type=None)
            return result


AvatarSession = avatar_session_with(_TextAPI)
