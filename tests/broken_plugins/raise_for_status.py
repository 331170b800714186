"""Uses aiohttp's raise_for_status(): a 400 becomes a retried ClientResponseError, then APIConnectionError."""

import aiohttp
from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

# Every error status becomes ClientResponseError, so a 401, 402, 429 or 503 is an APIConnectionError too.
BREAKS = ("rejection.surfaced", "rejection.not-retried", "answers.status-surfaced")


class _RaisingAPI(api.AnamAPI):
    def _client(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=self._timeout(), raise_for_status=True)


AvatarSession = avatar_session_with(_RaisingAPI)
