"""Sends the API key without the Bearer scheme and retries every refusal, Anam's 401 included."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

#: The header is request.shape's fault; the 401 it earns, sent again, is rejection.not-retried's.
#: The resent 401s are the same request again, not a second session: not session.one-request's.
BREAKS = ("request.shape", "rejection.not-retried")


class _BareKeyRetryingAPI(api.AnamAPI):
    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Authorization": self._api_key}

    def _retryable(self, error: APIStatusError) -> bool:
        return True


AvatarSession = avatar_session_with(_BareKeyRetryingAPI)
