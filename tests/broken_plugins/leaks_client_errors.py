"""Re-raises aiohttp's own error when Anam is unreachable, instead of the framework's APIConnectionError."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import api

from ._api_variant import avatar_session_with

BREAKS = ("transport.connection-surfaced",)


class _LeakingAPI(api.AnamAPI):
    def _unreachable(self, url: str, error: BaseException) -> Exception:
        assert isinstance(error, Exception)
        return error


AvatarSession = avatar_session_with(_LeakingAPI)
