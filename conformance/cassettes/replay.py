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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import aiohttp
from aiohttp import web
from pytest_recording.network import blocking_context
from vcr.errors import CannotOverwriteExistingCassetteException
from yarl import URL

from ..harness.anam_double import ENGINE_SESSION_PATH, SessionStart
from ..harness.avatar import AvatarArrival
from ..harness.evidence import RecordedRequest, parse_json
from ..harness.outcome import StartOutcome
from ..harness.start import ANAM_API_KEY, CONN_OPTIONS, LIVEKIT, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, drive
from ..port.call import NOT_GIVEN_OPTIONS, Persona, RoomSpec, SessionOptionsArg, StartCall
from ..port.implementation import Implementation
from .library import CassetteFile, make_vcr
from .matching import body_json

#: Serves a cassette to a start: yields the URL the implementation is pointed at.
Serving = Callable[[CassetteFile, "ReplayOutcome", Callable[[], None]], AbstractAsyncContextManager[str]]


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
def _observed(outcome: ReplayOutcome, on_started: Callable[[], None]) -> Iterator[None]:
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
    target: Implementation,
    cassette: CassetteFile,
    *,
    persona: Persona | None = None,
    session_options: SessionOptionsArg = NOT_GIVEN_OPTIONS,
    avatar_participant_identity: str | None = None,
) -> ReplayOutcome:
    """Start the implementation's avatar once, its requests answered by ``cassette``."""
    outcome = ReplayOutcome()
    room = RoomSpec()
    arrival = AvatarArrival(room.name, outcome, api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
    track = cassette.track

    def on_started() -> None:
        tokens = [r.livekit_token for r in outcome.requests if r.livekit_token]
        start = SessionStart(
            session_id=f"replayed-{len(outcome.sessions) + 1}",
            livekit_url=LIVEKIT.url,
            livekit_token=tokens[-1] if tokens else "",
            width=int(track["width"]) if track else 0,
            height=int(track["height"]) if track else 0,
        )
        outcome.sessions.append(start)
        if track is None or track.get("kind") != "video":
            arrival.turn_away(f"{cassette.path.name} records no video track for the avatar")
        else:
            arrival.session_started(start)

    # vcrpy reaches only this process's HTTP client; anything else is served the cassette over loopback.
    serving: Serving = (
        _through_the_client if target.describe().capabilities.shared_http_client else _over_loopback
    )
    async with serving(cassette, outcome, on_started) as api_url:
        call = StartCall(
            persona=persona or Persona(),
            api_url=api_url,
            api_key=ANAM_API_KEY,
            livekit=LIVEKIT,
            room=room,
            session_options=session_options,
            avatar_identity=avatar_participant_identity,
            conn_options=CONN_OPTIONS,
        )
        await drive(target, call, arrival, lambda: bool(outcome.sessions))
    outcome.require_premise()
    return outcome


@asynccontextmanager
async def _through_the_client(
    cassette: CassetteFile, outcome: ReplayOutcome, on_started: Callable[[], None]
) -> AsyncIterator[str]:
    """vcrpy answers at the aiohttp client, with every socket blocked."""
    recorder = make_vcr("none")
    with (
        blocking_context(),
        recorder.use_cassette(str(cassette.path), allow_playback_repeats=True),
        _observed(outcome, on_started),
    ):
        yield cassette.base_url


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


@asynccontextmanager
async def _over_loopback(
    cassette: CassetteFile, outcome: ReplayOutcome, on_started: Callable[[], None]
) -> AsyncIterator[str]:
    """The cassette served by a small HTTP server on loopback, for a client vcrpy cannot patch."""

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
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
