"""The driver protocol's messages as types: what the suite sends and what it reads back.

``drivers/protocol.schema.json`` is the contract, checked both ways by
:mod:`.process` (a request before it is written, an answer before it is read);
these types are the same shapes for mypy, so an answer is read as fields, not
guessed at with ``.get``. The call goes out in the suite's (Python) terms
(``drivers/PROTOCOL.md``, "Mappings"); each driver maps it to its language.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from ..port.call import NOT_GIVEN_OPTIONS, AdmittedAvatar, StartCall
from ..port.facts import ERROR_KINDS, AudioFacts, ErrorFacts, ErrorKind, WaitState

#: How many of its own event-loop turns the driver gives ``waitForJoin()`` once the avatar is in.
GRACE_TURNS = 50
AGENT_KIND = 4  # livekit's ParticipantKind.PARTICIPANT_KIND_AGENT


class PersonaParams(TypedDict):
    name: str
    avatar_id: str
    avatar_model: str | None
    director_notes: dict[str, object] | None


class LiveKitParams(TypedDict):
    url: str
    api_key: str
    api_secret: str


class RoomParams(TypedDict):
    name: str
    local_identity: str


class ConnParams(TypedDict):
    max_retry: int
    retry_interval: float
    timeout: float


class StartParams(TypedDict):
    persona: PersonaParams
    session_options: dict[str, object] | None
    api_url: str
    api_key: str
    livekit: LiveKitParams
    room: RoomParams
    avatar_identity: str | None
    conn_options: ConnParams


class TrackParams(TypedDict):
    kind: Literal["video"]
    width: int
    height: int


class AvatarParams(TypedDict):
    identity: str
    kind: Literal["agent", "standard"]
    attributes: dict[str, str]
    tracks: list[TrackParams]


class AvatarEventsParams(TypedDict):
    avatar: AvatarParams | None
    grace_turns: int


class _FailureRequired(TypedDict):
    kind: str
    type_name: str
    message: str


class Failure(_FailureRequired, total=False):
    status: int | None
    body: str | None


class Audio(TypedDict):
    type_name: str
    destination: str | None
    waits_for_video: bool


class _StartResultRequired(TypedDict):
    stage: Literal["construct", "start"] | None
    failure: Failure | None
    audio: Audio | None
    avatar_identity: str | None


class StartResult(_StartResultRequired, total=False):
    requests_seen: int


class StartBatchParams(TypedDict):
    starts: list[StartParams]


class StartBatchResult(TypedDict):
    results: list[StartResult]


class _AvatarEventsResultRequired(TypedDict):
    wait_for_join: WaitState
    joined: bool


class AvatarEventsResult(_AvatarEventsResultRequired, total=False):
    failure: Failure | None
    wait_for_join_before: WaitState


class _SurfaceRequired(TypedDict):
    avatar_session: bool
    framework_avatar_session: bool
    wait_for_join: bool
    session_options: bool
    session_option_fields: list[str]
    disclosure: bool
    director_notes: bool
    custom_identity: bool


class SurfaceResult(_SurfaceRequired, total=False):
    persona_fields: list[str]
    constructor_options: list[str]
    start_params: list[str]


class _DescribeResultRequired(TypedDict):
    protocol: int
    name: str
    version: str | None
    language: str
    surface: SurfaceResult


class DescribeResult(_DescribeResultRequired, total=False):
    runtime: str
    driver: str
    framework: dict[str, str]
    commands: list[str]


def start_params(call: StartCall) -> StartParams:
    """The ``start`` command: the call as the caller made it."""
    persona, options, conn = call.persona, call.session_options, call.conn_options
    notes = persona.director_notes
    return {
        "persona": {
            "name": persona.name,
            "avatar_id": persona.avatar_id,
            "avatar_model": persona.avatar_model,
            "director_notes": dict(notes) if notes is not None else None,
        },
        "session_options": None if options is NOT_GIVEN_OPTIONS else dict(options),
        "api_url": call.api_url,
        "api_key": call.api_key,
        "livekit": {
            "url": call.livekit.url,
            "api_key": call.livekit.api_key,
            "api_secret": call.livekit.api_secret,
        },
        "room": {"name": call.room.name, "local_identity": call.room.local_identity},
        "avatar_identity": call.avatar_identity,
        "conn_options": {
            "max_retry": conn.max_retry,
            "retry_interval": conn.retry_interval,
            "timeout": conn.timeout,
        },
    }


def avatar_events_params(avatar: AdmittedAvatar | None) -> AvatarEventsParams:
    """The avatar as the suite's room saw it join, for the driver to replay as its room's events."""
    if avatar is None:
        return {"avatar": None, "grace_turns": GRACE_TURNS}
    return {
        "avatar": {
            "identity": avatar.identity,
            "kind": "agent" if avatar.kind == AGENT_KIND else "standard",
            "attributes": dict(avatar.attributes),
            "tracks": [{"kind": "video", "width": avatar.video_width, "height": avatar.video_height}],
        },
        "grace_turns": GRACE_TURNS,
    }


def error_facts(failure: Failure | None) -> ErrorFacts | None:
    if failure is None:
        return None
    kind: ErrorKind = next((k for k in ERROR_KINDS if k == failure["kind"]), "other")
    return ErrorFacts(
        kind, failure["type_name"], failure["message"], failure.get("status"), failure.get("body")
    )


def audio_facts(audio: Audio | None) -> AudioFacts | None:
    if audio is None:
        return None
    return AudioFacts(audio["type_name"], audio["destination"], audio["waits_for_video"])


def wait_for_join_failure(state: str, *, avatar_came: bool) -> ErrorFacts:
    """Why a join the driver reported as not made failed, in words that agree with ``state``.

    ``state`` is the driver's ``wait_for_join`` (PROTOCOL.md: ``resolved``, ``pending``,
    ``rejected`` or ``absent``); the driver counts a join only when ``waitForJoin()``
    resolved *and* an avatar came, so a resolved wait is a join that resolved for nothing.
    """
    if state == "resolved":
        came = (
            "after the avatar came, yet the driver saw no join"
            if avatar_came
            else "with no avatar in the room"
        )
        return ErrorFacts("other", "Error", f"waitForJoin() resolved {came}")
    if state == "pending":
        return ErrorFacts(
            "other", "TimeoutError", f"waitForJoin() did not resolve: still pending after {GRACE_TURNS} turns"
        )
    if state == "rejected":
        return ErrorFacts("other", "Error", "waitForJoin() rejected without an error the driver could read")
    if state == "absent":
        return ErrorFacts("other", "TypeError", "the avatar session has no waitForJoin()")
    return ErrorFacts(
        "other", "Error", f"the driver reported no join and an unknown waitForJoin() state {state!r}"
    )
