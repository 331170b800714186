"""The contract, clause by clause: the one place that says what a plugin must do.

Every conformance test names the clause it checks with
``@pytest.mark.clause(...)``; the report judges clauses, not tests. Levels follow
RFC 2119: the verdict is ``conforming`` exactly when every applicable MUST
clause passes.

Two kinds of optional surface, kept apart on purpose:

- ``feature``: the clause belongs to ``SessionOptions`` itself. A plugin from
  before the feature (``livekit-plugins-anam`` < 1.6.0) cannot meet it: it is
  reported ``unimplemented`` and still counts against the verdict, because the
  feature is what the contract is about.
- ``applies_if``: a conditional requirement ("you must do X if you offer Y",
  web-platform-tests' ``assert_implements_optional``). Where the plugin offers
  the surface the clause is a MUST like any other; where it does not, the
  clause is ``unimplemented`` and not applicable, so it does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


PR = "livekit/agents#5935 (final form, after review)"
ANAM_VIDEO = "Anam docs, Session > Video"
ANAM_ERRORS = "Anam API error responses; livekit-agents APIStatusError"
RELEASED = "livekit-plugins-anam public API (every release)"


@dataclass(frozen=True)
class Clause:
    id: str
    level: Level
    title: str
    requirement: str
    source: str
    feature: bool = False
    #: The optional surface (a feature name of the pytest plugin) without which the clause does not apply.
    applies_if: str | None = None


CLAUSES: tuple[Clause, ...] = (
    Clause(
        "surface.drop-in",
        Level.MUST,
        "Drop-in public API",
        "The module exposes AvatarSession (a livekit-agents AvatarSession) and PersonaConfig "
        "taking the keyword arguments of livekit.plugins.anam.",
        RELEASED,
    ),
    Clause(
        "surface.session-options",
        Level.MUST,
        "SessionOptions exists",
        "SessionOptions(video_width, video_height) exists, both default to None, and "
        "AvatarSession takes it as session_options.",
        PR,
        feature=True,
    ),
    Clause(
        "dims.both-or-neither",
        Level.MUST,
        "Both dimensions or neither",
        "A lone video_width or video_height raises ValueError before any request is sent.",
        f"{PR}; {ANAM_VIDEO}",
        feature=True,
    ),
    Clause(
        "dims.verbatim",
        Level.MUST,
        "Dimensions forwarded verbatim",
        "Both dimensions are sent as sessionOptions.videoWidth/videoHeight with the same JSON "
        "value, nowhere else, never coerced, swapped or renamed; the rest of the body is "
        "unchanged.",
        PR,
        feature=True,
    ),
    Clause(
        "dims.omitted-is-baseline",
        Level.MUST,
        "Omitted means the pre-feature request",
        "With no dimensions (options not given, or both None) the body is exactly the "
        "pre-feature body: no sessionOptions, empty or otherwise.",
        PR,
    ),
    Clause(
        "dims.published-size",
        Level.MUST,
        "Video published at the requested size",
        "With a supported pair the avatar publishes its video track at exactly that size.",
        f"{PR}; {ANAM_VIDEO}",
        feature=True,
    ),
    Clause(
        "rejection.no-downgrade",
        Level.MUST,
        "No silent downgrade",
        "An unsupported pair is sent as asked and its rejection raised; no other size is "
        "tried and no session is started.",
        PR,
        feature=True,
    ),
    Clause(
        "rejection.surfaced",
        Level.MUST,
        "HTTP 400 surfaced as APIStatusError",
        "Anam's HTTP 400 raises livekit.agents.APIStatusError with status_code 400 and Anam's response body.",
        f"{PR}; {ANAM_ERRORS}",
    ),
    Clause(
        "rejection.not-retried",
        Level.MUST,
        "Rejections are not retried",
        "A 4xx answer other than 408/429/499 is not retried: exactly one session request is sent.",
        ANAM_ERRORS,
    ),
    Clause(
        "session.one-request",
        Level.MUST,
        "One session per start",
        "A successful start() sends exactly one session request (the one carrying "
        "personaConfig) and opens exactly one Anam session.",
        RELEASED,
    ),
    Clause(
        "request.shape",
        Level.MUST,
        "Request shape",
        "The session request is a POST of a JSON object to Anam's session endpoint with "
        "Authorization: Bearer <API key> and Content-Type application/json.",
        RELEASED,
    ),
    Clause(
        "avatar.token",
        Level.MUST,
        "Avatar admitted by the minted token",
        "The LiveKit JWT sent to Anam verifies with the agent's key and secret, grants "
        "room_join to this room, names the avatar identity with kind agent, and publishes on "
        "behalf of the local agent.",
        RELEASED,
    ),
    Clause(
        "avatar.joins",
        Level.MUST,
        "Avatar joins and publishes video",
        "After a successful start the avatar joins, publishes a video track at the size Anam "
        "resolved, and wait_for_join() resolves.",
        f"{PR}; livekit-agents AvatarSession.wait_for_join",
    ),
    Clause(
        "avatar.audio-handoff",
        Level.MUST,
        "Agent audio handed to the avatar",
        "After start the agent's audio output streams to the avatar identity and waits for its video track.",
        RELEASED,
    ),
    Clause(
        "fields.persona-kept",
        Level.MUST,
        "Persona fields kept",
        "avatarModel and directorNotes reach personaConfig unchanged, with and without dimensions.",
        "livekit-plugins-anam 1.6.5+ (directorNotes)",
    ),
    Clause(
        "fields.disclosure-kept",
        Level.MUST,
        "Disclosure option kept",
        "Where SessionOptions offers show_ai_avatar_disclosure, it reaches "
        "sessionOptions.showAIAvatarDisclosure unchanged, with and without dimensions.",
        "livekit-plugins-anam 1.6.9; Anam docs, sessionOptions (the AI-disclosure switch: dropping it "
        "silently is a defect, so a MUST wherever the option is offered)",
        applies_if="show_ai_avatar_disclosure",
    ),
    Clause(
        "dims.local-refusal",
        Level.MUST,
        "Local refusal only for impossible values",
        "A full pair is refused locally (ValueError, nothing sent) only when a value is one Anam "
        "could never accept: not an int, a bool, or not positive; any other pair is sent for Anam "
        "to judge.",
        f"{PR}; {ANAM_VIDEO}; anam SDK 0.12.0 local validation",
        feature=True,
    ),
    Clause(
        "request.snapshot",
        Level.MUST,
        "Request pinned by snapshot",
        "For each canonical case the session request (method, path, contract headers, body, "
        "LiveKit token claims) is exactly the one pinned in snapshots/.",
        f"{PR}; {RELEASED}",
    ),
)

BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}


class UnknownClause(KeyError):
    """A test names a clause the registry does not have."""


def clause(clause_id: str) -> Clause:
    try:
        return BY_ID[clause_id]
    except KeyError:
        raise UnknownClause(f"unknown clause {clause_id!r}; known: {', '.join(sorted(BY_ID))}") from None
