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
ANAM_ANSWERS = (
    "Anam API error responses (anam SDK 0.12.0: 401, 402 no plan, 403, 429 concurrent-session limit "
    "or spend cap, 503 service busy, other 5xx)"
)
LK_RETRY = "livekit-agents APIStatusError.retryable (408, 429, 499, 5xx) and APIConnectOptions"
LK_ERRORS = "livekit-agents APIError, APIStatusError, APIConnectionError, APITimeoutError"


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

    def meaning_in(self, language: str) -> str:
        """What the clause asks of an implementation in ``language`` (Python's own words for Python)."""
        if language == "python":
            return self.requirement
        meaning = LANGUAGE_MAPPINGS.get(language, {}).get(self.id, self.requirement)
        return meaning if meaning is not None else "no counterpart"

    def applies_to(self, language: str) -> bool:
        """Whether the clause's subject exists in ``language`` at all (if not, it is never judged there)."""
        return language == "python" or LANGUAGE_MAPPINGS.get(language, {}).get(self.id, "") is not None


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
    # The rest of Anam's answer space. Levels follow livekit-agents' own conventions; the
    # argument for each is in its source and in the README ("Anam's other answers").
    Clause(
        "answers.status-surfaced",
        Level.MUST,
        "Every error status surfaced as APIStatusError",
        "Any error status other than 400 (401, 402, 403, 404, 422, 408, 429 in each variant, 5xx), once "
        "the plugin stops retrying, raises livekit.agents.APIStatusError with that status_code and Anam's "
        "response body.",
        f"{ANAM_ANSWERS}; {LK_ERRORS}: APIStatusError is the framework's error for a 4xx/5xx answer and "
        "its status_code decides retryable for every caller, so any other type hides it (MUST, as for 400)",
    ),
    Clause(
        "retry.retryable-retried",
        Level.SHOULD,
        "Retryable answers retried as conn_options says",
        "A retryable status (408, 429, 5xx) or a connection fault (refused, reset, timeout) is tried "
        "max_retry + 1 times in all, and a success on a retry starts the session.",
        f"{LK_RETRY}: the framework marks these retryable and hands the budget to the plugin; giving up "
        "early still surfaces the error, so it fails safe (SHOULD)",
    ),
    Clause(
        "retry.bounded",
        Level.MUST,
        "Never more attempts than conn_options allows",
        "No answer and no connection fault makes the plugin send more than max_retry + 1 session requests.",
        f"{LK_RETRY}: max_retry is the caller's budget; exceeding it multiplies load on an Anam that "
        "said 429 (concurrent sessions, spend cap) or 5xx, and an unbounded loop never ends (MUST)",
    ),
    Clause(
        "transport.connection-surfaced",
        Level.MUST,
        "Connection faults surfaced as APIConnectionError",
        "When Anam cannot be reached (connection refused, closed without an answer, no answer in time), "
        "start() raises livekit.agents.APIConnectionError (APITimeoutError included) once retries are spent.",
        f"{LK_ERRORS}: APIConnectionError is the framework's error for a failed transport, the one "
        "callers catch; aiohttp's or asyncio's own exceptions escape every such handler (MUST)",
    ),
    Clause(
        "transport.timeout-surfaced",
        Level.SHOULD,
        "A timeout surfaced as APITimeoutError",
        "A request that times out raises livekit.agents.APITimeoutError once retries are spent.",
        f"{LK_ERRORS}: APITimeoutError is an APIConnectionError, so a caller is served either way; the "
        "subclass tells a slow Anam from an unreachable one, as livekit-agents' own plugins do (SHOULD)",
    ),
    Clause(
        "transport.timeout-bounded",
        Level.SHOULD,
        "A start never outlives its timeouts",
        "Against an Anam that accepts the connection and never answers, start() ends within "
        "timeout x (max_retry + 1) plus the retry intervals (plus 0.5 s of slack).",
        f"{LK_RETRY}: APIConnectOptions documents timeout as the timeout 'for connecting to the API', so "
        "bounding only the connection keeps its letter; but a start() that never ends blocks the agent's "
        "entrypoint with no error to act on (SHOULD)",
    ),
    Clause(
        "answers.malformed-success",
        Level.SHOULD,
        "A malformed success is an error, not a session",
        "A 2xx answer without a sessionId, or whose body is not a JSON object, makes start() raise a "
        "livekit.agents.APIError; the agent's audio is not handed to an avatar that is not coming.",
        "anam SDK 0.12.0 SessionInfo (sessionId required: a KeyError without it); "
        f"{LK_ERRORS}: an unusable answer is an APIError. Anam documents sessionId in every 2xx, so this is "
        "robustness against an answer outside the documented ones (a proxy, an API change): SHOULD",
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


#: How each clause reads in another language: the same requirement, stated with that language's
#: counterparts. Common to every clause: Python's ``ValueError`` is an ``Error`` thrown before
#: any request; ``livekit.agents.APIStatusError`` is ``@livekit/agents``' ``APIStatusError``
#: (``statusCode``, ``body``); ``None`` and ``NOT_GIVEN`` are ``undefined``; keyword arguments
#: are fields of the options object (``session_options=SessionOptions(video_width=...)`` is
#: ``sessionOptions: {videoWidth: ...}``). A clause mapped to None has no counterpart in that
#: language and is reported unimplemented there, never passed.
LANGUAGE_MAPPINGS: dict[str, dict[str, str | None]] = {
    "javascript": {
        "surface.drop-in": "The package exports AvatarSession, a subclass of @livekit/agents' "
        "voice.AvatarSession, taking {personaConfig, apiUrl, apiKey, avatarParticipantIdentity, "
        "avatarParticipantName, connOptions}, and start(agentSession, room, {livekitUrl, "
        "livekitApiKey, livekitApiSecret}).",
        "surface.session-options": "AvatarSession takes sessionOptions: {videoWidth?, videoHeight?}, "
        "both optional (undefined when not given).",
        "dims.both-or-neither": "A lone videoWidth or videoHeight makes start() throw an Error before any "
        "request is sent.",
        "dims.verbatim": "Both dimensions are sent as sessionOptions.videoWidth/videoHeight with the same "
        "JSON value, nowhere else; the rest of the body is unchanged.",
        "dims.omitted-is-baseline": "With no dimensions (sessionOptions not given, or both undefined) the "
        "body is exactly the pre-feature body.",
        "dims.published-size": "With a supported pair the avatar publishes its video track at exactly "
        "that size.",
        "rejection.no-downgrade": "An unsupported pair is sent as asked and its rejection thrown; no other "
        "size is tried and no session is started.",
        "rejection.surfaced": "Anam's HTTP 400 makes start() reject with @livekit/agents' APIStatusError, "
        "statusCode 400 and Anam's response body.",
        "rejection.not-retried": "A 4xx answer other than 408/429/499 is not retried: exactly one session "
        "request is sent.",
        "session.one-request": "A successful start() sends exactly one session request (the one carrying "
        "personaConfig) and opens exactly one Anam session.",
        "request.shape": "As in Python: a POST of a JSON object with Authorization: Bearer <apiKey> and "
        "Content-Type application/json.",
        "avatar.token": "As in Python: the LiveKit JWT admits the avatar identity (kind agent) to this room, "
        "publishing on behalf of room.localParticipant.identity.",
        "avatar.joins": "After a successful start the avatar joins, publishes its video at the size Anam "
        "resolved, and waitForJoin() resolves.",
        "avatar.audio-handoff": "After start agentSession.output.audio is a voice.DataStreamAudioOutput to "
        "the avatar identity, waiting for its video track (waitRemoteTrack KIND_VIDEO).",
        "fields.persona-kept": "personaConfig.avatarModel (and directorNotes where the type has it) reach "
        "personaConfig unchanged, with and without dimensions.",
        "fields.disclosure-kept": "sessionOptions.showAIAvatarDisclosure reaches the request unchanged.",
        "dims.local-refusal": "A full pair is refused locally (an Error thrown, nothing sent) only when a "
        "value is one Anam could never accept: not an integer, a boolean, or not positive. JavaScript "
        "numbers have no integer type: 720.0 is 720.",
        "request.snapshot": "For each canonical case the session request is exactly the one pinned in "
        "snapshots/.",
    },
}
