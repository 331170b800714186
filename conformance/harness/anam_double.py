"""An in-process Anam: a real aiohttp web application on loopback.

A real HTTP server, rather than a patched client, lets any plugin be put under
test unchanged (the released wheels create their own ``aiohttp.ClientSession``),
and the same application serves as the standalone emulator. It speaks both wire
flows of the released plugins, judges the session request by
:mod:`anam_rules`, records every request, and answers as a test scripts it.
"""

from __future__ import annotations

import itertools
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from .anam_rules import Acceptance, Rejection, judge_session_request
from .evidence import RecordedRequest, parse_json

#: Named in every cassette recorded from this emulator; bump it when its answers change.
EMULATOR_VERSION = "anam-emulator 1.0 (anam-conformance)"
SESSION_TOKEN_PATH = "/v1/auth/session-token"
ENGINE_SESSION_PATH = "/v1/engine/session"


@dataclass(frozen=True)
class SessionStart:
    """A session Anam has started: what its avatar needs to join the room."""

    session_id: str
    livekit_url: str
    livekit_token: str
    width: int
    height: int


@dataclass(frozen=True)
class ScriptedReply:
    """An answer a test imposes on the next session request, whatever its body."""

    status: int
    body: object


SessionStarted = Callable[[SessionStart], None]


class AnamDouble:
    """Anam's session API, as the plugin sees it."""

    def __init__(self, api_key: str, on_session_started: SessionStarted | None = None) -> None:
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.sessions: list[SessionStart] = []
        #: The status of each answer, in the order of ``requests``.
        self.answers: list[int] = []
        #: Requests refused because their Authorization was not ``Bearer <the API key>``.
        self.unauthorized: list[RecordedRequest] = []
        self._on_session_started = on_session_started
        self._scripted: deque[ScriptedReply] = deque()
        self._pending_tokens: dict[str, tuple[dict[str, object], Acceptance]] = {}
        self._ids = itertools.count(1)

    def script(self, status: int, body: object, *, times: int = 1) -> None:
        """Make the next ``times`` session requests get this answer."""
        self._scripted.extend(ScriptedReply(status, body) for _ in range(times))

    @property
    def session_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.carries_persona]

    def app(self, extra_routes: Iterable[web.RouteDef] = ()) -> web.Application:
        """The application; ``extra_routes`` (the standalone emulator's own) come before the catch-all 404."""
        app = web.Application(middlewares=[self._answered])
        app.router.add_post(SESSION_TOKEN_PATH, self._session_token)
        app.router.add_post(ENGINE_SESSION_PATH, self._engine_session)
        app.router.add_routes(list(extra_routes))
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    @web.middleware
    async def _answered(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        self.answers.append(response.status)
        return response

    async def _record(self, request: web.Request) -> RecordedRequest:
        text = await request.text()
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            text=text,
            body=parse_json(text),
        )
        self.requests.append(recorded)
        return recorded

    def _bearer(self, recorded: RecordedRequest) -> str | None:
        value = recorded.header("Authorization") or ""
        scheme, _, credential = value.partition(" ")
        return credential if scheme == "Bearer" and credential else None

    def _judge(self, recorded: RecordedRequest) -> Acceptance | Rejection | ScriptedReply:
        if self._bearer(recorded) != self.api_key:
            self.unauthorized.append(recorded)
            return Rejection(401, "Unauthorized", "Invalid API key")
        if self._scripted:
            return self._scripted.popleft()
        return judge_session_request(recorded.body)

    async def _session_token(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        verdict = self._judge(recorded)
        if not isinstance(verdict, Acceptance):
            return _refuse(verdict)
        token = f"st-{secrets.token_hex(12)}"
        assert isinstance(recorded.body, dict)
        self._pending_tokens[token] = (recorded.body, verdict)
        return web.json_response({"sessionToken": token})

    async def _engine_session(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        bearer = self._bearer(recorded)
        if bearer in self._pending_tokens:
            body, acceptance = self._pending_tokens.pop(bearer)
            return self._start(body, acceptance)
        verdict = self._judge(recorded)
        if not isinstance(verdict, Acceptance):
            return _refuse(verdict)
        assert isinstance(recorded.body, dict)
        return self._start(recorded.body, verdict)

    def _start(self, body: dict[str, object], acceptance: Acceptance) -> web.Response:
        environment = body.get("environment")
        environment = environment if isinstance(environment, dict) else {}
        start = SessionStart(
            session_id=f"session-{next(self._ids)}",
            livekit_url=str(environment.get("livekitUrl", "")),
            livekit_token=str(environment.get("livekitToken", "")),
            width=acceptance.width,
            height=acceptance.height,
        )
        self.sessions.append(start)
        if self._on_session_started is not None:
            self._on_session_started(start)
        return web.json_response({"sessionId": start.session_id})

    async def _not_found(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"error": "Not Found", "message": request.path}, status=404)


def _refuse(verdict: Rejection | ScriptedReply) -> web.Response:
    if isinstance(verdict, ScriptedReply):
        return web.json_response(verdict.body, status=verdict.status)
    return web.json_response(verdict.body(), status=verdict.status)
