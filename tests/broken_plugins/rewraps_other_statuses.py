"""Keeps APIStatusError for the feature's 400; re-raises every other status as the plugin's own exception."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import AnamException, api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

BREAKS = ("answers.status-surfaced",)


class _OtherStatusesRewrappedAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().start_session(body)
        except APIStatusError as error:
            if error.status_code == 400:
                raise
            raise AnamException(f"Anam failed with HTTP {error.status_code}") from None


AvatarSession = avatar_session_with(_OtherStatusesRewrappedAPI)
