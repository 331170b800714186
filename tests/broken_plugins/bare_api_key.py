"""Sends the API key without the Bearer scheme (Authorization: <key>)."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("request.shape",)


class _BareKeyAPI(api.AnamAPI):
    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Authorization": self._api_key}


AvatarSession = avatar_session_with(_BareKeyAPI)
