"""Drive one start of the plugin under test against a cassette, with the network blocked.

vcrpy answers the plugin's requests from the cassette (sockets are blocked by
pytest-recording's guard, so nothing can leave the process, not even for
loopback). What vcrpy does not replay is the avatar: when a recorded success
is played back for the engine session, the avatar arrives in the fake room
with the LiveKit token the plugin sent *now* (verified with this run's
secret, so a token for the wrong room or identity is refused as a LiveKit
server would) and publishes the track the cassette recorded.

Every request the plugin sends is observed on its way into vcrpy, matched or
not, so a retry or an unmatched request is evidence, not a lost exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import aiohttp
from pytest_recording.network import blocking_context
from vcr.errors import CannotOverwriteExistingCassetteException
from yarl import URL

from ..harness.anam_double import ENGINE_SESSION_PATH, SessionStart
from ..harness.driver import (
    LIVEKIT_URL,
    NOT_GIVEN_OPTIONS,
    AvatarArrival,
    Call,
    Persona,
    StartOutcome,
    drive,
)
from ..harness.evidence import RecordedRequest, parse_json
from ..harness.livekit_doubles import FakeRoom
from ..target import PluginTarget
from .library import CassetteFile, make_vcr


@dataclass
class ReplayOutcome(StartOutcome):
    """A start against a cassette: what the driver reports, plus the requests no recording answers."""

    unmatched: list[RecordedRequest] = field(default_factory=list)


def _sent(method: str, url: Any, kwargs: Mapping[str, Any]) -> RecordedRequest:
    body = kwargs.get("json")
    if body is None and kwargs.get("data") is not None:
        data = kwargs["data"]
        body = parse_json(data.decode() if isinstance(data, (bytes, bytearray)) else str(data))
    headers = {str(k): str(v) for k, v in dict(kwargs.get("headers") or {}).items()}
    return RecordedRequest(method.upper(), URL(str(url)).path, headers, json.dumps(body), body)


@contextmanager
def _observed(outcome: ReplayOutcome, on_started: Any) -> Iterator[None]:
    """Wrap vcrpy's patched ``ClientSession._request`` to see every request the plugin sends."""
    played = aiohttp.ClientSession._request

    async def observe(session: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        request = _sent(method, url, kwargs)
        outcome.requests.append(request)
        try:
            response = await played(session, method, url, **kwargs)
        except CannotOverwriteExistingCassetteException:
            outcome.unmatched.append(request)
            raise
        outcome.answers.append(response.status)
        if response.status == 200 and request.path == ENGINE_SESSION_PATH:
            on_started()
        return response

    with mock.patch.object(aiohttp.ClientSession, "_request", observe):
        yield


async def replay_start(
    target: PluginTarget,
    cassette: CassetteFile,
    *,
    persona: Persona | None = None,
    session_options: Mapping[str, Any] | Any = NOT_GIVEN_OPTIONS,
    avatar_participant_identity: str | None = None,
) -> ReplayOutcome:
    """Start the plugin's avatar once, its requests answered by ``cassette``."""
    outcome = ReplayOutcome()
    outcome.room = FakeRoom()
    arrival = AvatarArrival(outcome.room, outcome)
    track = cassette.track

    def on_started() -> None:
        tokens = [r.livekit_token for r in outcome.requests if r.livekit_token]
        start = SessionStart(
            session_id=f"replayed-{len(outcome.sessions) + 1}",
            livekit_url=LIVEKIT_URL,
            livekit_token=tokens[-1] if tokens else "",
            width=int(track["width"]) if track else 0,
            height=int(track["height"]) if track else 0,
        )
        outcome.sessions.append(start)
        if track is None or track.get("kind") != "video":
            arrival.turn_away(f"{cassette.path.name} records no video track for the avatar")
        else:
            arrival.session_started(start)

    recorder = make_vcr("none")
    with (
        blocking_context(),
        recorder.use_cassette(str(cassette.path), allow_playback_repeats=True),
        _observed(outcome, on_started),
    ):
        await drive(
            target,
            Call(persona or Persona(), session_options, avatar_participant_identity),
            api_url=cassette.base_url,
            arrival=arrival,
            session_started=lambda: bool(outcome.sessions),
        )
    if outcome.premise is not None:
        raise outcome.premise
    return outcome
