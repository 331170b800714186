"""Retries with a hard-coded budget of ten attempts instead of the caller's conn_options.max_retry."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api
from livekit.agents import APIConnectOptions

from ._api_variant import avatar_session_with

BREAKS = ("retry.bounded",)


class _TenAttemptsAPI(api.AnamAPI):
    def __init__(self, *, api_key: str, api_url: str, conn_options: APIConnectOptions) -> None:
        ten = APIConnectOptions(
            max_retry=9, retry_interval=conn_options.retry_interval, timeout=conn_options.timeout
        )
        super().__init__(api_key=api_key, api_url=api_url, conn_options=ten)


AvatarSession = avatar_session_with(_TenAttemptsAPI)
