"""An in-process Anam: a real aiohttp web application on loopback.

A real HTTP server, rather than a patched client, lets any plugin be put under
test unchanged (the released wheels create their own ``aiohttp.ClientSession``),
and the same application serves as the standalone emulator. It speaks both wire
flows of the released plugins, judges the session request by
:mod:`anam_rules`, records every request, and answers in Anam's documented
shapes, or as a test scripts it: any status and body, a body that is not JSON,
or a transport fault a server can cause (closing the connection without an
answer, holding the request past the client's timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import secrets
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .anam_rules import DEFAULT_RULES, Acceptance, Rejection, Rules, judge_session_request
from .evidence import RecordedRequest, parse_json

#: Named in every cassette recorded from this emulator; bump it when its answers change.
#: 1.1: the engine-session answer carries Anam's full shape (engineHost, engineProtocol,
#: signallingEndpoint, clientConfig, region), not only sessionId.
EMULATOR_VERSION = "anam-emulator 1.1 (anam-conformance)"
SESSION_TOKEN_PATH = "/v1/auth/session-token"
ENGINE_SESSION_PATH = "/v1/engine/session"

#: Transport faults a server can cause; a client-side equivalent is in :mod:`.transport`.
CLOSE = "close"  # close the connection without answering (the client sees a reset / disconnect)
STALL = "stall"  # hold the request, answer nothing, then close (the client's timeout must end it)
FAULTS = (CLOSE, STALL)
#: How long a stalled request is held unless told otherwise: longer than any sane timeout.
STALL_SECONDS = 30.0


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
    """An answer a test imposes on a session request, whatever its body.

    ``body`` is sent as JSON, or ``text`` verbatim (a body that is not JSON);
    ``fault`` replaces the answer with a transport fault (:data:`CLOSE`,
    :data:`STALL` for ``seconds``). A 2xx answer stands for the answer that opens
    the session: in the two-request flow the session-token request is answered
    by the rules and the engine-session request gets it.
    """

    status: int = 200
    body: object = None
    text: str | None = None
    fault: str | None = None
    seconds: float = STALL_SECONDS

    @property
    def is_success(self) -> bool:
        return self.fault is None and 200 <= self.status < 300

    def describe(self) -> dict[str, Any]:
        if self.fault == STALL:
            return {"fault": STALL, "seconds": self.seconds}
        if self.fault is not None:
            return {"fault": self.fault}
        if self.text is not None:
            return {"status": self.status, "text": self.text}
        return {"status": self.status, "body": self.body}

    @classmethod
    def from_json(cls, data: Any, rules: Rules = DEFAULT_RULES) -> ScriptedReply:
        """One answer as the emulator's admin endpoint takes it (see the README)."""
        if not isinstance(data, dict):
            raise ValueError(f"an answer is a JSON object; got {data!r}")
        if "answer" in data:
            status, body = rules.answer(str(data["answer"]))
            return cls(status, body)
        if "fault" in data:
            if data["fault"] not in FAULTS:
                raise ValueError(f"unknown fault {data['fault']!r}; known: {', '.join(FAULTS)}")
            return cls(fault=str(data["fault"]), seconds=float(data.get("seconds", STALL_SECONDS)))
        given = data.get("status")
        if not isinstance(given, int) or isinstance(given, bool) or not 100 <= given <= 599:
            raise ValueError(f"status must be an HTTP status code; got {given!r}")
        status = given
        if "text" in data:
            return cls(status, text=str(data["text"]))
        return cls(status, data.get("body"))


SessionStarted = Callable[[SessionStart], None]


class AnamDouble:
    """Anam's session API, as the plugin sees it."""

    def __init__(
        self,
        api_key: str,
        on_session_started: SessionStarted | None = None,
        *,
        rules: Rules = DEFAULT_RULES,
    ) -> None:
        self.api_key = api_key
        self.rules = rules
        self.requests: list[RecordedRequest] = []
        self.sessions: list[SessionStart] = []
        #: The status of each answer, in the order of ``requests``.
        self.answers: list[int] = []
        #: Requests refused because their Authorization was not ``Bearer <the API key>``.
        self.unauthorized: list[RecordedRequest] = []
        self._on_session_started = on_session_started
        self._scripted: deque[ScriptedReply] = deque()
        self._always: ScriptedReply | None = None
        self._pending_tokens: dict[str, tuple[dict[str, object], Acceptance]] = {}
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()

    def script(self, status: int, body: object, *, times: int | None = 1) -> None:
        """Make the next ``times`` session requests get this answer (every one, if ``times`` is None)."""
        self.script_reply(ScriptedReply(status, body), times=times)

    def script_reply(self, reply: ScriptedReply, *, times: int | None = 1) -> None:
        """Queue any scripted answer, transport faults included; ``times=None``: every request from now."""
        if times is None:
            self._always = reply
        else:
            self._scripted.extend(reply for _ in range(times))

    def clear_script(self) -> None:
        self._scripted.clear()
        self._always = None

    @property
    def queued(self) -> list[ScriptedReply]:
        return list(self._scripted)

    @property
    def always(self) -> ScriptedReply | None:
        return self._always

    @property
    def session_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.carries_persona]

    def close(self) -> None:
        """Release every held (stalled) request, so the server can shut down at once."""
        self._closing.set()

    def app(self, extra_routes: Iterable[web.RouteDef] = ()) -> web.Application:
        """The application; ``extra_routes`` (the standalone emulator's own) come before Anam's API."""
        app = web.Application()
        app.router.add_routes(list(extra_routes))
        app.router.add_route("*", "/{tail:.*}", self.handle)

        async def release(_: web.Application) -> None:
            self.close()

        app.on_shutdown.append(release)
        return app

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Anam's whole API as one handler, so a start can be served by aiohttp's low-level server
        (:func:`serve`): no application, router or middleware is built per start."""
        try:
            response = await self._route(request)
        except BaseException:
            self.answers.append(0)  # no answer: the connection was closed or the request abandoned
            raise
        self.answers.append(response.status)
        return response

    def _route(self, request: web.BaseRequest) -> Awaitable[web.StreamResponse]:
        if request.method == "POST" and request.path == SESSION_TOKEN_PATH:
            return self._session_token(request)
        if request.method == "POST" and request.path == ENGINE_SESSION_PATH:
            return self._engine_session(request)
        return self._not_found(request)

    async def _record(self, request: web.BaseRequest) -> RecordedRequest:
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

    def _next_scripted(self, *, success: bool | None = None) -> ScriptedReply | None:
        """The next scripted answer; with ``success`` given, only if it is (or is not) a 2xx."""
        reply = self._scripted[0] if self._scripted else self._always
        if reply is None or (success is not None and reply.is_success != success):
            return None
        if self._scripted:
            self._scripted.popleft()
        return reply

    def _judge(
        self, recorded: RecordedRequest, *, defer_success: bool = False
    ) -> Acceptance | Rejection | ScriptedReply:
        if self._bearer(recorded) != self.api_key:
            self.unauthorized.append(recorded)
            return self.rules.rejection("bad_key")
        scripted = self._next_scripted(success=False if defer_success else None)
        if scripted is not None:
            return scripted
        return judge_session_request(recorded.body, self.rules)

    async def _session_token(self, request: web.BaseRequest) -> web.StreamResponse:
        recorded = await self._record(request)
        # A scripted 2xx is the answer that opens the session: it waits for the engine request.
        verdict = self._judge(recorded, defer_success=True)
        if not isinstance(verdict, Acceptance):
            return await self._refuse(request, verdict)
        token = f"st-{secrets.token_hex(12)}"
        assert isinstance(recorded.body, dict)
        self._pending_tokens[token] = (recorded.body, verdict)
        return web.json_response({"sessionToken": token})

    async def _engine_session(self, request: web.BaseRequest) -> web.StreamResponse:
        recorded = await self._record(request)
        bearer = self._bearer(recorded)
        if bearer in self._pending_tokens:
            body, acceptance = self._pending_tokens.pop(bearer)
            scripted = self._next_scripted(success=True)
            if scripted is not None:
                return await self._refuse(request, scripted)
            return self._start(body, acceptance)
        verdict = self._judge(recorded)
        if not isinstance(verdict, Acceptance):
            return await self._refuse(request, verdict)
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
        return web.json_response(self.rules.session_answer_for(start.session_id))

    async def _not_found(self, request: web.BaseRequest) -> web.Response:
        await self._record(request)
        return web.json_response(self.rules.rejection("not_found", path=request.path).body(), status=404)

    async def _refuse(
        self, request: web.BaseRequest, verdict: Rejection | ScriptedReply
    ) -> web.StreamResponse:
        if isinstance(verdict, Rejection):
            return web.json_response(verdict.body(), status=verdict.status)
        if verdict.fault == STALL:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._closing.wait(), verdict.seconds)
        if verdict.fault is not None:
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()  # never written: the connection is gone
        if verdict.text is not None:
            return web.Response(status=verdict.status, text=verdict.text, content_type="text/html")
        return web.json_response(verdict.body, status=verdict.status)


class SharedServer:
    """One loopback server for the many starts a property makes in turn, each under a path of its own.

    A server per start costs more than the start's own request, and a new origin per
    start makes the plugin's HTTP client open new connections each time (fetch keeps
    them per origin). Each start here has its own base URL, ``/start-<n>`` on the one
    port: a request sent after its start has ended (a retry left running) is answered
    410 and recorded nowhere, as a closed port would refuse it. A request under no
    start's path, from a plugin that builds its URLs on the host alone, is the start
    in progress's; with several starts open it is nobody's (421, counted in
    ``unattributed``): :func:`~.start.start_avatars` then makes them again one by one.
    """

    PREFIX = "start-"

    def __init__(self) -> None:
        self._runner: web.ServerRunner | None = None
        self._base_url = ""
        self._doubles: dict[str, AnamDouble] = {}
        self._starts = itertools.count(1)
        #: Requests under no start's path while several starts were open: whose they were is unknown.
        self.unattributed = 0

    async def open(self, host: str = "127.0.0.1") -> None:
        """On the running loop, which aiohttp's server binds to."""
        self._runner = web.ServerRunner(web.Server(self._dispatch, access_log=None), handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, 0).start()
        self._base_url = f"http://{host}:{self._runner.addresses[0][1]}"

    async def aclose(self) -> None:
        for double in self._doubles.values():
            double.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @contextlib.asynccontextmanager
    async def serving(self, double: AnamDouble) -> AsyncIterator[str]:
        name = f"{self.PREFIX}{next(self._starts)}"
        self._doubles[name] = double
        try:
            yield f"{self._base_url}/{name}"
        finally:
            double.close()
            del self._doubles[name]

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        name, _, rest = request.rel_url.path[1:].partition("/")
        double = self._doubles.get(name)
        if double is not None:
            # As a server of its own would have seen it: the path without the start's, the same query.
            inner = request.rel_url.with_path(f"/{rest}", keep_query=True)
            return await double.handle(request.clone(rel_url=inner))
        if name.startswith(self.PREFIX) or not self._doubles:
            return web.Response(status=410, text="this start has ended")
        if len(self._doubles) > 1:
            self.unattributed += 1
            return web.Response(status=421, text="several starts are open: which one this is, is unknown")
        (only,) = self._doubles.values()
        return await only.handle(request)


#: The server of the starts made in turn in this context (:func:`one_server`, :func:`one_server_on`).
_shared: contextvars.ContextVar[SharedServer | None] = contextvars.ContextVar("shared_server", default=None)


def current_server() -> SharedServer | None:
    """The server the starts made here share, if any (:func:`one_server`)."""
    return _shared.get()


@contextlib.asynccontextmanager
async def one_server() -> AsyncIterator[None]:
    """The starts this task makes from here on (a check's loop over a domain) share one server."""
    server = SharedServer()
    await server.open()
    token = _shared.set(server)
    try:
        yield
    finally:
        _shared.reset(token)
        await server.aclose()


@contextlib.contextmanager
def one_server_on(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """:func:`one_server` for starts each run as a task of their own on ``loop`` (a property's
    examples): set in the caller's context, which each of those tasks inherits."""
    server = SharedServer()
    loop.run_until_complete(server.open())
    token = _shared.set(server)
    try:
        yield
    finally:
        _shared.reset(token)
        loop.run_until_complete(server.aclose())


@contextlib.asynccontextmanager
async def serve(double: AnamDouble, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """The double on loopback for one start: its base URL, which no later start shares.

    A port of its own per start means a request a plugin sends after its start
    has ended (a retry left running) is refused, never recorded as the next start's;
    under :func:`one_server`, a path of its own on the shared port does the same.
    """
    shared = _shared.get()
    if shared is not None:
        async with shared.serving(double) as url:
            yield url
        return
    runner = web.ServerRunner(web.Server(double.handle, access_log=None), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, 0)
        await site.start()
        yield f"http://{host}:{runner.addresses[0][1]}"
    finally:
        double.close()
        await runner.cleanup()
