"""The public surface an agent codes against: a drop-in for ``livekit.plugins.anam``."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from livekit.agents.voice.avatar import AvatarSession as FrameworkAvatarSession

from ..expect import expect
from ..target import PluginTarget

CONSTRUCTOR_KEYWORDS = (
    "persona_config",
    "api_url",
    "api_key",
    "avatar_participant_identity",
    "avatar_participant_name",
    "conn_options",
)
START_KEYWORDS = ("livekit_url", "livekit_api_key", "livekit_api_secret")


class _AnyKeyword(set[str]):
    """The keywords of a signature with ``**kwargs``: it takes any (driving it shows what it does)."""

    def __contains__(self, item: object) -> bool:
        return True


def _keywords(function: Any) -> set[str]:
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return _AnyKeyword(parameters)
    return set(parameters)


@pytest.mark.clause("surface.drop-in")
@pytest.mark.implementation("python")
def test_avatar_session_is_the_frameworks(anam_target: PluginTarget) -> None:
    expect(
        issubclass(anam_target.avatar_session, FrameworkAvatarSession),
        expected="AvatarSession to subclass livekit.agents.voice.avatar.AvatarSession",
        actual=f"bases {[b.__name__ for b in anam_target.avatar_session.__mro__[1:]]}",
    )


@pytest.mark.clause("surface.drop-in")
@pytest.mark.implementation("python")
def test_constructor_and_start_take_the_released_keywords(anam_target: PluginTarget) -> None:
    missing = [k for k in CONSTRUCTOR_KEYWORDS if k not in _keywords(anam_target.avatar_session)]
    expect(
        not missing,
        expected="AvatarSession(...) to take " + ", ".join(CONSTRUCTOR_KEYWORDS),
        actual=f"missing {missing}",
    )
    start_keywords = _keywords(getattr(anam_target.avatar_session, "start", None))
    missing = [k for k in START_KEYWORDS if k not in start_keywords]
    expect(
        not missing,
        expected="start(...) to take " + ", ".join(START_KEYWORDS),
        actual=f"missing {missing}",
    )


@pytest.mark.clause("surface.drop-in")
@pytest.mark.implementation("python")
def test_persona_config_takes_the_released_fields(anam_target: PluginTarget) -> None:
    persona = anam_target.persona_config(name="n", avatarId="a", avatarModel="cara-3")
    actual = {k: getattr(persona, k, None) for k in ("name", "avatarId", "avatarModel")}
    expect(
        actual == {"name": "n", "avatarId": "a", "avatarModel": "cara-3"},
        expected="PersonaConfig to keep name, avatarId, avatarModel",
        actual=str(actual),
    )


@pytest.mark.clause("surface.session-options")
@pytest.mark.implementation("python")
@pytest.mark.needs("SessionOptions")
def test_session_options_defaults_to_no_dimensions(anam_target: PluginTarget) -> None:
    assert anam_target.session_options is not None
    options = anam_target.session_options()
    actual = (
        getattr(options, "video_width", "<missing>"),
        getattr(options, "video_height", "<missing>"),
    )
    expect(
        actual == (None, None),
        expected="SessionOptions() to have video_width=video_height=None",
        actual=f"{actual}",
    )
    expect(
        "session_options" in _keywords(anam_target.avatar_session),
        expected="AvatarSession(...) to take session_options",
        actual="no such keyword",
    )


@pytest.mark.clause("surface.session-options")
@pytest.mark.implementation("python")
@pytest.mark.needs("SessionOptions")
def test_session_options_keeps_what_it_is_given(anam_target: PluginTarget) -> None:
    assert anam_target.session_options is not None
    options = anam_target.session_options(video_width=1152, video_height=768)
    actual = (options.video_width, options.video_height)
    expect(
        actual == (1152, 768),
        expected="SessionOptions(1152, 768) to keep (1152, 768)",
        actual=str(actual),
    )
