"""Raises a timeout as a plain APIConnectionError (as released 1.8.x do), not APITimeoutError."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIConnectionError

from ._api_variant import avatar_session_with

BREAKS = ("transport.timeout-surfaced",)


class _PlainConnectionErrorAPI(api.AnamAPI):
    def _timed_out(self, url: str, error: BaseException) -> Exception:
        return APIConnectionError(f"cannot reach Anam at {url}")


AvatarSession = avatar_session_with(_PlainConnectionErrorAPI)
