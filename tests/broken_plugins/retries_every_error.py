"""Retries every failed request, 400 included, as the Node.js twin's request loop does."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

BREAKS = ("rejection.not-retried",)


class _RetryingAPI(api.AnamAPI):
    def _retryable(self, error: APIStatusError) -> bool:
        return True


AvatarSession = avatar_session_with(_RetryingAPI)
