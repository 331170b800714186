"""Shared by the variants that change how the reference talks to Anam."""

from anam_conformance.plugin_under_test import api, avatar


def avatar_session_with(api_class: type[api.AnamAPI]) -> type[avatar.AvatarSession]:
    class AvatarSession(avatar.AvatarSession):
        pass

    AvatarSession.api_class = api_class
    return AvatarSession
