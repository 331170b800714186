"""Re-raises Anam's 400 as the plugin's own exception, losing status code and body."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import AnamException, api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

# It catches every APIStatusError, not only the 400: a 401, 429 or 503 is hidden the same way.
BREAKS = ("rejection.surfaced", "answers.status-surfaced")


class _RewrappingAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().start_session(body)
        except APIStatusError as error:
            raise AnamException(f"failed to start the Anam session ({error.status_code})") from None


AvatarSession = avatar_session_with(_RewrappingAPI)
