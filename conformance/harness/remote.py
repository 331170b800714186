"""Drive one start of an out-of-process implementation, through its driver.

The same call, the same Anam double and the same simulated avatar as
:func:`~anam_conformance.harness.driver.drive`: only the place the plugin runs
differs. The driver constructs and starts the plugin in its own runtime
against the double's URL; the double (on this event loop) records the
requests and, when it starts a session, the avatar verifies the token and joins
the suite's room; that arrival is then replayed to the driver as room events,
and the driver reports what the plugin's own ``waitForJoin()`` did when asked
before the replay (it must still be pending) and after it (it must resolve).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from livekit.agents import APIConnectOptions

from ..expect import Blocked
from ..implementations.driver_target import DriverTarget
from .driver import (
    ANAM_API_KEY,
    CONN_OPTIONS,
    DEFAULT_AVATAR_IDENTITY,
    DROP_IN_CLAUSE,
    JOIN_TIMEOUT,
    LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET,
    LIVEKIT_URL,
    NOT_GIVEN_OPTIONS,
    AvatarArrival,
    Call,
)
from .facts import ERROR_KINDS, AudioFacts, ErrorFacts
from .livekit_doubles import AdmittedAvatar

#: How many of its own event-loop turns the driver gives ``waitForJoin()`` once the avatar is in.
GRACE_TURNS = 50
AGENT_KIND = 4  # livekit's ParticipantKind.PARTICIPANT_KIND_AGENT


def error_facts(value: Any) -> ErrorFacts | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("kind")
    return ErrorFacts(
        kind if kind in ERROR_KINDS else "other",
        str(value.get("type_name", "")),
        str(value.get("message", "")),
        value.get("status"),
        value.get("body"),
    )


def wait_for_join_failure(state: Any, *, avatar_came: bool) -> ErrorFacts:
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


def audio_facts(value: Any) -> AudioFacts | None:
    if not isinstance(value, dict):
        return None
    return AudioFacts(str(value["type_name"]), value.get("destination"), bool(value.get("waits_for_video")))


def start_params(
    call: Call,
    *,
    api_url: str,
    room_name: str,
    local_identity: str,
    conn_options: APIConnectOptions = CONN_OPTIONS,
) -> dict[str, Any]:
    """The ``start`` command: the call as the caller made it, in the suite's (Python) terms."""
    persona = call.persona
    options = call.session_options
    return {
        "persona": {
            "name": persona.name,
            "avatar_id": persona.avatar_id,
            "avatar_model": persona.avatar_model,
            "director_notes": dict(persona.director_notes) if persona.director_notes is not None else None,
        },
        "session_options": None if options is NOT_GIVEN_OPTIONS else dict(options),
        "api_url": api_url,
        "api_key": ANAM_API_KEY,
        "livekit": {"url": LIVEKIT_URL, "api_key": LIVEKIT_API_KEY, "api_secret": LIVEKIT_API_SECRET},
        "room": {"name": room_name, "local_identity": local_identity},
        "avatar_identity": call.avatar_participant_identity,
        "conn_options": {
            "max_retry": conn_options.max_retry,
            "retry_interval": conn_options.retry_interval,
            "timeout": conn_options.timeout,
        },
    }


def arrival_event(avatar: AdmittedAvatar | None) -> dict[str, Any] | None:
    """The avatar as the room saw it join, for the driver to replay as its room's events."""
    if avatar is None:
        return None
    return {
        "identity": avatar.identity,
        "kind": "agent" if avatar.kind == AGENT_KIND else "standard",
        "attributes": dict(avatar.attributes),
        "tracks": [{"kind": "video", "width": avatar.video_width, "height": avatar.video_height}],
    }


async def drive_remote(
    target: DriverTarget,
    call: Call,
    *,
    api_url: str,
    arrival: AvatarArrival,
    session_started: Callable[[], bool],
    conn_options: APIConnectOptions = CONN_OPTIONS,
) -> None:
    """Start through the driver and wait for the join, into ``arrival.outcome``."""
    outcome, room = arrival.outcome, arrival.room
    outcome.expected_identity = call.avatar_participant_identity or DEFAULT_AVATAR_IDENTITY
    arrival.release()  # the suite's room admits the avatar at once; the driver's room sees it when replayed
    driver = target.process
    started = await driver.arequest(
        "start",
        start_params(
            call,
            api_url=api_url,
            room_name=room.name,
            local_identity=room.local_participant.identity,
            conn_options=conn_options,
        ),
    )
    try:
        outcome.failure = error_facts(started.get("failure"))
        outcome.error_during = started.get("stage")
        outcome.audio = audio_facts(started.get("audio"))
        outcome.avatar_identity = started.get("avatar_identity")
        failure = outcome.failure
        if failure is not None:
            if outcome.error_during == "construct" and failure.type_name == "TypeError":
                outcome.premise = Blocked(
                    DROP_IN_CLAUSE, f"the documented options to be taken; actual {failure}"
                )
            return
        if session_started():
            await asyncio.wait_for(arrival.settled.wait(), JOIN_TIMEOUT)
        joined = await driver.arequest(
            "avatar-events", {"avatar": arrival_event(outcome.avatar), "grace_turns": GRACE_TURNS}
        )
        before = joined.get("wait_for_join_before")
        outcome.wait_before_arrival = before if isinstance(before, str) else None
        if joined.get("joined"):
            outcome.joined = True
            return
        outcome.error_during = "wait_for_join"
        outcome.failure = error_facts(joined.get("failure")) or wait_for_join_failure(
            joined.get("wait_for_join"), avatar_came=outcome.avatar is not None
        )
    finally:
        # The driver closes this start's plugin instance when the next start comes (or at exit):
        # one round trip fewer per example.
        pass
