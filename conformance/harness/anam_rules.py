"""Anam's documented session rules, as pure functions.

Kept apart from the HTTP double so that the emulator, the property tests and
the cassette provider check all judge a request by the same rules, and so a
change in Anam's documentation is a change in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Anam docs, "Session > Video": model -> (default size, sizes accepted explicitly).
SIZE_RULES: dict[str, tuple[tuple[int, int], frozenset[tuple[int, int]]]] = {
    "cara-3": ((720, 480), frozenset({(720, 480)})),
    "cara-4-stable": ((1152, 768), frozenset({(1152, 768), (768, 1152)})),
    "cara-4-latest": ((1152, 768), frozenset({(1152, 768), (768, 1152)})),
}

#: A request that names no ``avatarModel`` leaves the model to the avatar, which the
#: request does not reveal: the double accepts any documented pair for it and
#: answers with the Cara 3 default size.
UNNAMED_MODEL_DEFAULT: tuple[int, int] = (720, 480)
ANY_DOCUMENTED_SIZE: frozenset[tuple[int, int]] = frozenset().union(
    *(accepted for _, accepted in SIZE_RULES.values())
)

HALF_PAIR_MESSAGE = "If you provide one dimension field, you must provide both."


@dataclass(frozen=True)
class Rejection:
    """What Anam answers to a request it refuses: status and its JSON error body."""

    status: int
    error: str
    message: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}


@dataclass(frozen=True)
class Acceptance:
    """A session Anam starts: the size the avatar's video will have."""

    width: int
    height: int


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def judge_session_request(body: Any) -> Acceptance | Rejection:
    """Apply Anam's documented validation to the body that carries ``personaConfig``."""
    if not isinstance(body, dict) or not isinstance(body.get("personaConfig"), dict):
        return Rejection(400, "Bad Request", "personaConfig is required")
    persona = body["personaConfig"]
    model = persona.get("avatarModel")
    if model is not None and model not in SIZE_RULES:
        return Rejection(400, "Bad Request", f"Unknown avatarModel {model!r}")
    default, accepted = SIZE_RULES[model] if model else (UNNAMED_MODEL_DEFAULT, ANY_DOCUMENTED_SIZE)

    options = body.get("sessionOptions", {})
    if not isinstance(options, dict):
        return Rejection(400, "Bad Request", "sessionOptions must be an object")
    width, height = options.get("videoWidth"), options.get("videoHeight")
    if width is None and height is None:
        return Acceptance(*default)
    if width is None or height is None:
        return Rejection(400, "Bad Request", HALF_PAIR_MESSAGE)
    if not (_is_positive_int(width) and _is_positive_int(height)):
        return Rejection(400, "Bad Request", "videoWidth and videoHeight must be positive integers")
    if (width, height) not in accepted:
        sizes = ", ".join(f"{w}x{h}" for w, h in sorted(accepted))
        return Rejection(
            400,
            "Bad Request",
            f"Unsupported video dimensions {width}x{height} for avatar model "
            f"{model or 'of this avatar'}; supported: {sizes}",
        )
    return Acceptance(width, height)
