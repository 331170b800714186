"""The LiveKit side of a job an in-process plugin runs in, without a LiveKit server or the native runtime.

The plugin reads a job context, an agent session and a room. Where
livekit-agents' or livekit's own types can be built without the native runtime
they are used as they are (``AgentOutput``, ``RemoteParticipant``,
``RemoteTrackPublication``, ``TokenVerifier``), so the framework's own
``wait_for_join`` runs unchanged against them. The rest is the smallest surface
the released plugins were seen to touch.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from livekit import api, rtc
from livekit.agents.job import _JobContextVar  # the framework's own lookup
from livekit.agents.voice.io import AgentOutput
from livekit.rtc._proto import handle_pb2, participant_pb2, track_pb2

from ..port.call import AGENT_IDENTITY, ROOM_NAME, AdmittedAvatar


class FakeLocalParticipant:
    """The agent's own participant: identity, kind and an RPC table."""

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.name = identity
        self.kind = rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
        self.attributes: dict[str, str] = {}
        self.track_publications: dict[str, rtc.LocalTrackPublication] = {}
        self._rpc_handlers: dict[str, Callable[..., Any]] = {}

    def register_rpc_method(self, method_name: str, handler: Callable[..., Any]) -> None:
        self._rpc_handlers[method_name] = handler

    def unregister_rpc_method(self, method_name: str) -> None:
        self._rpc_handlers.pop(method_name, None)


class FakeRoom(rtc.EventEmitter[str]):
    """A connected room whose remote participants are real ``rtc`` objects."""

    def __init__(self, name: str = ROOM_NAME, agent_identity: str = AGENT_IDENTITY) -> None:
        super().__init__()
        self.name = name
        self.local_participant = FakeLocalParticipant(agent_identity)
        self.remote_participants: dict[str, rtc.RemoteParticipant] = {}
        self.connection_state = rtc.ConnectionState.CONN_CONNECTED

    def isconnected(self) -> bool:
        return self.connection_state == rtc.ConnectionState.CONN_CONNECTED


class FakeAgentSession(rtc.EventEmitter[str]):
    """An agent session with livekit-agents' real ``AgentOutput``."""

    def __init__(self) -> None:
        super().__init__()
        self.output = AgentOutput(lambda: None, lambda: None, lambda: None)
        self._started = True  # read by livekit-agents 1.5/1.6 avatar code


class _RoomService:
    def __init__(self) -> None:
        self.removed: list[api.RoomParticipantIdentity] = []

    async def remove_participant(self, request: api.RoomParticipantIdentity) -> None:
        self.removed.append(request)


@dataclass
class _Api:
    room: _RoomService = field(default_factory=_RoomService)


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


@contextmanager
def job_context(ctx: FakeJobContext) -> Iterator[None]:
    """Install the fake where ``livekit.agents.get_job_context`` looks for it."""
    token: contextvars.Token[Any] = _JobContextVar.set(ctx)  # type: ignore[arg-type]
    try:
        yield
    finally:
        _JobContextVar.reset(token)


def admit_avatar(room: FakeRoom, avatar: AdmittedAvatar) -> None:
    """Let the avatar join and publish its video, firing the room's real events.

    Real ``rtc`` objects are built from their protobuf info with handle id 0:
    the native runtime is never loaded, and ``state``, ``kind``, ``width`` and
    ``height`` are what the framework itself reads.
    """
    owned = participant_pb2.OwnedParticipant(handle=handle_pb2.FfiOwnedHandle(id=0))
    owned.info.sid = f"PA_{avatar.identity}"
    owned.info.identity = avatar.identity
    owned.info.name = avatar.name
    owned.info.kind = avatar.kind  # type: ignore[assignment]  # protobuf enums are ints
    owned.info.state = participant_pb2.ParticipantState.PARTICIPANT_STATE_ACTIVE
    owned.info.attributes.update(avatar.attributes)
    participant = rtc.RemoteParticipant(owned)
    room.remote_participants[participant.identity] = participant
    room.emit("participant_connected", participant)
    room.emit("participant_active", participant)

    owned_track = track_pb2.OwnedTrackPublication(handle=handle_pb2.FfiOwnedHandle(id=0))
    owned_track.info.sid = "TR_avatar_video"
    owned_track.info.name = "avatar_video"
    owned_track.info.kind = track_pb2.TrackKind.KIND_VIDEO
    owned_track.info.source = track_pb2.TrackSource.SOURCE_CAMERA
    owned_track.info.width = avatar.video_width
    owned_track.info.height = avatar.video_height
    owned_track.info.mime_type = "video/vp8"
    publication = rtc.RemoteTrackPublication(owned_track)
    participant._track_publications[publication.sid] = publication
    room.emit("track_published", publication, participant)


async def cancel_audio_sink(agent_session: FakeAgentSession) -> None:
    """The plugin's ``DataStreamAudioOutput`` has no ``aclose()``; its start task would outlive the test."""
    sink = agent_session.output.audio
    task: asyncio.Task[Any] | None = getattr(sink, "_start_atask", None)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
