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

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum


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


class ClauseId(StrEnum):
    """Every clause's id: a check, a premise or a blame names a clause by one of these, so a
    misspelling is a type error, and the value is what every report writes."""

    SURFACE_DROP_IN = "surface.drop-in"
    SURFACE_SESSION_OPTIONS = "surface.session-options"
    DIMS_BOTH_OR_NEITHER = "dims.both-or-neither"
    DIMS_VERBATIM = "dims.verbatim"
    DIMS_OMITTED_IS_BASELINE = "dims.omitted-is-baseline"
    DIMS_PUBLISHED_SIZE = "dims.published-size"
    REJECTION_NO_DOWNGRADE = "rejection.no-downgrade"
    REJECTION_SURFACED = "rejection.surfaced"
    REJECTION_NOT_RETRIED = "rejection.not-retried"
    SESSION_ONE_REQUEST = "session.one-request"
    REQUEST_SHAPE = "request.shape"
    AVATAR_TOKEN = "avatar.token"
    AVATAR_JOINS = "avatar.joins"
    AVATAR_AUDIO_HANDOFF = "avatar.audio-handoff"
    FIELDS_PERSONA_KEPT = "fields.persona-kept"
    FIELDS_DISCLOSURE_KEPT = "fields.disclosure-kept"
    DIMS_LOCAL_REFUSAL = "dims.local-refusal"
    REQUEST_SNAPSHOT = "request.snapshot"
    ANSWERS_STATUS_SURFACED = "answers.status-surfaced"
    RETRY_RETRYABLE_RETRIED = "retry.retryable-retried"
    RETRY_BOUNDED = "retry.bounded"
    TRANSPORT_CONNECTION_SURFACED = "transport.connection-surfaced"
    TRANSPORT_TIMEOUT_SURFACED = "transport.timeout-surfaced"
    TRANSPORT_TIMEOUT_BOUNDED = "transport.timeout-bounded"
    ANSWERS_MALFORMED_SUCCESS = "answers.malformed-success"


class Offer(StrEnum):
    """What an implementation may offer and a check may need (``@pytest.mark.offers(...)``).

    A feature is part of the public surface: a plugin without it cannot meet the checks that
    need it, which are ``unimplemented``. A capability is what the harness can do with the
    implementation beyond the one call: where it is missing, a twin check judges the same
    clause another way, so the check is skipped.
    """

    SESSION_OPTIONS = "SessionOptions"
    DIRECTOR_NOTES = "DirectorNotes"
    DISCLOSURE = "show_ai_avatar_disclosure"
    CLIENT_FAULTS = "client-faults"
    PYTHON_TYPES = "python-types"

    @property
    def is_capability(self) -> bool:
        return self in (Offer.CLIENT_FAULTS, Offer.PYTHON_TYPES)


@dataclass(frozen=True)
class Clause:
    id: ClauseId
    level: Level
    title: str
    requirement: str
    source: str
    feature: bool = False
    #: The optional surface without which the clause does not apply.
    applies_if: Offer | None = None
    #: The clauses whose requirements a check of this one may find broken and be blocked by (the
    #: premise graph, declared once): a check blocked by any other clause is the suite's error.
    presupposes: tuple[ClauseId, ...] = ()
    #: What the checks of the clause cover of its requirement: the statuses, value classes and flows
    #: they draw or enumerate. Rendered into the documentation, so a reader sees where a pass reaches.
    domain: str = ""

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
        ClauseId.SURFACE_DROP_IN,
        Level.MUST,
        "Drop-in public API",
        "The module exposes AvatarSession (a livekit-agents AvatarSession) and PersonaConfig "
        "taking the keyword arguments of livekit.plugins.anam.",
        RELEASED,
        domain="AvatarSession is the framework's AvatarSession (a subclass; in JavaScript, of "
        "voice.AvatarSession); the constructor takes persona_config, api_url, api_key, "
        "avatar_participant_identity, avatar_participant_name and conn_options; start() takes "
        "livekit_url, livekit_api_key and livekit_api_secret; PersonaConfig keeps name, avatarId "
        "and avatarModel. Every start of every other check calls these too: a keyword refused "
        "there blocks it by this clause.",
    ),
    Clause(
        ClauseId.SURFACE_SESSION_OPTIONS,
        Level.MUST,
        "SessionOptions exists",
        "SessionOptions(video_width, video_height) exists, both default to None, and "
        "AvatarSession takes it as session_options.",
        PR,
        feature=True,
        domain="SessionOptions() has both dimensions None and AvatarSession takes session_options; "
        "SessionOptions(1152, 768) keeps its values; and every call the properties draw (one "
        "dimension given, the other left out or None) is built with the other defaulting to None.",
    ),
    Clause(
        ClauseId.DIMS_BOTH_OR_NEITHER,
        Level.MUST,
        "Both dimensions or neither",
        "A lone video_width or video_height raises ValueError before any request is sent.",
        f"{PR}; {ANAM_VIDEO}",
        feature=True,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.FIELDS_PERSONA_KEPT,
        ),
        domain="A lone width and a lone height, each with the other left out and with the other None; "
        "the replayed half pair; and every lone value the properties draw (documented sizes, any "
        "integer in -10^6..10^6, 0, negatives, 2^31, 2^63, 10^20, bools, floats, strings), with "
        "each persona and disclosure variant.",
    ),
    Clause(
        ClauseId.DIMS_VERBATIM,
        Level.MUST,
        "Dimensions forwarded verbatim",
        "Both dimensions are sent as sessionOptions.videoWidth/videoHeight with the same JSON "
        "value, nowhere else, never coerced, swapped or renamed; the rest of the body is "
        "unchanged.",
        PR,
        feature=True,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.FIELDS_PERSONA_KEPT,
        ),
        domain="Every pair Anam documents, per model (cara-3 720x480; cara-4-latest and cara-4-stable "
        "1152x768 and 768x1152), and every full pair the properties draw (documented, any "
        "positive pair up to 4096, any two values of any class); each sent pair compared by JSON "
        "type and value, and the rest of the body compared with the same call without dimensions.",
    ),
    Clause(
        ClauseId.DIMS_OMITTED_IS_BASELINE,
        Level.MUST,
        "Omitted means the pre-feature request",
        "With no dimensions (options not given, or both None) the body is exactly the "
        "pre-feature body: no sessionOptions, empty or otherwise.",
        PR,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.FIELDS_PERSONA_KEPT,
        ),
        domain="No session_options, SessionOptions(), and both dimensions None, each compared with the "
        "pre-feature body; and every call without dimensions the properties draw (each model, "
        "each director-notes variant, with and without a disclosure flag).",
    ),
    Clause(
        ClauseId.DIMS_PUBLISHED_SIZE,
        Level.MUST,
        "Video published at the requested size",
        "With a supported pair the avatar publishes its video track at exactly that size.",
        f"{PR}; {ANAM_VIDEO}",
        feature=True,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.AVATAR_TOKEN,
            ClauseId.AVATAR_JOINS,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.RETRY_RETRYABLE_RETRIED,
            ClauseId.FIELDS_DISCLOSURE_KEPT,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.REJECTION_NO_DOWNGRADE,
        ),
        domain="Every pair Anam documents, per model (five model/pair combinations); a pair whose start "
        "was retried after a 503; and the recorded landscape and portrait sessions.",
    ),
    Clause(
        ClauseId.REJECTION_NO_DOWNGRADE,
        Level.MUST,
        "No silent downgrade",
        "An unsupported pair is sent as asked and its rejection raised; no other size is "
        "tried and no session is started.",
        PR,
        feature=True,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.DIMS_LOCAL_REFUSAL,
        ),
        domain="cara-4-latest 1280x720, cara-3 1152x768 and the swapped cara-3 480x720, after the "
        "model's own pair is shown forwarded; and every pair the properties draw that Anam's "
        "rules refuse.",
    ),
    Clause(
        ClauseId.REJECTION_SURFACED,
        Level.MUST,
        "HTTP 400 surfaced as APIStatusError",
        "Anam's HTTP 400 raises livekit.agents.APIStatusError with status_code 400 and Anam's response body.",
        f"{PR}; {ANAM_ERRORS}",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.REJECTION_NO_DOWNGRADE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.DIMS_LOCAL_REFUSAL,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.RETRY_BOUNDED,
            ClauseId.FIELDS_DISCLOSURE_KEPT,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.AVATAR_TOKEN,
        ),
        domain="An unsupported pair answered 400 on every attempt (however often the plugin asks); every "
        "call the properties draw that Anam answers 400 (unsupported pairs and values); and the "
        "recorded 400s.",
    ),
    Clause(
        ClauseId.REJECTION_NOT_RETRIED,
        Level.MUST,
        "Rejections are not retried",
        "A 4xx answer other than 408/429/499 is not retried: exactly one session request is sent.",
        ANAM_ERRORS,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.REJECTION_NO_DOWNGRADE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.DIMS_LOCAL_REFUSAL,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.AVATAR_TOKEN,
        ),
        domain="Every final 4xx, 400-499 but 408, 429 and 499 (through a driver also but 407 and 421, "
        "which fetch answers itself), each answered to every attempt; every 400 the properties "
        "draw; and the recorded 400s.",
    ),
    Clause(
        ClauseId.SESSION_ONE_REQUEST,
        Level.MUST,
        "One session per start",
        "A successful start() sends exactly one session request (the one carrying "
        "personaConfig) and opens exactly one Anam session.",
        RELEASED,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.REQUEST_SHAPE,
        ),
        domain="A plain start in either wire flow (one request, or session token then engine session); "
        "and, as a premise of every check that starts the plugin, a second, different session "
        "request (a refused request sent again is rejection.not-retried's, not a second session).",
    ),
    Clause(
        ClauseId.REQUEST_SHAPE,
        Level.MUST,
        "Request shape",
        "The session request is a POST of a JSON object to Anam's session endpoint with "
        "Authorization: Bearer <API key> and Content-Type application/json.",
        RELEASED,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.SESSION_ONE_REQUEST,
        ),
        domain="The session request of a start without options and of one with a pair: method, path "
        "(either flow), Authorization Bearer <API key>, Content-Type, a JSON object body; and, in "
        "every start, whether Anam accepted the credentials (a 401 from the double blocks the check "
        "by this clause).",
    ),
    Clause(
        ClauseId.AVATAR_TOKEN,
        Level.MUST,
        "Avatar admitted by the minted token",
        "The LiveKit JWT sent to Anam verifies with the agent's key and secret, grants "
        "room_join to this room, names the avatar identity with kind agent, and publishes on "
        "behalf of the local agent.",
        RELEASED,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.REQUEST_SNAPSHOT,
        ),
        domain="The default identity and a custom one, in a named room: signature, identity, kind, "
        "room_join, room and lk.publish_on_behalf; the recorded custom-identity session; and "
        "every start whose avatar arrives, admitted only by the token the plugin minted.",
    ),
    Clause(
        ClauseId.AVATAR_JOINS,
        Level.MUST,
        "Avatar joins and publishes video",
        "After a successful start the avatar joins, publishes a video track at the size Anam "
        "resolved, and wait_for_join() resolves.",
        f"{PR}; livekit-agents AvatarSession.wait_for_join",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.AVATAR_TOKEN,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.FIELDS_DISCLOSURE_KEPT,
            ClauseId.DIMS_VERBATIM,
            ClauseId.REJECTION_NO_DOWNGRADE,
        ),
        domain="Each documented model's default size (cara-3, cara-4-latest, cara-4-stable), each with "
        "the default avatar identity and a custom one, and the recorded default sessions; "
        "wait_for_join() asked after start() with nobody in the room "
        "(it must stay pending), then again once the avatar has joined and published (it must "
        "resolve).",
    ),
    Clause(
        ClauseId.AVATAR_AUDIO_HANDOFF,
        Level.MUST,
        "Agent audio handed to the avatar",
        "After start the agent's audio output streams to the avatar identity and waits for its video track.",
        RELEASED,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.REQUEST_SNAPSHOT,
            ClauseId.AVATAR_TOKEN,
            ClauseId.FIELDS_DISCLOSURE_KEPT,
            ClauseId.DIMS_VERBATIM,
            ClauseId.REJECTION_NO_DOWNGRADE,
        ),
        domain="A plain start with the default avatar identity and with a custom one, and a replayed "
        "start: the audio output streams to that identity and waits for its video track.",
    ),
    Clause(
        ClauseId.FIELDS_PERSONA_KEPT,
        Level.MUST,
        "Persona fields kept",
        "avatarModel and directorNotes reach personaConfig unchanged, with and without dimensions.",
        "livekit-plugins-anam 1.6.5+ (directorNotes)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.SESSION_ONE_REQUEST,
        ),
        domain="avatarModel and directorNotes, each with and without dimensions; and every persona the "
        "properties draw (each model or none, each director-notes variant: each field alone, "
        "together, none set) crossed with every kind of SessionOptions.",
    ),
    Clause(
        ClauseId.FIELDS_DISCLOSURE_KEPT,
        Level.MUST,
        "Disclosure option kept",
        "Where SessionOptions offers show_ai_avatar_disclosure, it reaches "
        "sessionOptions.showAIAvatarDisclosure unchanged, with and without dimensions.",
        "livekit-plugins-anam 1.6.9; Anam docs, sessionOptions (the AI-disclosure switch: dropping it "
        "silently is a defect, so a MUST wherever the option is offered)",
        applies_if=Offer.DISCLOSURE,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.REJECTION_NOT_RETRIED,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.AVATAR_TOKEN,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.REQUEST_SNAPSHOT,
        ),
        domain="show_ai_avatar_disclosure true and false, each with and without dimensions; and the two "
        "pinned disclosure requests.",
    ),
    Clause(
        ClauseId.DIMS_LOCAL_REFUSAL,
        Level.MUST,
        "Local refusal only for impossible values",
        "A full pair is refused locally (ValueError, nothing sent) only when a value is one Anam "
        "could never accept: not an int, a bool, or not positive; any other pair is sent for Anam "
        "to judge.",
        f"{PR}; {ANAM_VIDEO}; anam SDK 0.12.0 local validation",
        feature=True,
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.FIELDS_PERSONA_KEPT,
        ),
        domain="Every full pair the properties draw: documented pairs, any positive pair up to 4096, and "
        "any two values (0, negatives, huge integers, bools, floats, strings); a local refusal is "
        "allowed exactly for a value that is not an int, a bool, or not positive.",
    ),
    Clause(
        ClauseId.REQUEST_SNAPSHOT,
        Level.MUST,
        "Request pinned by snapshot",
        "For each canonical case the session request (method, path, contract headers, body, "
        "LiveKit token claims) is exactly the one pinned in snapshots/.",
        f"{PR}; {RELEASED}",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SURFACE_SESSION_OPTIONS,
            ClauseId.DIMS_VERBATIM,
            ClauseId.DIMS_OMITTED_IS_BASELINE,
            ClauseId.REJECTION_NO_DOWNGRADE,
            ClauseId.REJECTION_NOT_RETRIED,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.AVATAR_TOKEN,
            ClauseId.FIELDS_PERSONA_KEPT,
            ClauseId.DIMS_LOCAL_REFUSAL,
        ),
        domain="Ten canonical calls (no options, every documented pair per model, an unsupported pair, "
        "the disclosure flag with and without dimensions, a persona with avatarModel and "
        "directorNotes) and both wire flows; method, path, contract headers, body and the token's "
        "identity, kind, grants (by meaning) and publish-on-behalf are judged, the rest is noted.",
    ),
    # The rest of Anam's answer space. Levels follow livekit-agents' own conventions; the
    # argument for each is in its source and in the README ("Anam's other answers").
    Clause(
        ClauseId.ANSWERS_STATUS_SURFACED,
        Level.MUST,
        "Every error status surfaced as APIStatusError",
        "Any error status other than 400 (401, 402, 403, 404, 422, 408, 429 in each variant, 5xx), once "
        "the plugin stops retrying, raises livekit.agents.APIStatusError with that status_code and Anam's "
        "response body.",
        f"{ANAM_ANSWERS}; {LK_ERRORS}: APIStatusError is the framework's error for a 4xx/5xx answer and "
        "its status_code decides retryable for every caller, so any other type hides it (MUST, as for 400)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.RETRY_BOUNDED,
        ),
        domain="Every error status but 400, 401-599 (through a driver but 407 and 421), each answered to "
        "every attempt with a JSON error body; and Anam's documented answers with their own "
        "bodies (401, 402 no plan, 403, 404, 422, 408, 429 concurrent sessions, spend cap and "
        "usage limit, 500, 502, 503 service busy, 504).",
    ),
    Clause(
        ClauseId.RETRY_RETRYABLE_RETRIED,
        Level.SHOULD,
        "Retryable answers retried as conn_options says",
        "A retryable status (408, 429, 5xx) or a connection fault (refused, reset, timeout) is tried "
        "max_retry + 1 times in all, and a success on a retry starts the session.",
        f"{LK_RETRY}: the framework marks these retryable and hands the budget to the plugin; giving up "
        "early still surfaces the error, so it fails safe (SHOULD)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
        ),
        domain="Every retryable status, 408, 429 and 500-599, answered to every attempt; the documented "
        "408, 429, 500 and 503 answers; each connection fault at the client (refused, reset, "
        "connect and read timeouts; Python); and a success after one 429 or 503.",
    ),
    Clause(
        ClauseId.RETRY_BOUNDED,
        Level.MUST,
        "Never more attempts than conn_options allows",
        "No answer and no connection fault makes the plugin send more than max_retry + 1 session requests.",
        f"{LK_RETRY}: max_retry is the caller's budget; exceeding it multiplies load on an Anam that "
        "said 429 (concurrent sessions, spend cap) or 5xx, and an unbounded loop never ends (MUST)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
        ),
        domain="Every error status, 400-599 (through a driver but 407 and 421), answered to every "
        "attempt; the documented 429 and 5xx answers; and each persistent connection fault "
        "(Python).",
    ),
    Clause(
        ClauseId.TRANSPORT_CONNECTION_SURFACED,
        Level.MUST,
        "Connection faults surfaced as APIConnectionError",
        "When Anam cannot be reached (connection refused, closed without an answer, no answer in time), "
        "start() raises livekit.agents.APIConnectionError (APITimeoutError included) once retries are spent.",
        f"{LK_ERRORS}: APIConnectionError is the framework's error for a failed transport, the one "
        "callers catch; aiohttp's or asyncio's own exceptions escape every such handler (MUST)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.RETRY_BOUNDED,
        ),
        domain="A connection refused, reset, or timed out at connect or read, raised at the HTTP client "
        "(Python); and Anam closing every connection without an answer (every language).",
    ),
    Clause(
        ClauseId.TRANSPORT_TIMEOUT_SURFACED,
        Level.SHOULD,
        "A timeout surfaced as APITimeoutError",
        "A request that times out raises livekit.agents.APITimeoutError once retries are spent.",
        f"{LK_ERRORS}: APITimeoutError is an APIConnectionError, so a caller is served either way; the "
        "subclass tells a slow Anam from an unreachable one, as livekit-agents' own plugins do (SHOULD)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.RETRY_BOUNDED,
            ClauseId.TRANSPORT_TIMEOUT_BOUNDED,
        ),
        domain="A connect timeout and a read timeout at the HTTP client (Python); and an Anam that "
        "accepts the connection and never answers (every language).",
    ),
    Clause(
        ClauseId.TRANSPORT_TIMEOUT_BOUNDED,
        Level.SHOULD,
        "A start never outlives its timeouts",
        "Against an Anam that accepts the connection and never answers, start() ends within "
        "timeout x (max_retry + 1) plus the retry intervals (plus 0.5 s of slack).",
        f"{LK_RETRY}: APIConnectOptions documents timeout as the timeout 'for connecting to the API', so "
        "bounding only the connection keeps its letter; but a start() that never ends blocks the agent's "
        "entrypoint with no error to act on (SHOULD)",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
            ClauseId.RETRY_BOUNDED,
        ),
        domain="An Anam that accepts the connection and never answers, with timeout 0.15 s and max_retry 1.",
    ),
    Clause(
        ClauseId.ANSWERS_MALFORMED_SUCCESS,
        Level.SHOULD,
        "A malformed success is an error, not a session",
        "A 2xx answer without a sessionId, or whose body is not a JSON object, makes start() raise a "
        "livekit.agents.APIError; the agent's audio is not handed to an avatar that is not coming.",
        "anam SDK 0.12.0 SessionInfo (sessionId required: a KeyError without it); "
        f"{LK_ERRORS}: an unusable answer is an APIError. Anam documents sessionId in every 2xx, so this is "
        "robustness against an answer outside the documented ones (a proxy, an API change): SHOULD",
        presupposes=(
            ClauseId.SURFACE_DROP_IN,
            ClauseId.SESSION_ONE_REQUEST,
            ClauseId.REQUEST_SHAPE,
        ),
        domain="A 200 and a 201 without sessionId; a 200 whose body is not JSON, a JSON array, or a JSON "
        "string.",
    ),
)

BY_ID: dict[ClauseId, Clause] = {clause.id: clause for clause in CLAUSES}


def presupposed(clause_ids: Iterable[str]) -> frozenset[ClauseId]:
    """Every clause a check of ``clause_ids`` may be blocked by: the only blames it may make."""
    return frozenset(d for c in clause_ids for d in clause(c).presupposes)


#: In a check comparing whole requests (a snapshot, a cassette, a body with the pre-feature one),
#: each difference belongs to the narrowest clause that owns it, and what none owns to the pinned
#: request's clause: a narrower clause's check leaves such a difference to it, and its own checks
#: leave to the narrower clauses theirs. Ownership, not a premise: the graph is acyclic without it.
WHOLE_REQUEST = ClauseId.REQUEST_SNAPSHOT
#: The two premises of every start, each owned by a clause whose own check starts the plugin too:
#: Anam accepted the credentials (``request.shape``) and one session request was sent
#: (``session.one-request``). A run keeps them apart: a request resent after Anam refused it is
#: not a second session request (``premises.session_request``).
EVERY_START = frozenset({ClauseId.REQUEST_SHAPE, ClauseId.SESSION_ONE_REQUEST})


class UnknownClause(KeyError):
    """A test names a clause the registry does not have."""


def clause(clause_id: str) -> Clause:
    """The clause a mark or a report names, by its id (a :class:`ClauseId` is one)."""
    try:
        return BY_ID[ClauseId(clause_id)]
    except ValueError:
        raise UnknownClause(f"unknown clause {clause_id!r}; known: {', '.join(sorted(BY_ID))}") from None


#: How each clause reads in another language: the same requirement, stated with that language's
#: counterparts. Common to every clause: Python's ``ValueError`` is an ``Error`` thrown before
#: any request; ``livekit.agents.APIStatusError`` is ``@livekit/agents``' ``APIStatusError``
#: (``statusCode``, ``body``); ``None`` and ``NOT_GIVEN`` are ``undefined``; keyword arguments
#: are fields of the options object (``session_options=SessionOptions(video_width=...)`` is
#: ``sessionOptions: {videoWidth: ...}``). A clause mapped to None has no counterpart in that
#: language and is reported unimplemented there, never passed.
LANGUAGE_MAPPINGS: dict[str, dict[ClauseId, str | None]] = {
    "javascript": {
        ClauseId.SURFACE_DROP_IN: (
            "The package exports AvatarSession, a subclass of @livekit/agents' "
            "voice.AvatarSession, taking {personaConfig, apiUrl, apiKey, avatarParticipantIdentity, "
            "avatarParticipantName, connOptions}, and start(agentSession, room, {livekitUrl, "
            "livekitApiKey, livekitApiSecret})."
        ),
        ClauseId.SURFACE_SESSION_OPTIONS: (
            "AvatarSession takes sessionOptions: {videoWidth?, videoHeight?}, "
            "both optional (undefined when not given)."
        ),
        ClauseId.DIMS_BOTH_OR_NEITHER: (
            "A lone videoWidth or videoHeight makes start() throw an Error before any request is sent."
        ),
        ClauseId.DIMS_VERBATIM: (
            "Both dimensions are sent as sessionOptions.videoWidth/videoHeight with the same "
            "JSON value, nowhere else; the rest of the body is unchanged."
        ),
        ClauseId.DIMS_OMITTED_IS_BASELINE: (
            "With no dimensions (sessionOptions not given, or both undefined) the "
            "body is exactly the pre-feature body."
        ),
        ClauseId.DIMS_PUBLISHED_SIZE: (
            "With a supported pair the avatar publishes its video track at exactly that size."
        ),
        ClauseId.REJECTION_NO_DOWNGRADE: (
            "An unsupported pair is sent as asked and its rejection thrown; no other "
            "size is tried and no session is started."
        ),
        ClauseId.REJECTION_SURFACED: (
            "Anam's HTTP 400 makes start() reject with @livekit/agents' APIStatusError, "
            "statusCode 400 and Anam's response body."
        ),
        ClauseId.REJECTION_NOT_RETRIED: (
            "A 4xx answer other than 408/429/499 is not retried: exactly one session request is sent."
        ),
        ClauseId.SESSION_ONE_REQUEST: (
            "A successful start() sends exactly one session request (the one carrying "
            "personaConfig) and opens exactly one Anam session."
        ),
        ClauseId.REQUEST_SHAPE: (
            "As in Python: a POST of a JSON object with Authorization: Bearer <apiKey> and "
            "Content-Type application/json."
        ),
        ClauseId.AVATAR_TOKEN: (
            "As in Python: the LiveKit JWT admits the avatar identity (kind agent) to this room, "
            "publishing on behalf of room.localParticipant.identity."
        ),
        ClauseId.AVATAR_JOINS: (
            "After a successful start the avatar joins, publishes its video at the size Anam "
            "resolved, and waitForJoin() resolves."
        ),
        ClauseId.AVATAR_AUDIO_HANDOFF: (
            "After start agentSession.output.audio is a voice.DataStreamAudioOutput to "
            "the avatar identity, waiting for its video track (waitRemoteTrack KIND_VIDEO)."
        ),
        ClauseId.FIELDS_PERSONA_KEPT: (
            "personaConfig.avatarModel (and directorNotes where the type has it) reach "
            "personaConfig unchanged, with and without dimensions."
        ),
        ClauseId.FIELDS_DISCLOSURE_KEPT: (
            "sessionOptions.showAIAvatarDisclosure reaches the request unchanged."
        ),
        ClauseId.DIMS_LOCAL_REFUSAL: (
            "A full pair is refused locally (an Error thrown, nothing sent) only when a "
            "value is one Anam could never accept: not an integer, a boolean, or not positive. JavaScript "
            "numbers have no integer type: 720.0 is 720."
        ),
        ClauseId.REQUEST_SNAPSHOT: (
            "For each canonical case the session request is exactly the one pinned in snapshots/."
        ),
    },
}
