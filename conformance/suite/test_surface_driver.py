"""The public surface of an implementation in another language, as its driver describes it.

The twin of ``test_surface.py`` (which introspects Python objects): the same
clauses, judged on the surface facts the driver reads from the package itself
(its classes, and its type declarations for the options objects).
"""

from __future__ import annotations

import pytest

from ..expect import expect
from ..implementations.driver_target import DriverTarget

pytestmark = pytest.mark.implementation("driver")

#: The options fields and start() parameters, in JavaScript's spelling of the Python keywords.
CONSTRUCTOR_OPTIONS = (
    "personaConfig",
    "apiUrl",
    "apiKey",
    "avatarParticipantIdentity",
    "avatarParticipantName",
    "connOptions",
)
START_PARAMS = ("livekitUrl", "livekitApiKey", "livekitApiSecret")
PERSONA_FIELDS = ("name", "avatarId", "avatarModel")


@pytest.mark.clause("surface.drop-in")
def test_avatar_session_is_the_frameworks(anam_target: DriverTarget) -> None:
    surface = anam_target.surface
    expect(
        bool(surface.get("framework_avatar_session")),
        expected="AvatarSession to extend the framework's voice.AvatarSession",
        actual="it does not (no waitForJoin(), no framework lifecycle)"
        if not surface.get("wait_for_join")
        else "it does not",
    )


@pytest.mark.clause("surface.drop-in")
def test_constructor_and_start_take_the_released_options(anam_target: DriverTarget) -> None:
    surface = anam_target.surface
    missing = [k for k in CONSTRUCTOR_OPTIONS if k not in surface.get("constructor_options", [])]
    expect(
        not missing,
        expected="new AvatarSession({...}) to take " + ", ".join(CONSTRUCTOR_OPTIONS),
        actual=f"missing {missing}",
    )
    missing = [k for k in START_PARAMS if k not in surface.get("start_params", [])]
    expect(not missing, expected="start(..., {" + ", ".join(START_PARAMS) + "})", actual=f"missing {missing}")


@pytest.mark.clause("surface.drop-in")
def test_persona_config_takes_the_released_fields(anam_target: DriverTarget) -> None:
    fields = anam_target.surface.get("persona_fields", [])
    missing = [k for k in PERSONA_FIELDS if k not in fields]
    expect(
        not missing,
        expected="PersonaConfig to have " + ", ".join(PERSONA_FIELDS),
        actual=f"fields {fields}",
    )


@pytest.mark.clause("surface.session-options")
@pytest.mark.needs("SessionOptions")
def test_session_options_are_an_option_of_the_avatar_session(anam_target: DriverTarget) -> None:
    surface = anam_target.surface
    fields = surface.get("session_option_fields", [])
    expect(
        {"videoWidth", "videoHeight"} <= set(fields),
        expected="SessionOptions {videoWidth?, videoHeight?}",
        actual=f"SessionOptions {{{', '.join(fields)}}}",
    )
    expect(
        "sessionOptions" in surface.get("constructor_options", []),
        expected="new AvatarSession({sessionOptions})",
        actual=f"options {surface.get('constructor_options')}",
    )
