"""Anam's documented session rules, as pure functions over data.

Kept apart from the HTTP double so that the emulator, the property tests and
the cassette provider check all judge a request by the same rules. The rules
themselves (sizes per avatar model, error texts, the shape of a successful
answer) are data, ``conformance/data/anam_rules.json``, so a change on Anam's
side is a data change; ``--rules FILE`` on the emulator and on the provider
check loads another file.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

Size = tuple[int, int]


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


@dataclass(frozen=True)
class Rules:
    """One version of Anam's documented rules, read from a rules file."""

    sizes: dict[str, tuple[Size, frozenset[Size]]]
    unnamed_model_default: Size
    errors: dict[str, dict[str, Any]]
    documented_answers: dict[str, dict[str, Any]]
    session_answer: dict[str, Any]
    source: str = "conformance/data/anam_rules.json"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def any_documented_size(self) -> frozenset[Size]:
        return frozenset().union(*(accepted for _, accepted in self.sizes.values()))

    def rejection(self, name: str, **values: object) -> Rejection:
        entry = self.errors[name]
        return Rejection(int(entry["status"]), str(entry["error"]), str(entry["message"]).format(**values))

    def answer(self, name: str) -> tuple[int, dict[str, str]]:
        """A documented answer by name (``no-plan``, ``spend-cap``, ...): status and JSON body."""
        entry = self.documented_answers[name]
        return int(entry["status"]), {"error": str(entry["error"]), "message": str(entry["message"])}

    def session_answer_for(self, session_id: str) -> dict[str, Any]:
        """The engine-session answer, in the shape Anam's own SDK reads."""
        extra = {k: copy.deepcopy(v) for k, v in self.session_answer.items() if not k.startswith("_")}
        return {"sessionId": session_id, **extra}


def _size(value: Any) -> Size:
    width, height = value
    return int(width), int(height)


def parse_rules(raw: dict[str, Any], source: str) -> Rules:
    sizes = {
        model: (_size(entry["default"]), frozenset(_size(pair) for pair in entry["accepted"]))
        for model, entry in raw["models"].items()
    }
    answers = {k: v for k, v in raw.get("documented_answers", {}).items() if not k.startswith("_")}
    return Rules(
        sizes=sizes,
        unnamed_model_default=_size(raw["unnamed_model_default"]),
        errors=dict(raw["errors"]),
        documented_answers=answers,
        session_answer=dict(raw.get("session_answer", {})),
        source=source,
        raw=raw,
    )


def load_rules(path: Path | str | None = None) -> Rules:
    """The rules shipped with the suite, or those in ``path``."""
    if path is None:
        text = (
            resources.files(__name__.split(".")[0])
            .joinpath("data/anam_rules.json")
            .read_text(encoding="utf-8")
        )
        return parse_rules(json.loads(text), "conformance/data/anam_rules.json")
    return parse_rules(json.loads(Path(path).read_text(encoding="utf-8")), str(path))


DEFAULT_RULES = load_rules()

#: Anam docs, "Session > Video": model -> (default size, sizes accepted explicitly).
SIZE_RULES: dict[str, tuple[Size, frozenset[Size]]] = DEFAULT_RULES.sizes

#: A request that names no ``avatarModel`` leaves the model to the avatar, which the
#: request does not reveal: the double accepts any documented pair for it and
#: answers with the Cara 3 default size.
UNNAMED_MODEL_DEFAULT: Size = DEFAULT_RULES.unnamed_model_default
ANY_DOCUMENTED_SIZE: frozenset[Size] = DEFAULT_RULES.any_documented_size

HALF_PAIR_MESSAGE = DEFAULT_RULES.rejection("half_pair").message


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def judge_session_request(body: Any, rules: Rules | None = None) -> Acceptance | Rejection:
    """Apply Anam's documented validation to the body that carries ``personaConfig``."""
    rules = rules or DEFAULT_RULES
    if not isinstance(body, dict) or not isinstance(body.get("personaConfig"), dict):
        return rules.rejection("persona_required")
    persona = body["personaConfig"]
    model = persona.get("avatarModel")
    if model is not None and model not in rules.sizes:
        return rules.rejection("unknown_model", model=model)
    default, accepted = (
        rules.sizes[model] if model else (rules.unnamed_model_default, rules.any_documented_size)
    )

    options = body.get("sessionOptions", {})
    if not isinstance(options, dict):
        return rules.rejection("options_not_object")
    width, height = options.get("videoWidth"), options.get("videoHeight")
    if width is None and height is None:
        return Acceptance(*default)
    if width is None or height is None:
        return rules.rejection("half_pair")
    if not (_is_positive_int(width) and _is_positive_int(height)):
        return rules.rejection("not_positive_ints")
    if (width, height) not in accepted:
        sizes = ", ".join(f"{w}x{h}" for w, h in sorted(accepted))
        return rules.rejection(
            "unsupported_pair", width=width, height=height, model=model or "of this avatar", sizes=sizes
        )
    return Acceptance(width, height)
