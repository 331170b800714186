"""The starts of one property share one server, and none of them sees another's requests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from anam_conformance.harness.anam_double import (
    SESSION_TOKEN_PATH,
    AnamDouble,
    SharedServer,
    one_server,
    one_server_on,
    serve,
)
from yarl import URL

KEY = "conformance-anam-key-shared"
BODY = {"personaConfig": {"name": "p", "avatarId": "00000000-0000-4000-8000-00000000a1a1"}}


@contextlib.asynccontextmanager
async def open_server() -> AsyncIterator[SharedServer]:
    server = SharedServer()
    await server.open()
    try:
        yield server
    finally:
        await server.aclose()


async def post(url: str) -> int:
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with http.post(url + SESSION_TOKEN_PATH, json=BODY, headers=headers) as answer:
            return answer.status


def test_starts_in_turn_share_a_port_under_paths_of_their_own() -> None:
    async def scenario() -> None:
        async with open_server() as server:
            first, second = AnamDouble(KEY), AnamDouble(KEY)
            async with server.serving(first) as first_url:
                assert await post(first_url) == 200
            async with server.serving(second) as second_url:
                assert URL(first_url).port == URL(second_url).port and first_url != second_url
                # A request of the first start's, sent after it ended: answered, recorded nowhere.
                assert await post(first_url) == 410
                assert await post(second_url) == 200
            assert [r.path for r in first.requests] == [SESSION_TOKEN_PATH]
            assert [r.path for r in second.requests] == [SESSION_TOKEN_PATH]

    asyncio.run(scenario())


def test_a_plugin_that_drops_the_base_path_is_served_by_the_start_in_progress() -> None:
    async def scenario() -> None:
        async with open_server() as server:
            double = AnamDouble(KEY)
            async with server.serving(double) as url:
                assert await post(f"{URL(url).origin()}") == 200
            assert await post(f"{URL(url).origin()}") == 410  # no start in progress
            assert [r.path for r in double.requests] == [SESSION_TOKEN_PATH]

    asyncio.run(scenario())


def test_serve_uses_the_shared_server_only_inside_one_server_on() -> None:
    loop = asyncio.new_event_loop()

    async def base_url() -> str:
        async with serve(AnamDouble(KEY)) as url:
            return url

    try:
        alone = [loop.run_until_complete(base_url()) for _ in range(2)]
        with one_server_on(loop):
            shared = [loop.run_until_complete(base_url()) for _ in range(2)]
        assert URL(alone[0]).port != URL(alone[1]).port and URL(alone[0]).path == "/"
        assert URL(shared[0]).port == URL(shared[1]).port and shared[0] != shared[1]
    finally:
        loop.close()


def test_one_server_serves_the_starts_of_the_task_that_opened_it() -> None:
    async def base_url() -> str:
        async with serve(AnamDouble(KEY)) as url:
            return url

    async def scenario() -> tuple[list[str], str]:
        async with one_server():
            shared = [await base_url(), await base_url()]
        return shared, await base_url()

    shared, after = asyncio.run(scenario())
    assert URL(shared[0]).port == URL(shared[1]).port and shared[0] != shared[1]
    assert URL(after).port != URL(shared[0]).port and URL(after).path == "/"


class Seeing(AnamDouble):
    """A double that also keeps the URL each request reached it with."""

    def __init__(self) -> None:
        super().__init__(KEY)
        self.seen: list[str] = []

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        self.seen.append(str(request.rel_url))
        return await super().handle(request)


def test_a_start_sees_its_requests_as_a_server_of_its_own_would() -> None:
    async def scenario() -> list[str]:
        async with open_server() as server:
            double = Seeing()
            async with (
                server.serving(double) as url,
                aiohttp.ClientSession() as http,
                http.get(f"{url}/v1/personas?page=2&size=10") as answer,
            ):
                assert answer.status == 404
            return double.seen

    assert asyncio.run(scenario()) == ["/v1/personas?page=2&size=10"]
