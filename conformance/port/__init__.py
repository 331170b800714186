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
    CLIENT_FAULTS,
    CONSTRUCTOR_KEYWORDS,
    NOT_GIVEN_OPTIONS,
    ROOM_NAME,
    START_KEYWORDS,
    AdmittedAvatar,
    ClientFault,
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
    Built,
    ErrorFacts,
    ErrorKind,
    FaultedRequest,
    JoinAnswer,
    ReadBack,
    Stage,
    Stall,
    Stalled,
    StartAnswer,
    TypeProbe,
    Undrivable,
    UnmetPremise,
    WaitState,
)
from .implementation import Implementation, StartedAvatar

__all__ = [
    "AGENT_IDENTITY",
    "API_KINDS",
    "CLIENT_FAULTS",
    "CONNECTION_KINDS",
    "CONSTRUCTOR_KEYWORDS",
    "ERROR_KINDS",
    "NOT_GIVEN_OPTIONS",
    "ROOM_NAME",
    "START_KEYWORDS",
    "AdmittedAvatar",
    "AudioFacts",
    "Built",
    "Capabilities",
    "ClientFault",
    "ConnOptions",
    "Description",
    "ErrorFacts",
    "ErrorKind",
    "FaultedRequest",
    "Implementation",
    "JoinAnswer",
    "LiveKit",
    "NotGiven",
    "Persona",
    "PythonTypes",
    "ReadBack",
    "RoomSpec",
    "SessionOptionsArg",
    "Stage",
    "Stall",
    "Stalled",
    "StartAnswer",
    "StartCall",
    "StartedAvatar",
    "Surface",
    "TypeProbe",
    "Undrivable",
    "UnmetPremise",
    "WaitState",
    "canonical",
]
