"""The driver protocol's messages as types: what the suite sends and what it reads back.

``drivers/protocol.schema.json`` is the contract, checked both ways by
:mod:`.process` (a request before it is written, an answer before it is read);
these types are the same shapes for mypy, so an answer is read as fields, not
guessed at with ``.get``. The call goes out in the suite's (Python) terms
(``drivers/PROTOCOL.md``, "Mappings"); each driver maps it to its language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypedDict

from ..clauses import ClauseId
from ..port.call import NOT_GIVEN_OPTIONS, AdmittedAvatar, ClientFault, StartCall
from ..port.description import Surface
from ..port.facts import (
    ERROR_KINDS,
    AudioFacts,
    Built,
    ErrorFacts,
    ErrorKind,
    FaultedRequest,
    JoinAnswer,
    ReadBack,
    Stage,
    StartAnswer,
    TypeProbe,
    UnmetPremise,
    WaitState,
)

#: How many of its own event-loop turns the driver gives ``waitForJoin()`` once the avatar is in:
#: in Node, 50 ``setImmediate`` turns; in Python, the 100 the in-process adapter always gave.
GRACE_TURNS = 50
GRACE_TURNS_BY_LANGUAGE: dict[str, int] = {"python": 100}
AGENT_KIND = 4  # livekit's ParticipantKind.PARTICIPANT_KIND_AGENT
#: The premises a driver may say a start broke (``premise``): the public types refused the documented
#: call. Any other clause is outside the protocol: a driver judges no clause itself.
DROP_IN_CLAUSE, OPTIONS_CLAUSE = ClauseId.SURFACE_DROP_IN, ClauseId.SURFACE_SESSION_OPTIONS
PREMISE_CLAUSES = frozenset({DROP_IN_CLAUSE, OPTIONS_CLAUSE})


class OutsideProtocol(ValueError):
    """An answer the suite cannot take, whatever the schema let through (a premise of another clause)."""


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


class _StartParamsRequired(TypedDict):
    persona: PersonaParams
    session_options: dict[str, object] | None
    api_url: str
    api_key: str
    livekit: LiveKitParams
    room: RoomParams
    avatar_identity: str | None
    conn_options: ConnParams


class StartParams(_StartParamsRequired, total=False):
    client_fault: ClientFault


class TrackParams(TypedDict):
    kind: Literal["video"]
    width: int
    height: int


class _AvatarParamsRequired(TypedDict):
    identity: str
    kind: Literal["agent", "standard"]
    attributes: dict[str, str]
    tracks: list[TrackParams]


class AvatarParams(_AvatarParamsRequired, total=False):
    name: str


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


class Premise(TypedDict):
    clause: str
    expected_actual: str


class FaultedRequestResult(TypedDict):
    method: str
    path: str
    headers: dict[str, str]
    text: str
    json: object


class _StartResultRequired(TypedDict):
    stage: Stage | None
    failure: Failure | None
    audio: Audio | None
    avatar_identity: str | None


class StartResult(_StartResultRequired, total=False):
    requests_seen: int
    premise: Premise | None
    faulted_requests: list[FaultedRequestResult]


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
    installed_from: str
    commands: list[str]
    capabilities: list[str]


class ProbeTypesParams(TypedDict):
    persona_config: dict[str, object]
    session_options: dict[str, object]


class _ReadBackRequired(TypedDict):
    repr: str


class ReadBackResult(_ReadBackRequired, total=False):
    value: str | int | float | bool | None


class BuiltResult(TypedDict):
    fields: dict[str, ReadBackResult]
    error: Failure | None


class ProbeTypesResult(TypedDict):
    persona_config: BuiltResult
    session_options_default: BuiltResult | None
    session_options_given: BuiltResult | None


def start_params(call: StartCall) -> StartParams:
    """The ``start`` command: the call as the caller made it."""
    persona, options, conn = call.persona, call.session_options, call.conn_options
    notes = persona.director_notes
    params: StartParams = {
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
    if call.client_fault is not None:  # only to a driver that offers client-faults
        params["client_fault"] = call.client_fault
    return params


def grace_turns(language: str) -> int:
    return GRACE_TURNS_BY_LANGUAGE.get(language, GRACE_TURNS)


def avatar_events_params(avatar: AdmittedAvatar | None, turns: int = GRACE_TURNS) -> AvatarEventsParams:
    """The avatar as the suite's room saw it join, for the driver to replay as its room's events."""
    if avatar is None:
        return {"avatar": None, "grace_turns": turns}
    arrival: AvatarParams = {
        "identity": avatar.identity,
        "kind": "agent" if avatar.kind == AGENT_KIND else "standard",
        "attributes": dict(avatar.attributes),
        "tracks": [{"kind": "video", "width": avatar.video_width, "height": avatar.video_height}],
    }
    if avatar.name:
        arrival["name"] = avatar.name
    return {"avatar": arrival, "grace_turns": turns}


def probe_types_params(
    persona_config: Mapping[str, object], session_options: Mapping[str, object]
) -> ProbeTypesParams:
    return {"persona_config": dict(persona_config), "session_options": dict(session_options)}


def surface_of(surface: SurfaceResult) -> Surface:
    """``describe``'s ``surface``, as the port's."""
    return Surface(
        avatar_session=surface["avatar_session"],
        framework_avatar_session=surface["framework_avatar_session"],
        wait_for_join=surface["wait_for_join"],
        session_options=surface["session_options"],
        session_option_fields=tuple(surface["session_option_fields"]),
        disclosure=surface["disclosure"],
        director_notes=surface["director_notes"],
        custom_identity=surface["custom_identity"],
        persona_fields=tuple(surface.get("persona_fields", ())),
        constructor_options=tuple(surface.get("constructor_options", ())),
        start_params=tuple(surface.get("start_params", ())),
    )


def start_answer(result: StartResult) -> StartAnswer:
    """A ``start`` result as the port's answer; a driver without ``premise`` (older ones, the Node
    driver) breaks the drop-in premise exactly when its constructor threw a TypeError."""
    failure = error_facts(result["failure"])
    if "premise" in result:
        premise = premise_of(result.get("premise"))
    elif failure is not None and result["stage"] == "construct" and failure.type_name == "TypeError":
        premise = UnmetPremise(DROP_IN_CLAUSE, f"the documented options to be taken; actual {failure}")
    else:
        premise = None
    faulted = tuple(
        FaultedRequest(r["method"], r["path"], dict(r["headers"]), r["text"], r["json"])
        for r in result.get("faulted_requests", ())
    )
    return StartAnswer(
        result["stage"], failure, audio_facts(result["audio"]), result["avatar_identity"], premise, faulted
    )


def premise_of(premise: Premise | None) -> UnmetPremise | None:
    """The premise a start broke, as a fact; only the public types' premises are taken."""
    if premise is None:
        return None
    if premise["clause"] not in PREMISE_CLAUSES:
        raise OutsideProtocol(
            f"claimed a broken premise of {premise['clause']!r}; a driver may claim only "
            + " or ".join(sorted(PREMISE_CLAUSES))
        )
    return UnmetPremise(premise["clause"], premise["expected_actual"])


def join_answer(result: AvatarEventsResult, *, avatar_came: bool) -> JoinAnswer:
    """An ``avatar-events`` result as the port's answer; a join not made always has its failure."""
    before = result.get("wait_for_join_before")
    if result["joined"]:
        return JoinAnswer(True, None, before)
    failure = error_facts(result.get("failure")) or wait_for_join_failure(
        result["wait_for_join"], avatar_came=avatar_came
    )
    return JoinAnswer(False, failure, before)


def type_probe(result: ProbeTypesResult) -> TypeProbe:
    default, given = result["session_options_default"], result["session_options_given"]
    return TypeProbe(
        _built(result["persona_config"]),
        None if default is None else _built(default),
        None if given is None else _built(given),
    )


def _built(built: BuiltResult) -> Built:
    fields = {
        name: ReadBack(shown["repr"], shown.get("value"), plain="value" in shown)
        for name, shown in built["fields"].items()
    }
    return Built(fields, error_facts(built["error"]))


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
