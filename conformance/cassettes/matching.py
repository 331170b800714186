"""Which recorded request a live one is: JSON-aware, with the LiveKit token masked.

vcrpy's own ``body`` matcher compares raw bodies and crashes on ``json=``
requests (it holds them as a mapping), and the LiveKit JWT differs on every
run: bodies are compared as parsed JSON, token masked. When nothing matches,
:func:`closest` and :func:`json_diff` say how the live request differs from
the nearest recorded one, for the failure message.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from ..clauses import ClauseId
from ..differences import DOWNGRADE, ONE_REQUEST, VERBATIM, differences, one_line, owners
from .scrub import scrub_json

MATCHER_NAME = "anam_json_body"
MATCH_ON = ("method", "path", MATCHER_NAME)


def body_json(body: Any) -> Any:
    """A request body as JSON with every secret masked (the LiveKit token included)."""
    if body is None or body in (b"", ""):
        return None
    if isinstance(body, (dict, list)):
        return scrub_json(body)
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else str(body)
    try:
        return scrub_json(json.loads(text))
    except ValueError:
        return text


def match_json_body(live: Any, recorded: Any) -> None:
    """vcrpy matcher: raises ``AssertionError`` (vcrpy's convention) when the bodies differ."""
    if body_json(live.body) != body_json(recorded.body):
        raise AssertionError(
            "JSON bodies differ:\n" + json_diff(body_json(recorded.body), body_json(live.body))
        )


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{path}.{key}" if path else str(key)))
        return out or {path: {}}
    return {path: value}


def distance(live: tuple[str, str, Any], recorded: tuple[str, str, Any]) -> int:
    """How many JSON leaves differ; a different method or path counts as far apart."""
    far = 0 if live[:2] == recorded[:2] else 1000
    a, b = _leaves(live[2]), _leaves(recorded[2])
    return far + sum(1 for key in a.keys() | b.keys() if a.get(key, object) != b.get(key, object))


def closest(
    live: tuple[str, str, Any], recorded: Sequence[tuple[str, str, Any]]
) -> tuple[str, str, Any] | None:
    return min(recorded, key=lambda r: distance(live, r), default=None)


def json_diff(recorded: Any, live: Any) -> str:
    """A unified diff of the two bodies, pretty-printed with sorted keys."""
    a = json.dumps(recorded, indent=2, sort_keys=True).splitlines()
    b = json.dumps(live, indent=2, sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "recorded", "sent", lineterm="", n=1))


def explain_unmatched(
    clause_id: str, cassette_name: str, live: tuple[str, str, Any], recorded: Sequence[tuple[str, str, Any]]
) -> str:
    """The failure for a request no recording answers: clause, closest recorded request, JSON diff."""
    method, path, body = live
    near = closest((method, path, body_json(body)), [(m, p, body_json(b)) for m, p, b in recorded])
    expected = f"a request recorded in {cassette_name} [{clause_id}]"
    if near is None:
        return f"expected {expected}; actual {method} {path}, and the cassette records none"
    return (
        f"expected {expected}; actual {method} {path} matches none, "
        f"closest recorded {near[0]} {near[1]} (JSON diff, recorded -> sent, below)\n"
        f"{json_diff(near[2], body_json(body))}"
    )


def mismatch_owner(
    live: tuple[str, str, Any],
    recorded: Sequence[tuple[str, str, Any]],
    *,
    dimensions_asked: bool,
    refused_before: bool = False,
    asked_refused: bool = False,
) -> tuple[ClauseId, str]:
    """The clause a request no recording answers belongs to, and the smallest difference, in one line.

    A request to a path no recording has is an extra request (``session.one-request``);
    otherwise each differing JSON path of the closest recorded body names its owner
    (dimensions, persona fields, the disclosure flag), and what no narrower clause
    owns is the pinned request's (``request.snapshot``). Other dimensions asked after
    Anam refused the start (``refused_before``), or none at all for a pair Anam
    refuses (``asked_refused``), are a downgrade (``rejection.no-downgrade``).
    """
    method, path, body = live
    same_path = [r for r in recorded if r[:2] == (method, path)]
    if not same_path:
        return ONE_REQUEST, f"{method} {path}: a request no recording of this start has"
    near = closest((method, path, body_json(body)), [(m, p, body_json(b)) for m, p, b in same_path])
    assert near is not None
    found = differences(near[2], body_json(body))
    clause = owners(found, dimensions_asked=dimensions_asked, asked_refused=asked_refused)[0]
    if clause == VERBATIM and refused_before:
        clause = DOWNGRADE  # other dimensions asked after Anam refused the recorded ones
    return clause, one_line(found)
