"""Uses aiohttp's raise_for_status(): a 400 becomes a retried ClientResponseError, then APIConnectionError."""

from typing import Any

import aiohttp

from plugin_under_test import *  # noqa: F403
from plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("rejection.surfaced", "rejection.not-retried")


class _RaisingAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}{api.ENGINE_SESSION_PATH}"
        async with aiohttp.ClientSession() as http:
            for attempt in range(self._conn_options.max_retry + 1):
                try:
                    async with http.post(url, json=body, headers=self._headers()) as response:
                        response.raise_for_status()
                        result: dict[str, Any] = await response.json()
                        return result
                except aiohttp.ClientError as error:
                    if attempt == self._conn_options.max_retry:
                        raise api.APIConnectionError(f"cannot reach Anam at {url}") from error
        raise api.APIConnectionError(f"cannot reach Anam at {url}")


AvatarSession = avatar_session_with(_RaisingAPI)
