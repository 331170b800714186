"""Where two requests differ, which clause owns each difference, and how to say it in one line.

A failure's first line is the smallest difference (``JSON path: expected ->
actual``), so a maintainer reads the fault rather than two bodies side by side;
the bodies follow below it. The same differences decide which clause a
mismatch belongs to: a check that compares a whole request (a snapshot, a
cassette, the rest of a body) judges only what no other clause owns, and is
*blocked* by the owner of anything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .clauses import ClauseId

PERSONA = ClauseId.FIELDS_PERSONA_KEPT
DISCLOSURE = ClauseId.FIELDS_DISCLOSURE_KEPT
VERBATIM = ClauseId.DIMS_VERBATIM
OMITTED = ClauseId.DIMS_OMITTED_IS_BASELINE
SHAPE = ClauseId.REQUEST_SHAPE
ONE_REQUEST = ClauseId.SESSION_ONE_REQUEST
TOKEN = ClauseId.AVATAR_TOKEN
DOWNGRADE = ClauseId.REJECTION_NO_DOWNGRADE
WHOLE_REQUEST = ClauseId.REQUEST_SNAPSHOT


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path or '(whole)'}: {_shown(self.expected)} → {_shown(self.actual)}"


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, sort_keys=True, default=str)


def _same_leaf(a: Any, b: Any) -> bool:
    """Equal and of the same JSON type: ``1152.0`` is not ``1152``, ``true`` is not ``1``."""
    return type(a) is type(b) and a == b


def differences(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """Every leaf where ``actual`` differs from ``expected``, by JSON path."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[Difference] = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            found += differences(expected.get(key, ABSENT), actual.get(key, ABSENT), _at(path, key))
        return found
    if isinstance(expected, dict) and actual is ABSENT and expected:
        return [d for key, value in expected.items() for d in differences(value, ABSENT, _at(path, key))]
    if expected is ABSENT and isinstance(actual, dict) and actual:
        return [d for key, value in actual.items() for d in differences(ABSENT, value, _at(path, key))]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    same = _same_leaf(expected, actual)
    return [] if same else [Difference(path, expected, actual)]


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def one_line(found: Sequence[Difference], most: int = 3) -> str:
    shown = "; ".join(str(d) for d in found[:most])
    return shown + (f"; and {len(found) - most} more" if len(found) > most else "")


def with_bodies(summary: str, expected: Any, actual: Any) -> str:
    """The one-line summary, then both bodies in full below it."""
    return "\n".join(
        [
            summary,
            "expected:",
            json.dumps(expected, indent=2, sort_keys=True, default=str),
            "actual:",
            json.dumps(actual, indent=2, sort_keys=True, default=str),
        ]
    )


#: The LiveKit token claims, as a request snapshot records them (``livekitToken claims.<claim>``).
CLAIMS = "livekitToken claims"
PUBLISH_ON_BEHALF = "lk.publish_on_behalf"
#: What a LiveKit server reads for each video grant left out of a token (livekit/protocol
#: ``auth.VideoGrant``: ``GetCanPublish``, ``GetCanSubscribe`` and ``GetCanPublishData`` are true
#: when unset; every other permission is an optional bool, false when unset). A grant is judged
#: by what it allows, not by how it is spelled: an absent ``canPublish`` is ``canPublish: true``.
GRANT_DEFAULTS: dict[str, bool] = {
    "canPublish": True,
    "canSubscribe": True,
    "canPublishData": True,
    "roomCreate": False,
    "roomList": False,
    "roomRecord": False,
    "roomAdmin": False,
    "roomJoin": False,
    "canUpdateOwnMetadata": False,
    "ingressAdmin": False,
    "hidden": False,
    "recorder": False,
    "agent": False,
    "canManageAgentSession": False,
    "canSubscribeMetrics": False,
}
#: The claims whose value the contract leaves to the implementation: the avatar's display name
#: (``name``) and the token's validity (``nbf``, ``exp``). Every other claim a snapshot records
#: is fixed: who the avatar is (``sub``), its ``kind``, its grant and ``lk.publish_on_behalf``.
OPEN_CLAIMS = ("name", "nbf", "exp", "metadata")


def grant_meaning(grant: Any) -> Any:
    """A video grant with LiveKit's defaults filled in, so two spellings of one permission compare equal."""
    if not isinstance(grant, dict):
        return grant
    return {**GRANT_DEFAULTS, **{k: v for k, v in grant.items() if v is not None}}


def by_meaning(document: Any) -> Any:
    """A request snapshot document with its token's video grant read as a LiveKit server reads it."""
    if not isinstance(document, dict) or not isinstance(document.get(CLAIMS), dict):
        return document
    claims = document[CLAIMS]
    if "video" not in claims:
        return document
    return {**document, CLAIMS: {**claims, "video": grant_meaning(claims["video"])}}


def left_open(path: str) -> bool:
    """Whether the contract leaves the snapshot field at ``path`` to the implementation.

    Such a difference is reported as a note and never fails: the display name is the
    implementation's default, the lifetime only bounds the first connection (LiveKit), and
    participant attributes other than ``lk.publish_on_behalf`` are the plugin's own.
    """
    if not path.startswith(f"{CLAIMS}."):
        return False
    claim = path.removeprefix(f"{CLAIMS}.")
    if claim in OPEN_CLAIMS:
        return True
    return claim.startswith("attributes.") and claim != f"attributes.{PUBLISH_ON_BEHALF}"


def names_a_dimension(path: str) -> bool:
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    spelled = last.lower().replace("_", "").replace("-", "")
    return "width" in spelled or "height" in spelled


def owner(path: str, *, dimensions_asked: bool) -> ClauseId | None:
    """The clause that owns a difference in the session request at ``path`` (None: no clause but the whole).

    Paths are those of :func:`differences` over the body, or over a written
    request (``method``, ``path``, ``headers.*``, ``body.*``).
    """
    if path in ("request", "requests"):
        return ONE_REQUEST  # a pinned document's request list of another length
    for prefix in ("request.", "requests["):
        if path.startswith(prefix):
            path = (
                path.removeprefix(prefix).split("].", 1)[-1] if prefix == "requests[" else path[len(prefix) :]
            )
    if path.startswith("body."):
        path = path.removeprefix("body.")
    elif path in ("method", "path") or path.startswith("headers"):
        return SHAPE
    dimension_clause = VERBATIM if dimensions_asked else OMITTED
    if names_a_dimension(path):
        return dimension_clause
    if path == "sessionOptions.showAIAvatarDisclosure":
        return DISCLOSURE
    head = path.split(".", 1)[0].split("[", 1)[0]
    if head == "sessionOptions":
        return dimension_clause
    if head == "personaConfig":
        return PERSONA
    if path.startswith("environment.livekitToken"):
        return TOKEN
    if path.startswith(CLAIMS):
        claim = path.removeprefix(CLAIMS).lstrip(".").split(".", 1)[0]
        # avatar.token checks who the avatar is, its kind, its grant and on whose behalf it publishes;
        # what the contract leaves open (left_open) is noted before owners are asked.
        return TOKEN if claim in ("", "sub", "kind", "video", "attributes") else None
    return None


def owners(
    found: Iterable[Difference], *, dimensions_asked: bool, asked_refused: bool = False
) -> list[ClauseId]:
    """The clause owning each difference; what no narrower clause owns is the whole request's.

    Dimensions left out of a request for a pair Anam refuses are a downgrade, not
    a forwarding fault: the plugin avoided the refusal rather than garbling the pair.
    """
    found = list(found)
    left_out = all(d.actual is ABSENT for d in found if names_a_dimension(d.path))
    found_owners = []
    for d in found:
        clause = owner(d.path, dimensions_asked=dimensions_asked) or WHOLE_REQUEST
        if clause == VERBATIM and asked_refused and left_out and names_a_dimension(d.path):
            clause = DOWNGRADE
        found_owners.append(clause)
    return found_owners


def blocking_owner(
    found: Iterable[Difference], *, dimensions_asked: bool, besides: ClauseId, asked_refused: bool = False
) -> ClauseId | None:
    """The clause, other than ``besides``, that blocks a check comparing a whole request.

    None when ``besides`` owns one of the differences: then the check judges it itself.
    """
    found_owners = owners(found, dimensions_asked=dimensions_asked, asked_refused=asked_refused)
    if not found_owners or besides in found_owners:
        return None
    return found_owners[0]
