"""Logs Anam's 400 and carries on as if the session had started."""

import logging
from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

# It catches every APIStatusError, not only the 400: a 401, 429 or 503 is hidden the same way.
BREAKS = ("rejection.surfaced", "answers.status-surfaced")


class _SwallowingAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().start_session(body)
        except APIStatusError as error:
            logging.getLogger(__name__).warning("Anam refused the session: %s", error.body)
            return {}


AvatarSession = avatar_session_with(_SwallowingAPI)
