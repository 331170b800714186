"""Retries a 400 once "in case it was transient" before giving up."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

BREAKS = ("rejection.not-retried",)


class _RetryOnceAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().start_session(body)
        except APIStatusError as error:
            if error.status_code != 400:
                raise
            return await super().start_session(body)


AvatarSession = avatar_session_with(_RetryOnceAPI)
