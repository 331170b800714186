"""Treats every HTTP error as final: a 503 or a 429 is raised at once, never retried (as 1.6.0 .. 1.8.0)."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

BREAKS = ("retry.retryable-retried",)


class _NoStatusRetryAPI(api.AnamAPI):
    def _retryable(self, error: APIStatusError) -> bool:
        return False


AvatarSession = avatar_session_with(_NoStatusRetryAPI)
