"""The one call the harness makes of an implementation: an agent's start, in the suite's terms.

The terms are Python's (``video_width``, ``avatar_participant_identity``)
because the contract was written for the Python plugin; an adapter maps them to
its language. Everything the call carries is plain data, so the same call can be
made in-process or written down as the driver protocol's ``start``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

#: The suite's room and the agent in it, unless a check names another room.
ROOM_NAME = "conformance-room"
AGENT_IDENTITY = "conformance-agent"
#: The token attribute that lets the avatar publish on the agent's behalf (livekit-agents'
#: ``room_io.ATTRIBUTE_PUBLISH_ON_BEHALF``; the judge does not import livekit-agents).
ATTRIBUTE_PUBLISH_ON_BEHALF = "lk.publish_on_behalf"
#: The keywords the released ``AvatarSession(...)`` and its ``start(...)`` take: what the call passes.
CONSTRUCTOR_KEYWORDS: tuple[str, ...] = (
    "persona_config",
    "api_url",
    "api_key",
    "avatar_participant_identity",
    "avatar_participant_name",
    "conn_options",
)
START_KEYWORDS: tuple[str, ...] = ("livekit_url", "livekit_api_key", "livekit_api_secret")
#: A transport fault raised at the implementation's own HTTP client (``client-faults``): nothing
#: listens, the connection closes unanswered, the total timeout, the read timeout.
ClientFault = Literal["refused", "reset", "timeout", "read-timeout"]
CLIENT_FAULTS: tuple[ClientFault, ...] = ("refused", "reset", "timeout", "read-timeout")


class NotGiven(enum.Enum):
    """No ``session_options`` argument at all, as distinct from ``SessionOptions()`` with nothing set."""

    OPTIONS = "no session_options argument"


NOT_GIVEN_OPTIONS: Final = NotGiven.OPTIONS
#: ``SessionOptions(**kwargs)`` as the caller passed them (wrong types included), or no argument.
SessionOptionsArg = Mapping[str, object] | NotGiven


@dataclass(frozen=True)
class Persona:
    """The persona an agent asks for; ``director_notes`` as ``DirectorNotes`` kwargs."""

    name: str = "Conformance Persona"
    avatar_id: str = "00000000-0000-4000-8000-00000000a1a1"
    avatar_model: str | None = None
    director_notes: Mapping[str, object] | None = None


@dataclass(frozen=True)
class ConnOptions:
    """The agent's retry budget and timeout (livekit-agents' ``APIConnectOptions``)."""

    max_retry: int = 2
    retry_interval: float = 0.0
    timeout: float = 5.0


@dataclass(frozen=True)
class LiveKit:
    """The agent's LiveKit server, and the key and secret the plugin mints the avatar's token with."""

    url: str
    api_key: str
    api_secret: str


@dataclass(frozen=True)
class RoomSpec:
    """The room the agent is in: each implementation builds it in its own runtime."""

    name: str = ROOM_NAME
    local_identity: str = AGENT_IDENTITY


@dataclass(frozen=True)
class StartCall:
    """Construct ``AvatarSession`` and ``start()`` it, exactly as an agent would."""

    persona: Persona
    api_url: str
    api_key: str
    livekit: LiveKit
    room: RoomSpec = RoomSpec()
    session_options: SessionOptionsArg = NOT_GIVEN_OPTIONS
    avatar_identity: str | None = None
    conn_options: ConnOptions = ConnOptions()
    #: Every request the plugin makes fails with this fault at its HTTP client, for an
    #: implementation that offers ``client-faults``; it reports the requests it made.
    client_fault: ClientFault | None = None


@dataclass(frozen=True)
class AdmittedAvatar:
    """The avatar as the suite's room saw it join: who it is and what it published.

    The harness admits it (its LiveKit token verified); each implementation then
    sees the same arrival as its own room's events.
    """

    identity: str
    kind: int  # livekit's ParticipantKind (4: agent)
    attributes: Mapping[str, str] = field(default_factory=dict)
    video_width: int = 0
    video_height: int = 0
    name: str = ""
