"""On a 400, tries again without sessionOptions so that the avatar "still starts"."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

BREAKS = ("rejection.no-downgrade",)


class _DowngradingAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().start_session(body)
        except APIStatusError as error:
            if error.status_code != 400 or "sessionOptions" not in body:
                raise
            return await super().start_session({k: v for k, v in body.items() if k != "sessionOptions"})


AvatarSession = avatar_session_with(_DowngradingAPI)
