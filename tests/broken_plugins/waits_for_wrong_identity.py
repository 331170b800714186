"""Reports the avatar's display name as its identity, so nothing waits for the real avatar."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar

BREAKS = ("avatar.joins",)


class AvatarSession(avatar.AvatarSession):
    @property
    def avatar_identity(self) -> str:
        return f"{self._name} (avatar)"
