"""Counts a 404 and a 422 as transient (a route or an avatar "not there yet") and retries them."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

#: Retried within conn_options' budget, then surfaced as Anam said: only the "sent once" is broken.
BREAKS = ("rejection.not-retried",)


class _RetriesMissingThingsAPI(api.AnamAPI):
    def _retryable(self, error: APIStatusError) -> bool:
        return error.retryable or error.status_code in (404, 422)


AvatarSession = avatar_session_with(_RetriesMissingThingsAPI)
