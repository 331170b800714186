"""Retries a 400 until five attempts have failed, whatever conn_options allows."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIStatusError

from ._api_variant import avatar_session_with

#: A 400 is final (rejection.not-retried), and five attempts are more than the suite's
#: max_retry + 1 = 3 that "no answer" may cause (retry.bounded): two clauses, each broken.
BREAKS = ("rejection.not-retried", "retry.bounded")

ATTEMPTS_ON_400 = 5


class _FiveTimesAPI(api.AnamAPI):
    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(ATTEMPTS_ON_400):
            try:
                return await super().start_session(body)
            except APIStatusError as error:
                if error.status_code != 400 or attempt == ATTEMPTS_ON_400 - 1:
                    raise
        raise AssertionError("unreachable")


AvatarSession = avatar_session_with(_FiveTimesAPI)
