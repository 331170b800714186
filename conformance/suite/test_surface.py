"""The public surface an agent codes against: a drop-in for ``livekit.plugins.anam``.

Judged on the surface every implementation describes in one shape (a Python
module by introspection, another language through its driver's ``describe``),
names compared as every language spells them (``persona_config`` is
``personaConfig``). What only Python's own objects can answer (constructing
``PersonaConfig`` and reading it back, ``SessionOptions``' defaults) is asked of
the implementation (``probe_types``, in-process or through the Python driver),
where it offers the ``python-types`` capability.
"""

from __future__ import annotations

import pytest

from ..assertions import expect
from ..clauses import ClauseId, Offer
from ..port.call import CONSTRUCTOR_KEYWORDS, START_KEYWORDS
from ..port.description import canonical
from ..port.facts import Built, ErrorFacts, TypeProbe
from ..port.implementation import Implementation

PERSONA_FIELDS = ("name", "avatarId", "avatarModel")
#: What the probe builds: ``PersonaConfig(**KEPT_PERSONA)``, ``SessionOptions()`` and
#: ``SessionOptions(**GIVEN_OPTIONS)``, each read back.
KEPT_PERSONA: dict[str, object] = {"name": "n", "avatarId": "a", "avatarModel": "cara-3"}
GIVEN_OPTIONS: dict[str, object] = {"video_width": 1152, "video_height": 768}


def _missing(wanted: tuple[str, ...], offered: tuple[str, ...]) -> list[str]:
    spelled = {canonical(name) for name in offered}
    return [name for name in wanted if canonical(name) not in spelled]


def _probe(target: Implementation) -> TypeProbe:
    """offers(python-types): collection skipped every implementation that cannot answer."""
    return target.probe_types(KEPT_PERSONA, GIVEN_OPTIONS)


class _Raised(Exception):
    """Named after the error the plugin's type raised (see :func:`_kept`)."""


def _raised(error: ErrorFacts) -> Exception:
    """The error a type raised, raised again here under its own name and message: a check that
    called the type in this process met it as it was (the suite's error, naming it), and so
    does a check of a type called elsewhere."""
    named: type[_Raised] = type(error.type_name, (_Raised,), {"__module__": "builtins"})
    return named(error.message)


def _kept(built: Built | None, name: str, default: object) -> object:
    """``getattr(obj, name, default)`` on the object the type built."""
    assert built is not None  # a SessionOptions clause: the gate skipped a release without it
    if built.error is not None:
        raise _raised(built.error)
    return built.fields.get(name, default)


@pytest.mark.clause(ClauseId.SURFACE_DROP_IN)
def test_avatar_session_is_the_frameworks(implementation: Implementation) -> None:
    surface = implementation.describe().surface
    expect(
        surface.framework_avatar_session,
        expected="AvatarSession to extend the framework's AvatarSession (livekit.agents.voice.avatar)",
        actual="it does not"
        + ("" if surface.wait_for_join else " (no wait_for_join(), no framework lifecycle)"),
    )


@pytest.mark.clause(ClauseId.SURFACE_DROP_IN)
def test_constructor_and_start_take_the_released_keywords(implementation: Implementation) -> None:
    surface = implementation.describe().surface
    missing = _missing(CONSTRUCTOR_KEYWORDS, surface.constructor_options)
    expect(
        not missing,
        expected="AvatarSession(...) to take " + ", ".join(CONSTRUCTOR_KEYWORDS),
        actual=f"missing {missing}",
    )
    missing = _missing(START_KEYWORDS, surface.start_params)
    expect(
        not missing,
        expected="start(...) to take " + ", ".join(START_KEYWORDS),
        actual=f"missing {missing}",
    )


@pytest.mark.clause(ClauseId.SURFACE_DROP_IN)
def test_persona_config_has_the_released_fields(implementation: Implementation) -> None:
    fields = implementation.describe().surface.persona_fields
    missing = _missing(PERSONA_FIELDS, fields)
    expect(
        not missing,
        expected="PersonaConfig to have " + ", ".join(PERSONA_FIELDS),
        actual=f"fields {list(fields)}",
    )


@pytest.mark.clause(ClauseId.SURFACE_DROP_IN)
@pytest.mark.offers(Offer.PYTHON_TYPES)
def test_persona_config_keeps_the_released_fields(implementation: Implementation) -> None:
    persona = _probe(implementation).persona_config
    actual = {k: _kept(persona, k, None) for k in PERSONA_FIELDS}
    expect(
        actual == {"name": "n", "avatarId": "a", "avatarModel": "cara-3"},
        expected="PersonaConfig to keep name, avatarId, avatarModel",
        actual=str(actual),
    )


@pytest.mark.clause(ClauseId.SURFACE_SESSION_OPTIONS)
def test_session_options_are_an_option_of_the_avatar_session(implementation: Implementation) -> None:
    surface = implementation.describe().surface
    missing = _missing(("video_width", "video_height"), surface.session_option_fields)
    expect(
        not missing,
        expected="SessionOptions to take video_width and video_height",
        actual=f"SessionOptions({', '.join(surface.session_option_fields)})",
    )
    expect(
        not _missing(("session_options",), surface.constructor_options),
        expected="AvatarSession(...) to take session_options",
        actual=f"it takes {list(surface.constructor_options)}",
    )


@pytest.mark.clause(ClauseId.SURFACE_SESSION_OPTIONS)
@pytest.mark.offers(Offer.PYTHON_TYPES)
def test_session_options_defaults_to_no_dimensions(implementation: Implementation) -> None:
    options = _probe(implementation).session_options_default
    actual = (
        _kept(options, "video_width", "<missing>"),
        _kept(options, "video_height", "<missing>"),
    )
    expect(
        actual == (None, None),
        expected="SessionOptions() to have video_width=video_height=None",
        actual=f"{actual}",
    )


@pytest.mark.clause(ClauseId.SURFACE_SESSION_OPTIONS)
@pytest.mark.offers(Offer.PYTHON_TYPES)
def test_session_options_keeps_what_it_is_given(implementation: Implementation) -> None:
    options = _probe(implementation).session_options_given
    actual = (_kept(options, "video_width", "<missing>"), _kept(options, "video_height", "<missing>"))
    expect(
        actual == (1152, 768),
        expected="SessionOptions(1152, 768) to keep (1152, 768)",
        actual=str(actual),
    )
