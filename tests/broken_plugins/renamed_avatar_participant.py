"""Names the avatar "Anam Avatar" in the LiveKit token: admitted all the same, but not the pinned request."""

from typing import Any

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar

BREAKS = ("request.snapshot",)


class AvatarSession(avatar.AvatarSession):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("avatar_participant_name", "Anam Avatar")
        super().__init__(**kwargs)
