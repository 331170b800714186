"""Bounds only the connection with conn_options.timeout, as released 1.8.x do: a silent Anam hangs start()."""

import aiohttp
from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("transport.timeout-bounded",)


class _ConnectOnlyAPI(api.AnamAPI):
    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(sock_connect=self._conn_options.timeout)


AvatarSession = avatar_session_with(_ConnectOnlyAPI)
