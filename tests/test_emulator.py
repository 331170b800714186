"""The standalone emulator: Anam's rules over real HTTP, both flows, and the join handed to the caller."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from anam_conformance.cassettes.recorder import mint_livekit_token
from anam_conformance.emulator import SESSIONS_PATH, build_app, build_parser, token_claims

KEY = "emulator-test-key"
LIVEKIT = ("lk-key", "lk-secret-" + "x" * 32)


def _body(model: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "personaConfig": {"type": "ephemeral", "name": "n", "avatarId": "a", "avatarModel": model},
        "environment": {
            "livekitUrl": "wss://lk",
            "livekitToken": mint_livekit_token("anam-avatar-agent", *LIVEKIT),
        },
    }
    if options is not None:
        body["sessionOptions"] = options
    return body


async def _client() -> TestClient[Any, Any]:
    app, _ = build_app(KEY, livekit_key=LIVEKIT[0], livekit_secret=LIVEKIT[1], echo=False)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("model", "options", "status", "size"),
    [
        ("cara-3", None, 200, (720, 480)),
        ("cara-4-latest", None, 200, (1152, 768)),
        ("cara-4-stable", {"videoWidth": 768, "videoHeight": 1152}, 200, (768, 1152)),
        ("cara-4-latest", {"videoWidth": 1280, "videoHeight": 720}, 400, None),
        ("cara-3", {"videoWidth": 1152, "videoHeight": 768}, 400, None),
        ("cara-3", {"videoWidth": 720}, 400, None),
        ("cara-3", {"videoWidth": 720, "videoHeight": "480"}, 400, None),
    ],
)
async def test_one_request_flow_follows_the_documented_rules(
    model: str, options: dict[str, int] | None, status: int, size: tuple[int, int] | None
) -> None:
    client = await _client()
    try:
        answer = await client.post(
            "/v1/engine/session", json=_body(model, options), headers={"Authorization": f"Bearer {KEY}"}
        )
        assert answer.status == status
        payload = await answer.json()
        listing = await (await client.get(SESSIONS_PATH)).json()
    finally:
        await client.close()
    if size is None:
        assert set(payload) == {"error", "message"} and listing["sessions"] == []
    else:
        (session,) = listing["sessions"]
        assert (session["width"], session["height"]) == size
        assert (
            session["livekitToken"]["verified"] is True
            and session["livekitToken"]["sub"] == "anam-avatar-agent"
        )
        assert "eyJ" not in str(listing)


@pytest.mark.asyncio
async def test_two_request_flow_and_a_bad_key() -> None:
    client = await _client()
    try:
        bad = await client.post(
            "/v1/auth/session-token", json=_body("cara-3"), headers={"Authorization": "Bearer no"}
        )
        first = await client.post(
            "/v1/auth/session-token", json=_body("cara-4-latest"), headers={"Authorization": f"Bearer {KEY}"}
        )
        token = (await first.json())["sessionToken"]
        second = await client.post(
            "/v1/engine/session", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        refused, started = await bad.json(), await second.json()
        listing = await (await client.get(SESSIONS_PATH)).json()
    finally:
        await client.close()
    assert bad.status == 401 and refused["error"] == "Unauthorized"
    assert second.status == 200 and "sessionId" in started
    assert [(s["width"], s["height"]) for s in listing["sessions"]] == [(1152, 768)]


def test_a_token_signed_with_another_secret_is_reported_unverified() -> None:
    token = mint_livekit_token("anam-avatar-agent", LIVEKIT[0], "another-secret-" + "y" * 32)
    assert token_claims(token, *LIVEKIT)["verified"] is False
    assert token_claims(token)["sub"] == "anam-avatar-agent"


def test_the_standalone_command_listens_on_loopback_by_default() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8787)
