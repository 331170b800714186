"""Takes any 2xx as a started session (session.get("sessionId"), as every release does), even without one."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar

BREAKS = ("answers.malformed-success",)


class AvatarSession(avatar.AvatarSession):
    def _session_id(self, session: dict[str, Any]) -> Any:
        return session.get("sessionId")
