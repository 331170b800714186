"""Hypothesis strategies over everything an agent can hand ``AvatarSession``.

A scenario is one call: the persona, and ``SessionOptions`` in one of four
presence states (neither, width only, height only, both) with values drawn
from what matters to the contract: Anam's documented pairs, other integers
(0, negative, 1, very large) and what a Python caller can pass by mistake
(bool, float, str), crossed with ``show_ai_avatar_disclosure`` and persona
variants. Strategies are built per plugin: a variant the plugin's public API
cannot express (a disclosure flag before 1.6.9, ``DirectorNotes`` before
1.6.5, ``SessionOptions`` before 1.6.0) is never drawn, so an older release is
explored over everything it can be asked.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from .harness.anam_rules import SIZE_RULES
from .port.call import NOT_GIVEN_OPTIONS, Persona, SessionOptionsArg
from .port.description import Description

Presence = Literal["neither", "width-only", "height-only", "both"]
HALF: tuple[Presence, ...] = ("width-only", "height-only")

DOCUMENTED_PAIRS: tuple[tuple[int, int], ...] = tuple(
    sorted({pair for _, accepted in SIZE_RULES.values() for pair in accepted})
)
AVATAR_MODELS: tuple[str | None, ...] = (None, "cara-3", "cara-4-latest", "cara-4-stable")
#: Integers at the edges: never a size (0, negative), a size no model has (1), beyond any encoder.
EDGE_INTEGERS: tuple[int, ...] = (0, -1, -720, 1, 2**31, 2**63, 10**20)


@dataclass(frozen=True)
class Offers:
    """The optional parts of the public API the plugin under test has."""

    session_options: bool
    disclosure: bool
    director_notes: bool

    @classmethod
    def of(cls, described: Description) -> Offers:
        surface = described.surface
        return cls(
            session_options=surface.session_options,
            disclosure=surface.takes_option("show_ai_avatar_disclosure"),
            director_notes=surface.director_notes,
        )


@dataclass(frozen=True)
class DrawnCall:
    """One call to ``AvatarSession``: the persona and the ``SessionOptions`` keyword arguments."""

    persona: Persona
    presence: Presence
    options: Mapping[str, Any] | None  # None: no session_options argument at all
    disclosure: bool | None = None

    @property
    def session_options(self) -> SessionOptionsArg:
        """What :func:`~anam_conformance.harness.start.start_avatar` takes."""
        return NOT_GIVEN_OPTIONS if self.options is None else self.options

    @property
    def width(self) -> Any:
        return (self.options or {}).get("video_width")

    @property
    def height(self) -> Any:
        return (self.options or {}).get("video_height")

    def without_dimensions(self) -> DrawnCall:
        """The same call with the dimensions left out: what the rest of the body is compared with."""
        if self.disclosure is None:
            return DrawnCall(self.persona, "neither", None)
        return DrawnCall(
            self.persona, "neither", {"show_ai_avatar_disclosure": self.disclosure}, self.disclosure
        )

    def __str__(self) -> str:
        options = (
            "no session_options"
            if self.options is None
            else "SessionOptions(" + ", ".join(f"{k}={v!r}" for k, v in self.options.items()) + ")"
        )
        persona = f"avatarModel={self.persona.avatar_model!r}"
        if self.persona.director_notes is not None:
            persona += f", directorNotes={dict(self.persona.director_notes)!r}"
        return f"{options} with persona {persona}"


def never_acceptable(value: object) -> bool:
    """A value Anam can never accept as a dimension, whatever the model: the only local refusal allowed."""
    return not isinstance(value, int) or isinstance(value, bool) or value <= 0


#: Values a caller can pass by mistake, and numbers at the edges, drawn as one choice.
MISTAKES: tuple[Any, ...] = (True, False, 720.0, 1152.0, 0.5, -1.5, 1e300, "720", "1152", "", "wide")


def dimension_values() -> st.SearchStrategy[Any]:
    """One width or height, as a caller might pass it, right or wrong."""
    documented = sorted({v for pair in DOCUMENTED_PAIRS for v in pair})
    return st.one_of(
        st.sampled_from((*documented, *EDGE_INTEGERS, *MISTAKES)),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6),
    )


def full_pairs() -> st.SearchStrategy[tuple[Any, Any]]:
    """Both dimensions: a documented pair (per any model), any positive pair, or anything at all."""
    return st.one_of(
        st.sampled_from(DOCUMENTED_PAIRS),
        st.tuples(st.integers(min_value=1, max_value=4096), st.integers(min_value=1, max_value=4096)),
        st.tuples(dimension_values(), dimension_values()),
    )


#: Director notes as a caller sets them: each field alone, together, none set.
NOTES: tuple[dict[str, Any], ...] = (
    {"expressivity": 0.8, "presetStyle": "warm"},
    {"customStylePrompt": "calm, unhurried"},
    {"expressivity": 0.0},
    {},
)


def persona_variants(offers: Offers) -> tuple[Persona, ...]:
    notes: tuple[dict[str, Any] | None, ...] = (None, *NOTES) if offers.director_notes else (None,)
    return tuple(Persona(avatar_model=m, director_notes=n) for m in AVATAR_MODELS for n in notes)


@dataclass(frozen=True)
class _Shape:
    """Everything discrete about a call, drawn as one choice: hypothesis' cost is per draw."""

    persona: Persona
    presence: Presence
    disclosure: bool | None
    explicit_none: bool  # the absent dimension passed as None rather than left out
    options_given: bool


def _shapes(offers: Offers, presences: tuple[Presence, ...]) -> list[_Shape]:
    if not offers.session_options:
        return [_Shape(p, "neither", None, False, False) for p in persona_variants(offers)]
    disclosures: tuple[bool | None, ...] = (None, True, False) if offers.disclosure else (None,)
    return [
        _Shape(persona, presence, disclosure, explicit_none, given)
        for persona, presence, disclosure, explicit_none, given in itertools.product(
            persona_variants(offers), presences, disclosures, (False, True), (True, False)
        )
        if given or (presence == "neither" and disclosure is None and not explicit_none)
    ]


def _options(shape: _Shape, width: Any, height: Any) -> dict[str, Any] | None:
    if not shape.options_given:
        return None
    options: dict[str, Any] = {}
    if shape.presence in ("width-only", "both"):
        options["video_width"] = width
    elif shape.explicit_none:
        options["video_width"] = None
    if shape.presence in ("height-only", "both"):
        options["video_height"] = height
    elif shape.explicit_none:
        options["video_height"] = None
    if shape.disclosure is not None:
        options["show_ai_avatar_disclosure"] = shape.disclosure
    return options


#: Beyond this an integer is not exact in a JavaScript number (Number.MAX_SAFE_INTEGER).
JS_SAFE_INTEGER = 2**53 - 1


def as_javascript(value: Any) -> Any:
    """The value a JavaScript caller can actually pass: its numbers have no integer type.

    ``720.0`` is the number 720 there, and an integer beyond 2**53 is not exact,
    so those are drawn as what JavaScript holds (720; the largest exact integer),
    and a clause about types (``dims.verbatim``: ``1152.0`` is not ``1152``) is
    only asked what the language can express.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > JS_SAFE_INTEGER:
        return JS_SAFE_INTEGER if value > 0 else -JS_SAFE_INTEGER
    return value


def _as_is(value: Any) -> Any:
    return value


#: Built once: a strategy built inside a draw is validated and labelled again on every example,
#: which cost hypothesis more than the plugin's start it feeds.
FULL_PAIRS = full_pairs()
DIMENSION_VALUES = dimension_values()


@st.composite
def _scenario(
    draw: st.DrawFn, shapes: st.SearchStrategy[_Shape], express: Callable[[Any], Any] = _as_is
) -> DrawnCall:
    shape = draw(shapes)
    width: Any = None
    height: Any = None
    if shape.presence == "both":
        width, height = draw(FULL_PAIRS)
    elif shape.presence != "neither":
        width = height = draw(DIMENSION_VALUES)
    width, height = express(width), express(height)
    return DrawnCall(shape.persona, shape.presence, _options(shape, width, height), shape.disclosure)


def scenarios(described: Description, *presences: Presence) -> st.SearchStrategy[DrawnCall]:
    """Calls in the given presence states (all four when none is named) the plugin can be asked."""
    express = _as_is if described.capabilities.exact_numbers else as_javascript
    shapes = _shapes(Offers.of(described), presences or ("neither", "width-only", "height-only", "both"))
    return _scenario(st.sampled_from(shapes), express)
