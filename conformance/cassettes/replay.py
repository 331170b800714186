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

vcrpy patches Python's HTTP clients only, so an implementation driven out of
process is served the same cassette file by a small HTTP server on loopback
that answers each request with the recorded response it matches (the same
JSON-aware, token-masked matching), and records the ones nothing answers.
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
from ..target import Target, is_driver
from .library import CassetteFile, make_vcr
from .matching import body_json


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
    target: Target,
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

    call = Call(persona or Persona(), session_options, avatar_participant_identity)
    if is_driver(target):
        await _replay_remote(target, call, cassette, outcome, arrival, on_started)
        return outcome
    recorder = make_vcr("none")
    with (
        blocking_context(),
        recorder.use_cassette(str(cassette.path), allow_playback_repeats=True),
        _observed(outcome, on_started),
    ):
        await drive(
            target,  # type: ignore[arg-type]
            call,
            api_url=cassette.base_url,
            arrival=arrival,
            session_started=lambda: bool(outcome.sessions),
        )
    if outcome.premise is not None:
        raise outcome.premise
    return outcome


def _recorded_answer(cassette: CassetteFile, method: str, path: str, body: Any) -> dict[str, Any] | None:
    """The recorded response whose request matches (method, path, JSON body with secrets masked)."""
    wanted = body_json(body)
    for interaction in cassette.interactions:
        recorded = interaction["request"]
        recorded_path = "/" + str(recorded["uri"]).split("://", 1)[-1].partition("/")[2]
        if (
            recorded["method"] == method
            and recorded_path.split("?")[0] == path
            and body_json(recorded.get("body")) == wanted
        ):
            response: dict[str, Any] = interaction["response"]
            return response
    return None


async def _replay_remote(
    target: Any,
    call: Call,
    cassette: CassetteFile,
    outcome: ReplayOutcome,
    arrival: AvatarArrival,
    on_started: Any,
) -> None:
    """The cassette served over loopback HTTP to a driven implementation."""
    from aiohttp import web

    from ..harness.remote import drive_remote

    async def answer(request: web.Request) -> web.Response:
        text = await request.text()
        recorded = RecordedRequest(
            request.method, request.path, dict(request.headers), text, parse_json(text)
        )
        outcome.requests.append(recorded)
        response = _recorded_answer(cassette, request.method, request.path, text)
        if response is None:
            outcome.unmatched.append(recorded)
            return web.json_response(
                {"error": "no recorded answer", "cassette": cassette.path.name}, status=599
            )
        status = int(response["status"]["code"])
        headers = {k: v[0] for k, v in (response.get("headers") or {}).items() if k.lower() == "content-type"}
        if status == 200 and request.path == ENGINE_SESSION_PATH:
            on_started()
        return web.Response(status=status, text=str(response["body"]["string"]), headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await drive_remote(
            target,
            call,
            api_url=f"http://127.0.0.1:{runner.addresses[0][1]}",
            arrival=arrival,
            session_started=lambda: bool(outcome.sessions),
        )
    finally:
        await runner.cleanup()
    if outcome.premise is not None:
        raise outcome.premise
