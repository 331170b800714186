"""Shared by the variants that misbehave in ``start()`` before doing what the reference does."""

from collections.abc import Callable
from typing import Any

from anam_conformance.plugin_under_test import avatar


def avatar_session_doing(misbehave: Callable[[], Any]) -> type[avatar.AvatarSession]:
    """The reference ``AvatarSession`` whose ``start()`` first calls ``misbehave()`` (awaited if need be)."""

    class AvatarSession(avatar.AvatarSession):
        async def start(self, *args: Any, **kwargs: Any) -> None:
            result = misbehave()
            if hasattr(result, "__await__"):
                await result
            await super().start(*args, **kwargs)

    return AvatarSession
