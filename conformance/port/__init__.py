"""The one port every implementation sits behind, whatever its language or process.

The harness calls an :class:`~.implementation.Implementation` (describe, start,
the avatar's arrival, close) and reads back language-neutral facts
(:mod:`.facts`). What an implementation can or cannot offer beyond that call is a
declared :class:`~.description.Capabilities`, read at collection, so nothing
above this package ever asks what kind of implementation it holds.
"""

from __future__ import annotations

from .call import (
    AGENT_IDENTITY,
    CONSTRUCTOR_KEYWORDS,
    NOT_GIVEN_OPTIONS,
    ROOM_NAME,
    START_KEYWORDS,
    AdmittedAvatar,
    ConnOptions,
    LiveKit,
    NotGiven,
    Persona,
    RoomSpec,
    SessionOptionsArg,
    StartCall,
)
from .description import Capabilities, Description, PythonTypes, Surface, canonical
from .facts import (
    API_KINDS,
    CONNECTION_KINDS,
    ERROR_KINDS,
    AudioFacts,
    ErrorFacts,
    ErrorKind,
    JoinAnswer,
    Stage,
    StartAnswer,
    WaitState,
)
from .implementation import Implementation, StartedAvatar

__all__ = [
    "AGENT_IDENTITY",
    "API_KINDS",
    "CONNECTION_KINDS",
    "CONSTRUCTOR_KEYWORDS",
    "ERROR_KINDS",
    "NOT_GIVEN_OPTIONS",
    "ROOM_NAME",
    "START_KEYWORDS",
    "AdmittedAvatar",
    "AudioFacts",
    "Capabilities",
    "ConnOptions",
    "Description",
    "ErrorFacts",
    "ErrorKind",
    "Implementation",
    "JoinAnswer",
    "LiveKit",
    "NotGiven",
    "Persona",
    "PythonTypes",
    "RoomSpec",
    "SessionOptionsArg",
    "Stage",
    "StartAnswer",
    "StartCall",
    "StartedAvatar",
    "Surface",
    "WaitState",
    "canonical",
]
