"""Retries a 503 or 429 without sessionOptions, "to be safe": the avatar comes up at the default size."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("dims.published-size",)


class _SaferRetryAPI(api.AnamAPI):
    _attempts = 0

    def _post(self, http: Any, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        self._attempts += 1
        if self._attempts > 1:  # only ever a retry of a retryable answer: a final one is raised
            body = {k: v for k, v in body.items() if k != "sessionOptions"}
        return super()._post(http, url, body, headers)


AvatarSession = avatar_session_with(_SaferRetryAPI)
