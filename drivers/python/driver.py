#!/usr/bin/env python3
"""The anam-conformance driver for a Python plugin module (protocol: ../PROTOCOL.md).

Usage: ``python driver.py MODULE``, under the plugin's own interpreter (its venv, with
its own livekit-agents). MODULE is imported as ``python -m`` would import it from the
current directory (``livekit.plugins.anam``, ``my_plugin``, ``broken_plugins.x``);
``plugin_under_test`` names the suite's reference plugin.

One JSON object per line on stdin (a command), one per line on stdout (its answer).
stdout is the protocol's alone: whatever the plugin prints, at any level (``print``,
a C library writing to file descriptor 1), goes to stderr, and so do its logs, off
unless ``ANAM_DRIVER_LOG_LEVEL`` asks for them.

Standalone: the standard library, livekit-agents (with the livekit rtc and api it
brings) and aiohttp, whatever their versions; it imports nothing of the suite. When
the interpreter has aioresponses it offers ``client-faults`` too: each fault is raised
at the aiohttp client, as the in-process suite raises it. No watchdog: a plugin that
blocks the loop, never returns or ends the process stops the driver, and the judge's
per-command timeout and its crash handling turn that into the suite's error.

It is also the one copy of the Python side of a start. The suite's in-process adapter
(``--anam-isolation=in-process``) imports this module as
``anam_conformance.drivers.python.driver`` and uses its doubles, its fact readers and
:class:`PluginStart`, giving each call into the plugin its watchdog (:class:`Calls`)
where this driver makes the calls as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import importlib.metadata
import inspect
import json
import logging
import os
import platform
import re
import sys
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import IO, Any, TypeVar

PROTOCOL_VERSION = 1
DRIVER_NAME = "anam-conformance-python-driver"
#: The error ``type_name`` of every answer when the module cannot be judged at all: it cannot be
#: imported, or it is not an Anam plugin. Its message is the whole sentence the judge shows after
#: ``--anam-plugin=MODULE: ``.
PLUGIN_NOT_LOADED = "PluginNotLoaded"
#: The reference plugin travels inside the suite; its folder's name is accepted for it.
REFERENCE_MODULE = "anam_conformance.plugin_under_test"
REFERENCE_ALIASES = frozenset({"plugin_under_test", REFERENCE_MODULE})
LOG_LEVEL_ENV = "ANAM_DRIVER_LOG_LEVEL"


# --- as a script: imported like ``python -m``, stdout kept for the protocol ---------------------
def import_like_python_m() -> None:
    """This file's folder off ``sys.path`` (a script's own folder is its first entry) and the
    current directory on it, first, as ``python -m`` and ``python -c`` put it: a module in the
    user's folder is found, and nothing beside this file is."""
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    sys.path.insert(0, os.getcwd())


def protocol_stream() -> IO[str]:
    """The real stdout for the protocol's answers; file descriptor 1 and ``sys.stdout`` go to stderr."""
    stream = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return stream


def refuse_every_command(out: IO[str], message: str) -> int:
    """Answer each command with the driver's refusal (``ok: false``), until stdin closes."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            found = json.loads(line).get("id")
        except (ValueError, AttributeError):
            found = None
        number = found if isinstance(found, int) else None
        error = {"type_name": PLUGIN_NOT_LOADED, "message": message}
        out.write(json.dumps({"id": number, "ok": False, "error": error}) + "\n")
        out.flush()
    return 0


def _needs_of_the_driver() -> str | None:
    """Why this interpreter cannot run the driver at all (no livekit-agents, no aiohttp), or None."""
    try:
        import aiohttp  # noqa: F401
        import livekit.agents  # noqa: F401
    except ImportError as error:
        return (
            f"the plugin module cannot be imported: the driver needs livekit-agents and aiohttp under "
            f"{sys.executable}: {type(error).__name__}: {error}"
        )
    return None


if __name__ == "__main__":
    import_like_python_m()
    _OUT = protocol_stream()
    _MISSING = _needs_of_the_driver()
    if _MISSING is not None:
        sys.exit(refuse_every_command(_OUT, _MISSING))

import aiohttp
from livekit import rtc
from livekit.agents import (
    APIConnectionError,
    APIConnectOptions,
    APIError,
    APIStatusError,
    APITimeoutError,
)
from livekit.rtc._proto import handle_pb2, participant_pb2, track_pb2


def _optional(module: str, name: str) -> Any:
    """``from module import name``, or None where this release of the library has no such thing."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


#: The framework's own lookup of the job context (``livekit.agents.get_job_context`` reads it).
JOB_CONTEXT_VAR: Any = _optional("livekit.agents.job", "_JobContextVar")
#: The framework's avatar session and its audio output (releases before avatars had neither).
FRAMEWORK_AVATAR_SESSION: Any = _optional("livekit.agents.voice.avatar", "AvatarSession")
DATA_STREAM_AUDIO_OUTPUT: Any = _optional("livekit.agents.voice.avatar", "DataStreamAudioOutput")
#: Faults at the aiohttp client (``client-faults``), where the interpreter has aioresponses.
AIORESPONSES: Any = _optional("aioresponses", "aioresponses")

T = TypeVar("T")

#: The clauses whose premises the public types break when they refuse the documented call.
DROP_IN_CLAUSE, OPTIONS_CLAUSE = "surface.drop-in", "surface.session-options"
DIMENSIONS = ("video_width", "video_height")
#: The keywords the released ``AvatarSession(...)`` and its ``start(...)`` take: what a start passes.
CONSTRUCTOR_KEYWORDS = (
    "persona_config",
    "api_url",
    "api_key",
    "avatar_participant_identity",
    "avatar_participant_name",
    "conn_options",
    "session_options",
)
START_KEYWORDS = ("livekit_url", "livekit_api_key", "livekit_api_secret")
#: Event-loop turns ``wait_for_join`` may take once the room has seen everything it will see,
#: unless ``avatar-events`` says otherwise. Everything is in one process, so the framework resolves
#: within a handful of turns; counting turns rather than seconds keeps a start that never resolves
#: as cheap as one that does.
JOIN_GRACE_TURNS = 100
#: What ``wait_for_join(timeout=...)`` is given; the grace turns end it long before.
JOIN_TIMEOUT = 5.0


# --- the plugin: its public classes, and what it says it is -------------------------------------
@dataclasses.dataclass(frozen=True)
class PluginTypes:
    """The module's public classes: ``AvatarSession`` and ``PersonaConfig``, and the optional
    ``SessionOptions`` and ``DirectorNotes`` (None where the release has none)."""

    avatar_session: type
    persona_config: type
    session_options: type | None
    director_notes: type | None


class PluginNotLoaded(Exception):
    """The module cannot be judged: it cannot be imported, or it is not an Anam plugin."""


def load_plugin(name: str) -> tuple[Any, PluginTypes]:
    """Import the module and check the surface every release exposes."""
    module_name = REFERENCE_MODULE if name in REFERENCE_ALIASES else name
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # an import error of any kind: the module cannot be judged
        raise PluginNotLoaded(
            f"the plugin module cannot be imported: {type(error).__name__}: {error}"
        ) from error
    missing = [n for n in ("AvatarSession", "PersonaConfig") if not hasattr(module, n)]
    if missing:
        raise PluginNotLoaded(
            f"{module.__name__} ({getattr(module, '__file__', '?')}) is not an Anam "
            f"plugin: it lacks {', '.join(missing)}"
        )
    for attribute in ("AvatarSession", "PersonaConfig"):
        value = getattr(module, attribute)
        if not inspect.isclass(value):
            raise PluginNotLoaded(f"{attribute} is not a class but {type(value).__name__}")
    types = PluginTypes(
        avatar_session=module.AvatarSession,
        persona_config=module.PersonaConfig,
        session_options=getattr(module, "SessionOptions", None),
        director_notes=getattr(module, "DirectorNotes", None),
    )
    return module, types


def version_of(module: Any) -> str | None:
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    return _distribution_version(module.__name__.replace(".", "-"))


def _distribution_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def keywords(function: Callable[..., object] | None, passed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The keywords a signature takes; one with ``**kwargs`` takes every keyword a start passes too
    (driving it shows what it does with them)."""
    if function is None:
        return ()
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return ()
    named = tuple(name for name in parameters if name != "self")
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return tuple(dict.fromkeys((*named, *passed)))
    return named


def type_fields(cls: type | None) -> tuple[str, ...]:
    """The keyword arguments a dataclass-like type takes (none when there is no type)."""
    if cls is None:
        return ()
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return keywords(cls)


def surface(types: PluginTypes) -> dict[str, Any]:
    """The public surface (``describe``'s ``surface``), by introspecting the classes."""
    constructor = keywords(types.avatar_session, CONSTRUCTOR_KEYWORDS)
    option_fields = type_fields(types.session_options)
    framework = FRAMEWORK_AVATAR_SESSION
    return {
        "avatar_session": True,
        "framework_avatar_session": framework is not None and issubclass(types.avatar_session, framework),
        "wait_for_join": callable(getattr(types.avatar_session, "wait_for_join", None)),
        "session_options": types.session_options is not None,
        "session_option_fields": list(option_fields),
        "disclosure": "show_ai_avatar_disclosure" in option_fields,
        "director_notes": types.director_notes is not None,
        "custom_identity": "avatar_participant_identity" in constructor,
        "persona_fields": list(type_fields(types.persona_config)),
        "constructor_options": list(constructor),
        "start_params": list(keywords(getattr(types.avatar_session, "start", None), START_KEYWORDS)),
    }


def installed_from(module: Any) -> str | None:
    """Where the plugin came from, as its installer recorded it (PEP 610's ``direct_url.json``): an
    editable checkout, a local folder or file, a VCS commit, or a package index; else the folder it
    was imported from (``PYTHONPATH``, the working directory). Credentials in a URL are dropped."""
    try:
        distribution = importlib.metadata.distribution(module.__name__.replace(".", "-"))
    except importlib.metadata.PackageNotFoundError:
        where = getattr(module, "__file__", None)
        return f"not installed: imported from {os.path.dirname(where)}" if where else None
    text = distribution.read_text("direct_url.json")
    if not text:
        return f"a package index: {distribution.metadata['Name']} {distribution.version}"
    try:
        recorded = json.loads(text)
    except ValueError:
        return None
    url = re.sub(r"//[^/@]*@", "//", str(recorded.get("url", "")))
    if recorded.get("dir_info", {}).get("editable"):
        return f"editable: {url}"
    vcs = recorded.get("vcs_info")
    if isinstance(vcs, dict):
        return f"{vcs.get('vcs', 'vcs')}: {url}@{vcs.get('commit_id', '?')}"
    return f"direct: {url}"


def framework_versions() -> dict[str, str]:
    found = {name: _distribution_version(name) for name in ("livekit-agents", "livekit", "livekit-api")}
    found["aiohttp"] = aiohttp.__version__
    return {name: version for name, version in found.items() if version}


def capabilities() -> list[str]:
    """What the suite may ask beyond a start (PROTOCOL.md, "Capabilities")."""
    return ["python-types", *(["client-faults"] if AIORESPONSES is not None else [])]


def describe(module: Any, types: PluginTypes) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION,
        "name": module.__name__,
        "version": version_of(module),
        "language": "python",
        "runtime": f"python {platform.python_version()}",
        "driver": DRIVER_NAME,
        "framework": framework_versions(),
        **({"installed_from": origin} if (origin := installed_from(module)) else {}),
        "commands": ["start-batch", "probe-types"],
        "capabilities": capabilities(),
        "surface": surface(types),
    }


# --- the plugin's objects as the protocol's facts ------------------------------------------------
def error_facts(error: BaseException | None) -> dict[str, Any] | None:
    """The facts of a Python exception (``failure``), by livekit-agents' own error classes."""
    if error is None:
        return None
    name, message = type(error).__name__, str(error)
    if isinstance(error, APIStatusError):
        body = error.body if isinstance(error.body, str) or error.body is None else _json(error.body)
        return _failure("api-status", name, message, error.status_code, body)
    if isinstance(error, APITimeoutError):
        return _failure("api-timeout", name, message)
    if isinstance(error, APIConnectionError):
        return _failure("api-connection", name, message)
    if isinstance(error, APIError):
        return _failure("api", name, message)
    if isinstance(error, ValueError):
        return _failure("argument", name, message)
    return _failure("other", name, message)


def _failure(
    kind: str, type_name: str, message: str, status: int | None = None, body: str | None = None
) -> dict[str, Any]:
    return {"kind": kind, "type_name": type_name, "message": message, "status": status, "body": body}


def _json(value: object) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def audio_facts(sink: Any) -> dict[str, Any] | None:
    """The agent session's audio output (``audio``), as livekit-agents' ``DataStreamAudioOutput`` keeps it."""
    if sink is None:
        return None
    if DATA_STREAM_AUDIO_OUTPUT is None or not isinstance(sink, DATA_STREAM_AUDIO_OUTPUT):
        return {"type_name": type(sink).__name__, "destination": None, "waits_for_video": False}
    return {
        "type_name": type(sink).__name__,
        "destination": getattr(sink, "_destination_identity", None),
        "waits_for_video": getattr(sink, "_wait_remote_track", None) == rtc.TrackKind.KIND_VIDEO,
    }


# --- the job an agent runs in, without a LiveKit server or the native runtime -------------------
# Where livekit-agents' or livekit's own types can be built without the native runtime they are
# used as they are (AgentOutput, RemoteParticipant, RemoteTrackPublication), so the framework's own
# wait_for_join runs unchanged against them. The rest is the smallest surface the released plugins
# were seen to touch.
class FakeLocalParticipant:
    """The agent's own participant: identity, kind and an RPC table."""

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.name = identity
        self.kind = rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
        self.attributes: dict[str, str] = {}
        self.track_publications: dict[str, Any] = {}
        self._rpc_handlers: dict[str, Callable[..., Any]] = {}

    def register_rpc_method(self, method_name: str, handler: Callable[..., Any]) -> None:
        self._rpc_handlers[method_name] = handler

    def unregister_rpc_method(self, method_name: str) -> None:
        self._rpc_handlers.pop(method_name, None)


class FakeRoom(rtc.EventEmitter[str]):
    """A connected room whose remote participants are real ``rtc`` objects."""

    def __init__(self, name: str, agent_identity: str) -> None:
        super().__init__()
        self.name = name
        self.local_participant = FakeLocalParticipant(agent_identity)
        self.remote_participants: dict[str, rtc.RemoteParticipant] = {}
        self.connection_state = rtc.ConnectionState.CONN_CONNECTED

    def isconnected(self) -> bool:
        return bool(self.connection_state == rtc.ConnectionState.CONN_CONNECTED)


def _ignore() -> None:
    """A change callback nobody listens to."""


def _agent_output() -> Any:
    """livekit-agents' real ``AgentOutput``, whatever callbacks its release asks for."""
    try:
        from livekit.agents.voice.io import AgentOutput
    except ImportError:  # pragma: no cover - a framework without it
        return _PlainOutput()
    positional: list[Callable[[], None]] = []
    named: dict[str, Callable[[], None]] = {}
    for parameter in inspect.signature(AgentOutput).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            named[parameter.name] = _ignore
        elif parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            positional.append(_ignore)
    return AgentOutput(*positional, **named)


class _PlainOutput:
    def __init__(self) -> None:
        self.audio: Any = None
        self.video: Any = None
        self.transcription: Any = None


class FakeAgentSession(rtc.EventEmitter[str]):
    """An agent session with livekit-agents' real ``AgentOutput``."""

    def __init__(self) -> None:
        super().__init__()
        self.output = _agent_output()
        self._started = True  # read by livekit-agents 1.5/1.6 avatar code


class _RoomService:
    def __init__(self) -> None:
        self.removed: list[Any] = []

    async def remove_participant(self, request: Any) -> None:
        self.removed.append(request)


@dataclasses.dataclass
class _Api:
    room: _RoomService = dataclasses.field(default_factory=_RoomService)


class FakeJobContext:
    """The parts of ``JobContext`` an avatar plugin reads."""

    def __init__(self, room: FakeRoom) -> None:
        self.room = room
        self.api = _Api()
        self.shutdown_callbacks: list[Callable[..., Any]] = []

    @property
    def local_participant_identity(self) -> str:
        return self.room.local_participant.identity

    def add_shutdown_callback(self, callback: Callable[..., Any]) -> None:
        self.shutdown_callbacks.append(callback)


@contextlib.contextmanager
def job_context(ctx: FakeJobContext) -> Iterator[None]:
    """Install the fake where ``livekit.agents.get_job_context`` looks for it (this task's context)."""
    if JOB_CONTEXT_VAR is None:
        yield
        return
    token = JOB_CONTEXT_VAR.set(ctx)
    try:
        yield
    finally:
        JOB_CONTEXT_VAR.reset(token)


AGENT_KIND = rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
STANDARD_KIND = rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD


def admit_avatar(room: FakeRoom, avatar: Mapping[str, Any]) -> None:
    """Let the avatar (``avatar-events``' ``avatar``) join and publish its tracks, firing the room's
    real events.

    Real ``rtc`` objects are built from their protobuf info with handle id 0: the native
    runtime is never loaded, and ``state``, ``kind``, ``width`` and ``height`` are what the
    framework itself reads.
    """
    owned = participant_pb2.OwnedParticipant(handle=handle_pb2.FfiOwnedHandle(id=0))
    owned.info.sid = f"PA_{avatar['identity']}"
    owned.info.identity = avatar["identity"]
    owned.info.name = avatar.get("name") or ""
    owned.info.kind = AGENT_KIND if avatar["kind"] == "agent" else STANDARD_KIND
    owned.info.state = participant_pb2.ParticipantState.PARTICIPANT_STATE_ACTIVE
    owned.info.attributes.update(avatar["attributes"])
    participant = rtc.RemoteParticipant(owned)
    room.remote_participants[participant.identity] = participant
    room.emit("participant_connected", participant)
    room.emit("participant_active", participant)
    for number, track in enumerate(avatar["tracks"]):
        owned_track = track_pb2.OwnedTrackPublication(handle=handle_pb2.FfiOwnedHandle(id=0))
        owned_track.info.sid = "TR_avatar_video" + (f"_{number + 1}" if number else "")
        owned_track.info.name = "avatar_video"
        owned_track.info.kind = track_pb2.TrackKind.KIND_VIDEO
        owned_track.info.source = track_pb2.TrackSource.SOURCE_CAMERA
        owned_track.info.width = track["width"]
        owned_track.info.height = track["height"]
        owned_track.info.mime_type = "video/vp8"
        publication = rtc.RemoteTrackPublication(owned_track)
        participant._track_publications[publication.sid] = publication
        room.emit("track_published", publication, participant)


async def cancel_audio_sink(agent_session: FakeAgentSession) -> None:
    """The plugin's ``DataStreamAudioOutput`` has no ``aclose()``; its start task would outlive the start."""
    sink = getattr(agent_session.output, "audio", None)
    task: asyncio.Task[Any] | None = getattr(sink, "_start_atask", None)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


# --- transport faults at the aiohttp client (client-faults) ---------------------------------------
def _refused() -> BaseException:
    from aiohttp.client_reqrep import ConnectionKey

    # Named where aiohttp's key is a named tuple (its fields differ between releases).
    known: dict[str, Any] = {"host": "127.0.0.1", "port": None, "is_ssl": False, "ssl": True}
    make: Any = ConnectionKey
    names = getattr(ConnectionKey, "_fields", None)
    key = (
        make(**{name: known.get(name) for name in names})
        if names
        else make("127.0.0.1", None, False, True, None, None, None)
    )
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connect call failed"))


#: Each fault, as aiohttp raises it to the plugin (at once: a timeout costs no waiting).
CLIENT_FAULTS: dict[str, Callable[[], BaseException]] = {
    "refused": _refused,  # nothing listens: ClientConnectorError
    "reset": aiohttp.ServerDisconnectedError,  # the connection closed without an answer
    "timeout": asyncio.TimeoutError,  # aiohttp's total timeout (ClientTimeout(total=...))
    "read-timeout": lambda: aiohttp.ServerTimeoutError("Timeout on reading data from socket"),
}
LOOPBACK_ANY = re.compile(r"^https?://127\.0\.0\.1(:\d+)?/.*$")


def _faulted_request(method: str, url: Any, call: Any) -> dict[str, Any]:
    """One request the plugin made under a fault (``faulted_requests``): as aiohttp was asked to
    send it, its ``json=`` argument kept as it was given and its ``data=`` as text."""
    kwargs = call.kwargs
    body = kwargs.get("json")
    text = kwargs.get("data") if body is None else None
    return {
        "method": method,
        "path": url.path,
        "headers": {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()},
        "text": str(text) if text is not None else "",
        "json": body,
    }


@contextlib.contextmanager
def client_faults(fault: str) -> Iterator[list[dict[str, Any]]]:
    """Every request to loopback fails with ``fault`` (a :data:`CLIENT_FAULTS` name) at the aiohttp
    client; the list fills with the requests made, once the block is left."""
    if AIORESPONSES is None:
        raise LookupError("client faults need aioresponses, which this interpreter does not have")
    make = CLIENT_FAULTS[fault]
    requests: list[dict[str, Any]] = []
    with AIORESPONSES() as mocked:
        for method in ("POST", "GET", "PUT", "DELETE"):
            mocked.add(LOOPBACK_ANY, method=method, exception=make(), repeat=True)
        try:
            yield requests
        finally:
            for (method, url), calls in (mocked.requests or {}).items():
                requests += [_faulted_request(method, url, call) for call in calls]


# --- one start: the plugin's public API, exactly as an agent calls it -----------------------------
class Calls:
    """How each call into the plugin is made. Here, as it is: a plugin that blocks or ends the
    process stops the driver, and the judge times it out or sees it end. The in-process adapter
    gives :class:`PluginStart` its watchdog instead (an object with these three members), whose
    own exceptions (``own``) pass through as they are, never read as the plugin's failure."""

    own: tuple[type[BaseException], ...] = ()

    def sync(self, call: str) -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext()

    async def wait(self, call: str, awaitable: Awaitable[T]) -> T:
        return await awaitable


class PremiseBroken(Exception):
    """The public types refused the documented call: a premise of every check, owned by ``clause``."""

    def __init__(self, clause: str, expected_actual: str) -> None:
        super().__init__(f"{clause}: {expected_actual}")
        self.premise = {"clause": clause, "expected_actual": expected_actual}


def build_persona(types: PluginTypes, persona: Mapping[str, Any]) -> object:
    kwargs: dict[str, object] = {"name": persona["name"], "avatarId": persona["avatar_id"]}
    if persona.get("avatar_model") is not None:
        kwargs["avatarModel"] = persona["avatar_model"]
    notes = persona.get("director_notes")
    if notes is not None:
        if types.director_notes is None:
            raise LookupError("the plugin has no DirectorNotes")
        kwargs["directorNotes"] = types.director_notes(**notes)
    return types.persona_config(**kwargs)


def build_session_options(types: PluginTypes, module: str, given: Mapping[str, Any]) -> object:
    """``SessionOptions(**given)``; a dimension not given must default to None (surface.session-options)."""
    if types.session_options is None:
        raise LookupError(f"{module} has no SessionOptions")
    options = types.session_options(**given)
    for name in DIMENSIONS:
        if name not in given and getattr(options, name, None) is not None:
            raise PremiseBroken(
                OPTIONS_CLAUSE,
                f"expected SessionOptions to default {name} to None; actual {getattr(options, name)!r}",
            )
    return options


class PluginStart:
    """One avatar session of the plugin, in a room, agent session and job context of its own.

    ``params`` are a ``start``'s (PROTOCOL.md); :meth:`begin` answers with a ``start`` result,
    :meth:`avatar_events` with an ``avatar-events`` result. Whatever the plugin raises is a fact of
    the result; only ``calls.own`` and what is no ``Exception`` (an exit) go through.
    """

    def __init__(
        self, types: PluginTypes, module: str, params: Mapping[str, Any], calls: Calls | None = None
    ) -> None:
        self.types = types
        self.module = module
        self.params = params
        self.calls = calls or Calls()
        self.room = FakeRoom(params["room"]["name"], params["room"]["local_identity"])
        self.agent_session = FakeAgentSession()
        self.avatar: Any = None
        self.result: dict[str, Any] = {}
        self._context = contextlib.ExitStack()

    async def begin(self) -> dict[str, Any]:
        """Construct and ``start()``, in the job context (left set until :meth:`aclose`); under
        ``client_fault``, at a faulted client. Whatever goes through closes first."""
        self._context.enter_context(job_context(FakeJobContext(self.room)))
        try:
            fault = self.params.get("client_fault")
            if fault is None:
                self.result = await self._start()
            else:
                with client_faults(fault) as requests:
                    result = await self._start()
                self.result = {**result, "faulted_requests": requests}
        except BaseException:
            await self.aclose()
            raise
        return self.result

    async def _start(self) -> dict[str, Any]:
        params, types, calls = self.params, self.types, self.calls
        stage = "persona"
        identity: str | None = None
        try:
            with calls.sync("AvatarSession(...)"):
                conn = params["conn_options"]
                kwargs: dict[str, object] = {
                    "persona_config": build_persona(types, params["persona"]),
                    "api_url": params["api_url"],
                    "api_key": params["api_key"],
                    "conn_options": APIConnectOptions(
                        max_retry=conn["max_retry"],
                        retry_interval=conn["retry_interval"],
                        timeout=conn["timeout"],
                    ),
                }
                if params["session_options"] is not None:
                    stage = "options"
                    kwargs["session_options"] = build_session_options(
                        types, self.module, params["session_options"]
                    )
                if params.get("avatar_identity") is not None:
                    kwargs["avatar_participant_identity"] = params["avatar_identity"]
                stage = "construct"
                avatar = types.avatar_session(**kwargs)
                self.avatar = avatar
            found = getattr(avatar, "avatar_identity", None)
            identity = found if isinstance(found, str) else None
            stage = "start"
            livekit = params["livekit"]
            start = avatar.start(
                self.agent_session,
                self.room,
                livekit_url=livekit["url"],
                livekit_api_key=livekit["api_key"],
                livekit_api_secret=livekit["api_secret"],
            )
            await calls.wait("start()", start)
        except PremiseBroken as broken:
            return self._result(stage, None, identity, broken.premise)
        except calls.own:
            raise  # the caller's watchdog stopped a call: its own outcome, whatever the start was
        except (Exception, asyncio.TimeoutError) as error:
            return self._result(stage, error_facts(error), identity, self._premise(stage, error))
        return self._result(None, None, identity, None)

    def _premise(self, stage: str, error: BaseException) -> dict[str, str] | None:
        """A TypeError of the public types at the documented call breaks every check's premise."""
        if not isinstance(error, TypeError):
            return None
        if stage in ("persona", "construct"):
            return PremiseBroken(
                DROP_IN_CLAUSE, f"the documented keywords to be taken; actual {type(error).__name__}: {error}"
            ).premise
        if stage == "options":
            given = self.params["session_options"]
            return PremiseBroken(
                OPTIONS_CLAUSE, f"SessionOptions({given}) to be taken; actual {error}"
            ).premise
        return None

    def _result(
        self, stage: str | None, failure: dict[str, Any] | None, identity: str | None, premise: Any
    ) -> dict[str, Any]:
        return {
            "stage": stage,
            "failure": failure,
            "audio": audio_facts(getattr(self.agent_session.output, "audio", None)),
            "avatar_identity": identity,
            "premise": premise,
        }

    async def avatar_events(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Asked before the avatar is in the room, ``wait_for_join()`` must still be pending; once
        it is in with its video, it must resolve. ``joined``: the second ask resolved."""
        turns = params.get("grace_turns", JOIN_GRACE_TURNS)
        before: str | None = None
        try:
            if self.avatar is None:
                raise TypeError("no avatar session to wait for")
            before = await self.calls.wait("wait_for_join()", wait_before_arrival(self.avatar, turns))
            if params.get("avatar") is not None:
                admit_avatar(self.room, params["avatar"])
            await self.calls.wait("wait_for_join()", wait_for_join(self.avatar, turns))
        except self.calls.own:
            raise
        except (Exception, asyncio.TimeoutError) as error:
            if not callable(getattr(self.avatar, "wait_for_join", None)):
                state = "absent"
            else:
                state = "pending" if isinstance(error, asyncio.TimeoutError) else "rejected"
            return self._joined(state, error_facts(error), before)
        return self._joined("resolved", None, before)

    @staticmethod
    def _joined(state: str, failure: dict[str, Any] | None, before: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = {"wait_for_join": state, "joined": failure is None, "failure": failure}
        if before is not None:
            answer["wait_for_join_before"] = before
        return answer

    async def aclose(self) -> None:
        try:
            close = getattr(self.avatar, "aclose", None)  # the framework's sessions have one; not a promise
            if callable(close):
                with contextlib.suppress(Exception):  # teardown must not hide the outcome being judged
                    await self.calls.wait("aclose()", close())
            await cancel_audio_sink(self.agent_session)
        finally:
            self.avatar = None
            self._context.close()


@contextlib.asynccontextmanager
async def _asked(avatar: Any, turns: int) -> AsyncIterator[asyncio.Future[Any]]:
    """``wait_for_join()`` asked now and given ``turns`` event-loop turns; dropped on the way out
    (the framework shields its join task, so dropping the ask cancels nothing)."""
    ask = asyncio.ensure_future(avatar.wait_for_join(timeout=JOIN_TIMEOUT))
    try:
        for _ in range(turns):
            if ask.done():
                break
            await asyncio.sleep(0)
        yield ask
    finally:
        ask.cancel()
        await asyncio.gather(ask, return_exceptions=True)


async def wait_before_arrival(avatar: Any, turns: int = JOIN_GRACE_TURNS) -> str:
    """``wait_for_join()`` asked with nobody in the room yet: ``pending`` is the only right answer.
    It is given as many loop turns as a real join is given after the arrival."""
    async with _asked(avatar, turns) as ask:
        if not ask.done():
            return "pending"
        return "rejected" if ask.cancelled() or ask.exception() is not None else "resolved"


async def wait_for_join(avatar: Any, turns: int = JOIN_GRACE_TURNS) -> None:
    """The plugin's own ``wait_for_join()``, given ``turns`` loop turns.

    The room has seen everything it will see (the avatar, or no one), so a wait
    still pending after a few turns would only time out: it is ended then,
    rather than after the framework's full timeout.
    """
    async with _asked(avatar, turns) as join:
        if not join.done():
            raise asyncio.TimeoutError("wait_for_join() did not resolve: the avatar is not coming")
        join.result()


# --- python-types: what the public types keep of given arguments ---------------------------------
def probe_types(
    types: PluginTypes, persona_config: Mapping[str, Any], session_options: Mapping[str, Any]
) -> dict[str, Any]:
    """``probe-types``: ``PersonaConfig(**persona_config)``, ``SessionOptions()`` and
    ``SessionOptions(**session_options)``, each with the attributes named by its keywords read back."""
    options = types.session_options
    return {
        "persona_config": built(types.persona_config, persona_config, tuple(persona_config)),
        "session_options_default": None if options is None else built(options, {}, tuple(session_options)),
        "session_options_given": None
        if options is None
        else built(options, session_options, tuple(session_options)),
    }


def built(cls: type, kwargs: Mapping[str, Any], read: Sequence[str]) -> dict[str, Any]:
    """``cls(**kwargs)`` and the attributes ``read`` (each left out when it has none, as ``getattr``
    with a default would miss it), or the error either raised."""
    try:
        made = cls(**kwargs)
        fields: dict[str, dict[str, Any]] = {}
        for name in read:
            try:
                value = getattr(made, name)
            except AttributeError:
                continue
            fields[name] = read_back(value)
    except Exception as error:
        return {"fields": {}, "error": error_facts(error)}
    return {"fields": fields, "error": None}


def read_back(value: object) -> dict[str, Any]:
    """A value as Python shows it (``repr``), and the value itself when it is plain data."""
    shown: dict[str, Any] = {"repr": repr(value)}
    if value is None or isinstance(value, (str, int, float)):
        shown["value"] = value
    return shown


# --- the driver: one command at a time --------------------------------------------------------------
class Driver:
    """The commands of PROTOCOL.md, for one plugin module."""

    def __init__(self, module: Any, types: PluginTypes) -> None:
        self.module = module
        self.types = types
        self.current: PluginStart | None = None
        self.commands: dict[str, Callable[[Mapping[str, Any]], Awaitable[dict[str, Any]]]] = {
            "describe": self.describe,
            "start": self.start,
            "start-batch": self.start_batch,
            "avatar-events": self.avatar_events,
            "close": self.close,
            "probe-types": self.probe_types,
        }

    async def answer(self, request: Mapping[str, Any]) -> dict[str, Any]:
        command = request.get("command")
        handler = self.commands.get(command) if isinstance(command, str) else None
        if handler is None:
            raise LookupError(f"unknown command {command!r}")
        return await handler(request)

    async def describe(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return describe(self.module, self.types)

    def _start_of(self, params: Mapping[str, Any]) -> PluginStart:
        return PluginStart(self.types, self.module.__name__, params)

    async def start(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """A start kept for its ``avatar-events``, in this task's context (its job context stays
        set until the next start or ``close``)."""
        await self.close({})
        started = self._start_of(request)
        result = await started.begin()
        self.current = started
        return result

    async def start_batch(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """All at once, each in a task (a context, a room, an agent session) of its own and closed
        before the answer; one after the other when any has a client fault (aioresponses patches
        the one aiohttp client every start shares)."""
        starts: list[Mapping[str, Any]] = list(request["starts"])
        if any(one.get("client_fault") is not None for one in starts):
            results = [await self._one_of_many(one) for one in starts]
        else:
            results = list(await asyncio.gather(*(self._one_of_many(one) for one in starts)))
        return {"results": results}

    async def _one_of_many(self, params: Mapping[str, Any]) -> dict[str, Any]:
        started = self._start_of(params)
        result = await started.begin()
        await started.aclose()
        return result

    async def avatar_events(self, request: Mapping[str, Any]) -> dict[str, Any]:
        if self.current is None:
            raise LookupError("avatar-events without a start")
        return await self.current.avatar_events(request)

    async def close(self, request: Mapping[str, Any]) -> dict[str, Any]:
        started, self.current = self.current, None
        if started is None:
            return {"closed": False}
        await started.aclose()
        return {"closed": True}

    async def probe_types(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return probe_types(self.types, request["persona_config"], request["session_options"])


async def serve(driver: Driver, out: IO[str]) -> None:
    """Answer each line of stdin in turn; closing stdin is the goodbye."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            _send(out, {"id": None, "ok": False, "error": _error("SyntaxError", f"not JSON: {error}")})
            continue
        number = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict):
                raise TypeError("a command is a JSON object")
            message = {"id": number, "ok": True, "result": await driver.answer(request)}
        except Exception as error:  # the driver's own failure (never the plugin's: that is a fact)
            traceback.print_exc(file=sys.stderr)
            message = {"id": number, "ok": False, "error": _error(type(error).__name__, str(error))}
        _send(out, message)
    await driver.close({})


def _error(type_name: str, message: str) -> dict[str, str]:
    return {"type_name": type_name, "message": message}


def _send(out: IO[str], message: Mapping[str, Any]) -> None:
    # A value the plugin gave that JSON cannot hold (a body object aiohttp was asked to send) is
    # told as Python shows it, rather than lost with the whole answer.
    out.write(json.dumps(message, default=repr) + "\n")
    out.flush()


def quiet_logs() -> None:
    """The plugin's and the framework's logs are not evidence: off, unless ANAM_DRIVER_LOG_LEVEL
    (debug, info, warning, ...) asks for them, on stderr."""
    level = os.environ.get(LOG_LEVEL_ENV)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level.upper() if level else logging.CRITICAL + 1)
    logging.basicConfig(handlers=[handler], level=level.upper() if level else logging.WARNING)


def main(argv: Sequence[str], out: IO[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python driver.py MODULE\n")
        return 2
    quiet_logs()
    try:
        module, types = load_plugin(argv[0])
    except PluginNotLoaded as refused:
        return refuse_every_command(out, str(refused))
    asyncio.run(serve(Driver(module, types), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _OUT))
