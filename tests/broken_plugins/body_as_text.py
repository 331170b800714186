"""Posts json.dumps(body) as data=, so the request goes out as text/plain, not application/json."""

import json
from typing import Any

import aiohttp
from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("request.shape",)


class _TextAPI(api.AnamAPI):
    def _post(
        self, http: aiohttp.ClientSession, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._api_key}"}
        return http.post(url, data=json.dumps(body), headers=headers)


AvatarSession = avatar_session_with(_TextAPI)
