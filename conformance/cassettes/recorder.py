"""Record the scenarios: a plain aiohttp client sends each one to the emulator or to Anam.

The recorder, not a plugin, is the client: it sends exactly the body a
released plugin of each wire flow sends (the pre-feature body of
:mod:`anam_conformance.harness.wire` plus ``sessionOptions``), including the half
pair no conforming plugin would send, so the cassette documents Anam's answer
to it. Against the emulator the avatar's join is observed (its LiveKit token
verified, its track's size taken from the session it started); against the
live API there is no room to observe, so the track is the documented one and
says so.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from livekit import api

from ..harness.anam_double import (
    EMULATOR_VERSION,
    ENGINE_SESSION_PATH,
    SESSION_TOKEN_PATH,
    AnamDouble,
    SessionStart,
)
from ..harness.anam_rules import Acceptance, judge_session_request
from ..harness.avatar import verify_avatar_token
from ..harness.wire import pre_feature_body
from ..port.call import AGENT_IDENTITY, ATTRIBUTE_PUBLISH_ON_BEHALF, ROOM_NAME, Persona
from .library import Flow, Scenario, cassette_path, make_vcr

LIVE_API_URL = "https://api.anam.ai"
DEFAULT_AVATAR_IDENTITY = "anam-avatar-agent"
RECORDER = f"conformance.cassettes.recorder (aiohttp {aiohttp.__version__})"


def request_body(found: Scenario, livekit_token: str) -> dict[str, Any]:
    """The body a plugin sends for this scenario; dimensions verbatim, even a half pair."""
    body = pre_feature_body(Persona(avatar_model=found.avatar_model), livekit_token)
    options = {
        key: value
        for key, value in (("videoWidth", found.width), ("videoHeight", found.height))
        if value is not None
    }
    if options:
        body["sessionOptions"] = options
    return body


def mint_livekit_token(identity: str, key: str, secret: str) -> str:
    """The avatar's admission as the plugin mints it."""
    return (
        api.AccessToken(api_key=key, api_secret=secret)
        .with_kind("agent")
        .with_identity(identity)
        .with_name(identity)
        .with_grants(api.VideoGrants(room_join=True, room=ROOM_NAME))
        .with_attributes({ATTRIBUTE_PUBLISH_ON_BEHALF: AGENT_IDENTITY})
        .to_jwt()
    )


async def send_scenario(
    http: aiohttp.ClientSession, base_url: str, flow: Flow, api_key: str, body: Any
) -> None:
    """One start, in the wire flow's requests; a refusal ends it, as it ends a plugin's start."""
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    if flow == "two-requests":
        async with http.post(f"{base_url}{SESSION_TOKEN_PATH}", json=body, headers=headers) as response:
            if not response.ok:
                await response.read()
                return
            token = (await response.json())["sessionToken"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = {}
    async with http.post(f"{base_url}{ENGINE_SESSION_PATH}", json=body, headers=headers) as response:
        await response.read()


def observed_track(start: SessionStart, livekit_key: str, livekit_secret: str) -> dict[str, Any]:
    """The track the avatar publishes once the room admits it: only a token that verifies gets one."""
    claims = verify_avatar_token(
        start.livekit_token, api_key=livekit_key, api_secret=livekit_secret, room=ROOM_NAME
    )
    return {
        "identity": claims.identity,
        "kind": "video",
        "width": start.width,
        "height": start.height,
        "observed": True,
    }


async def record(
    found: Scenario,
    flow: Flow,
    *,
    live: bool = False,
    directory: Path | None = None,
    api_key: str | None = None,
) -> Path:
    """(Re)record one cassette; written whole or not at all."""
    livekit_key, livekit_secret = "recorder-livekit-key", secrets.token_urlsafe(32)
    if live:
        key = api_key or os.environ.get("ANAM_API_KEY", "")
        if not key:
            raise RuntimeError("live recording needs ANAM_API_KEY")
    else:
        key = api_key or f"recorder-anam-key-{secrets.token_hex(8)}"
    identity = found.identity or DEFAULT_AVATAR_IDENTITY
    body = request_body(found, mint_livekit_token(identity, livekit_key, livekit_secret))
    tracks: list[dict[str, Any]] = []
    runner: web.AppRunner | None = None
    if live:
        base_url, source = LIVE_API_URL, "live Anam API"
    else:
        emulator = AnamDouble(
            key, lambda start: tracks.append(observed_track(start, livekit_key, livekit_secret))
        )
        runner = web.AppRunner(emulator.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base_url, source = f"http://127.0.0.1:{runner.addresses[0][1]}", EMULATOR_VERSION
    final = cassette_path(found, flow, directory)
    partial = final.with_name(f".{final.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with make_vcr("all", secrets=(key, livekit_secret)).use_cassette(str(partial)) as cassette:
            async with aiohttp.ClientSession() as http:
                await send_scenario(http, base_url, flow, key, body)
            if live and found.outcome == "started":
                verdict = judge_session_request(body)
                assert isinstance(verdict, Acceptance)
                tracks.append(
                    {
                        "identity": identity,
                        "kind": "video",
                        "width": verdict.width,
                        "height": verdict.height,
                        "observed": False,
                    }
                )
            cassette.get_metadata("scenario", found.name)
            cassette.get_metadata("clause", found.clause.value)
            cassette.get_metadata("flow", flow)
            cassette.get_metadata(
                "provenance",
                {
                    "source": source,
                    "base_url": base_url,
                    "recorded_at": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
                    "client": RECORDER,
                },
            )
            cassette.get_metadata("track", tracks[0] if tracks else None)
    finally:
        if runner is not None:
            await runner.cleanup()
    partial.replace(final)
    return final
