"""Anam's own client against the standalone emulator, and the emulator's answer queue.

The official ``anam`` SDK (0.12.0, the ``dev`` extra) reads a successful
session answer as ``SessionInfo`` (``sessionId``, ``engineHost``,
``engineProtocol``, ``signallingEndpoint`` required; ``clientConfig`` and
``region`` read) and raises ``SessionError`` for a 400: if the emulator's
answers drift from Anam's documented shapes, the SDK says so here. The
emulator runs as it does for a person, ``python -m anam_conformance.emulator`` in a
subprocess on a free port. Where ``node`` is available, the Node plugin's own
``AnamAPI`` (npm 1.5.0, the two-request flow) is held to the same scenarios.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from anam._api import CoreApiClient
from anam.errors import SessionError
from anam.types import ClientOptions, PersonaConfig, SessionInfo, SessionOptions
from anam_conformance.cassettes.library import cassette_path, scenario
from anam_conformance.harness.anam_rules import Acceptance, judge_session_request, load_rules
from anam_conformance.harness.transport import refused_url
from anam_conformance.provider_check import check, compare_bodies

KEY = "emulator-sdk-test-key"
AVATAR_ID = "00000000-0000-4000-8000-00000000a1a1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    url = refused_url()  # a free loopback port, for the emulator to take
    port = url.rsplit(":", 1)[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "anam_conformance.emulator", "--port", port, "--api-key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        listening = json.loads(process.stdout.readline())
        assert listening["event"] == "listening", listening
        _wait_until_listening(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_listening(url: str) -> None:
    async def probe() -> bool:
        try:
            async with aiohttp.ClientSession() as http, http.get(f"{url}/v1/emulator/answers") as answer:
                return answer.status == 200
        except aiohttp.ClientError:
            return False

    deadline = time.monotonic() + 20
    while not asyncio.run(probe()):
        assert time.monotonic() < deadline, "the emulator did not start listening"
        time.sleep(0.05)


def _start(url: str, model: str | None, size: tuple[int, int] | None) -> SessionInfo:
    client = CoreApiClient(api_key=KEY, options=ClientOptions(api_base_url=url))
    persona = PersonaConfig(name="SDK test", avatar_id=AVATAR_ID, avatar_model=model)
    options = SessionOptions() if size is None else SessionOptions(video_width=size[0], video_height=size[1])
    return asyncio.run(client.start_session(persona, options))


#: What every client must be able to start against the emulator, and what it must be refused.
DOCUMENTED: list[tuple[str, tuple[int, int] | None]] = [
    ("cara-3", (720, 480)),
    ("cara-4-latest", (1152, 768)),
    ("cara-4-stable", (768, 1152)),
    ("cara-4-latest", None),
    ("cara-3", None),
]
UNSUPPORTED: list[tuple[str, tuple[int, int]]] = [("cara-4-latest", (1280, 720)), ("cara-3", (1152, 768))]


def _case_id(case: tuple[str, tuple[int, int] | None]) -> str:
    model, size = case
    return f"{model}-{'default' if size is None else f'{size[0]}x{size[1]}'}"


@pytest.mark.parametrize(("model", "size"), DOCUMENTED, ids=map(_case_id, DOCUMENTED))
def test_the_sdk_starts_a_session_for_every_documented_pair(
    emulator: str, model: str, size: tuple[int, int] | None
) -> None:
    info = _start(emulator, model, size)
    shape = load_rules().session_answer
    assert info.session_id.startswith("session-")
    assert (info.engine_host, info.engine_protocol, info.signalling_endpoint) == (
        shape["engineHost"],
        shape["engineProtocol"],
        shape["signallingEndpoint"],
    )
    assert info.heartbeat_interval_seconds == shape["clientConfig"]["heartbeatIntervalSeconds"]
    assert info.max_reconnection_attempts == shape["clientConfig"]["maxWsReconnectionAttempts"]
    assert info.ice_servers == [] and info.region == shape["region"]


@pytest.mark.parametrize(("model", "size"), UNSUPPORTED, ids=map(_case_id, UNSUPPORTED))
def test_the_sdk_gets_its_validation_error_for_an_unsupported_pair(
    emulator: str, model: str, size: tuple[int, int]
) -> None:
    with pytest.raises(SessionError) as raised:
        _start(emulator, model, size)
    assert raised.value.status_code == 400
    assert f"{size[0]}x{size[1]}" in str(raised.value)


NODE_CLIENT = Path(__file__).resolve().parent / "node_clients" / "anam_api.cjs"
NODE_RELEASE = "1.5.0"  # the first @livekit/agents-plugin-anam with sessionOptions


def _node_starts(url: str, scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Node plugin's ``AnamAPI``, both requests of its flow, once per scenario."""
    from anam_conformance.implementations import node

    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the Node plugin's client")
    plugin_dir = node.install_release("@livekit/agents-plugin-anam", NODE_RELEASE)
    done = subprocess.run(
        ["node", str(NODE_CLIENT), str(plugin_dir), url, KEY, json.dumps(scenarios)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_node_plugins_client_starts_and_is_refused_as_the_sdk_is(emulator: str) -> None:
    cases = [*DOCUMENTED, *UNSUPPORTED]
    answers = _node_starts(emulator, [{"avatarId": AVATAR_ID, "model": m, "size": s} for m, s in cases])
    shape = load_rules().session_answer
    for (model, size), answer in zip(DOCUMENTED, answers[: len(DOCUMENTED)], strict=True):
        assert answer["ok"], (model, size, answer)
        assert answer["tokenKeys"] == ["sessionToken"]
        assert answer["session"]["sessionId"].startswith("session-")
        assert answer["session"]["engineHost"] == shape["engineHost"]
    for (model, size), answer in zip(UNSUPPORTED, answers[len(DOCUMENTED) :], strict=True):
        assert not answer["ok"], (model, size, answer)
        # AnamException("Anam /v1/auth/session-token failed: 400 {...}"), Anam's message inside.
        assert "failed: 400" in answer["message"] and f"{size[0]}x{size[1]}" in answer["message"], answer


async def _admin(url: str, method: str, payload: Any = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{url}/v1/emulator/answers", json=payload) as answer,
    ):
        return answer.status, await answer.json()


def test_queued_answers_reach_the_sdk_in_order(emulator: str) -> None:
    """POST /v1/emulator/answers: Anam's documented 402 and 429 variants, as the SDK names them."""
    status, queue = asyncio.run(
        _admin(
            emulator,
            "POST",
            [{"answer": "no-plan"}, {"answer": "concurrent-session-limit"}, {"answer": "spend-cap"}],
        )
    )
    assert status == 200 and [a["status"] for a in queue["queued"]] == [402, 429, 429]
    codes = []
    for _ in range(3):
        with pytest.raises(SessionError) as raised:
            _start(emulator, "cara-3", None)
        codes.append((raised.value.status_code, raised.value.code.value))
    assert codes == [(402, "no_plan_found"), (429, "concurrent_session_limit"), (429, "spend_cap_reached")]
    assert asyncio.run(_admin(emulator, "GET"))[1]["queued"] == []
    assert _start(emulator, "cara-3", None).session_id  # the queue is spent: the rules answer again


def test_the_answer_queue_takes_faults_and_refuses_nonsense(emulator: str) -> None:
    status, queue = asyncio.run(
        _admin(emulator, "POST", [{"fault": "close"}, {"status": 503, "body": {"error": "x"}, "times": 2}])
    )
    assert status == 200 and queue["queued"] == [
        {"fault": "close"},
        {"status": 503, "body": {"error": "x"}},
        {"status": 503, "body": {"error": "x"}},
    ]
    assert asyncio.run(_admin(emulator, "DELETE"))[1]["queued"] == []
    for nonsense in ({"status": "soon"}, {"fault": "explode"}, {"answer": "no-such-answer"}, {"times": 0}):
        status, refused = asyncio.run(_admin(emulator, "POST", nonsense))
        assert status == 400 and refused["error"] == "Bad Request", nonsense
    assert "spend-cap" in asyncio.run(_admin(emulator, "GET"))[1]["answers"]


async def _post_session(url: str, timeout: float) -> BaseException | int:
    body = {"personaConfig": {"type": "ephemeral", "name": "n", "avatarId": AVATAR_ID}}
    headers = {"Authorization": f"Bearer {KEY}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            http.post(f"{url}/v1/engine/session", json=body, headers=headers) as answer,
        ):
            return answer.status
    except (TimeoutError, aiohttp.ClientError) as error:
        return error


def test_server_side_faults_are_what_a_client_sees_as_reset_timeout_and_non_json(emulator: str) -> None:
    """The twins of the client-layer faults, for drivers in other languages (the Node driver)."""
    asyncio.run(
        _admin(
            emulator,
            "POST",
            [{"fault": "close"}, {"fault": "stall", "seconds": 2}, {"status": 200, "text": "<html>"}],
        )
    )
    assert isinstance(asyncio.run(_post_session(emulator, 5)), aiohttp.ServerDisconnectedError)
    started = time.monotonic()
    assert isinstance(asyncio.run(_post_session(emulator, 0.2)), asyncio.TimeoutError)
    assert time.monotonic() - started < 1.5
    assert asyncio.run(_post_session(emulator, 5)) == 200  # the text body: a 200 that is not JSON
    assert isinstance(asyncio.run(_post_session(refused_url(), 5)), aiohttp.ClientConnectorError)


def test_rules_from_a_file_change_what_the_emulator_accepts(tmp_path: Path) -> None:
    """--rules FILE: a change on Anam's side is a data change (here, Cara 3 gains 480x720)."""
    raw = load_rules().raw
    raw["models"]["cara-3"]["accepted"].append([480, 720])
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(raw))
    body = {
        "personaConfig": {"avatarModel": "cara-3"},
        "sessionOptions": {"videoWidth": 480, "videoHeight": 720},
    }
    assert judge_session_request(body, load_rules(path)) == Acceptance(480, 720)
    assert judge_session_request(body).status == 400  # type: ignore[union-attr]


def test_old_cassettes_show_new_keys_as_additions_not_drift() -> None:
    """Cassettes of emulator 1.0 recorded {"sessionId"} only: the full answer adds keys, drops none."""

    path = cassette_path(scenario("default-size-cara-3"), "one-request")
    findings = asyncio.run(check([path]))
    assert findings and all(f.addition for f in findings)
    assert {f.where.rsplit(" ", 1)[1] for f in findings} >= {"body.engineHost", "body.clientConfig"}


def test_a_recorded_key_no_longer_answered_is_drift_and_rules_files_are_checked(tmp_path: Path) -> None:

    assert compare_bodies({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 2, "d": 3}}) == ([], ["body.b.d"])
    assert compare_bodies({"a": 1, "b": 2}, {"a": 1}) == (["body.b"], [])
    raw = load_rules().raw
    raw["errors"]["unsupported_pair"]["message"] = "Video size not available"
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(raw))
    path = cassette_path(scenario("unsupported-1280x720-cara-4"), "one-request")
    (drift,) = asyncio.run(check([path], rules=load_rules(rules)))
    assert not drift.addition and "Video size not available" in str(drift)
