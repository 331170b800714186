"""What a start ended with, as language-neutral facts every implementation can report.

The checks judge these facts, never a Python object, so the same clause means
the same thing for the in-process Python plugin and for an implementation in
another language driven out of process: a ``ValueError`` and a JavaScript
``Error`` thrown before any request are both an ``argument`` error, and
livekit-agents' ``APIStatusError`` and its JavaScript twin are both
``api-status`` with a status and a body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ErrorKind = Literal["argument", "api-status", "api-connection", "api-timeout", "api", "other"]
ERROR_KINDS: tuple[ErrorKind, ...] = (
    "argument",
    "api-status",
    "api-connection",
    "api-timeout",
    "api",
    "other",
)
#: The kinds that are the framework's API errors (``APIError`` and its subclasses).
API_KINDS: frozenset[ErrorKind] = frozenset({"api-status", "api-connection", "api-timeout", "api"})
#: The kinds that are the framework's connection error (``APIConnectionError``, ``APITimeoutError`` included).
CONNECTION_KINDS: frozenset[ErrorKind] = frozenset({"api-connection", "api-timeout"})


@dataclass(frozen=True)
class ErrorFacts:
    """The error a call raised: its kind, the language's type name and message, and an API status."""

    kind: ErrorKind
    type_name: str
    message: str
    status: int | None = None
    body: str | None = None

    def __str__(self) -> str:
        if self.kind == "api-status":
            return f"{self.type_name} status {self.status} body {self.body!r}"
        return f"{self.type_name}({self.message!r})"


@dataclass(frozen=True)
class AudioFacts:
    """Where the agent's audio output goes after start, and whether it waits for the avatar's video."""

    type_name: str
    destination: str | None
    waits_for_video: bool


#: What a ``wait_for_join()`` did when asked: resolved, still pending, rejected, or not there at all.
WaitState = Literal["resolved", "pending", "rejected", "absent"]
#: Where a start failed: building the persona or the options, constructing, ``start()``, the join.
Stage = Literal["persona", "options", "construct", "start", "wait_for_join"]


@dataclass(frozen=True)
class FaultedRequest:
    """A request the plugin made at a client faulted by the call's ``client_fault``: no server saw
    it, so the implementation reports it, as its HTTP client was asked to send it (``json``: the
    JSON body as given; ``text``: any other body)."""

    method: str
    path: str
    headers: Mapping[str, str]
    text: str = ""
    json: object = None


@dataclass(frozen=True)
class UnmetPremise:
    """The public types refused the documented call, so a premise every check of the start shares
    does not hold: ``clause`` is the id of the clause that owns it, ``expected_actual`` what was
    expected and what happened instead.

    Only a fact: whether and how it ends a check is the judge's to decide, so an implementation
    reports the same thing whatever the check it was started for.
    """

    clause: str
    expected_actual: str


@dataclass(frozen=True)
class Stall:
    """A call into the plugin that never came back on its own: it blocked the event loop, did not
    return in time, or tried to end the process (``finding``), and was stopped."""

    call: str  # the call as the plugin's user writes it: ``start()``, ``AvatarSession(...)``
    finding: str  # ``blocked the event loop for 10 s``

    def __str__(self) -> str:
        return f"{self.call} {self.finding}"


class Stalled(Exception):
    """Raised through the port instead of an answer: a stalled call has none to give.

    An ``Exception`` (not a ``BaseException``), so the teardown that suppresses a plugin's errors
    while it closes suppresses a stall there too, and only the start and the join report one.
    """

    def __init__(self, stall: Stall) -> None:
        super().__init__(str(stall))
        self.stall = stall


class Undrivable(Exception):
    """The implementation could not be driven at all (its driver crashed, stalled, or spoke outside
    the protocol), so nothing it did can be judged: the judge counts it as the suite's own error,
    never a clause's failure. Raised by an adapter; the judge alone decides what it means."""


@dataclass(frozen=True)
class StartAnswer:
    """What an implementation reports once ``start()`` has returned or raised."""

    stage: Stage | None = None  # where it failed; None when start() returned
    failure: ErrorFacts | None = None
    audio: AudioFacts | None = None  # the agent session's audio output after start()
    avatar_identity: str | None = None  # what the avatar session says its avatar's identity is
    #: A premise of every check the call itself broke: the public types refused the documented call.
    premise: UnmetPremise | None = None
    #: The requests made under the call's ``client_fault``, in the order the client kept them.
    faulted_requests: tuple[FaultedRequest, ...] = ()


@dataclass(frozen=True)
class JoinAnswer:
    """What the implementation's own ``wait_for_join()`` did once its room saw the avatar's arrival."""

    joined: bool
    failure: ErrorFacts | None = None
    #: What ``wait_for_join()`` asked before the room saw the avatar did: only ``pending`` is right
    #: (nobody has joined yet); None when it was not reported.
    wait_before: WaitState | None = None


class ReadBack:
    """A value read back from an object the implementation's own types built (``python-types``).

    It equals what it holds, as plain data (a value that is not plain data equals
    nothing), and reads as its language shows it (``repr``): a check compares and
    quotes it as it would the value itself, wherever the object was built.
    """

    __slots__ = ("plain", "shown", "value")

    def __init__(self, shown: str, value: object = None, *, plain: bool = True) -> None:
        self.shown, self.value, self.plain = shown, value, plain

    def __eq__(self, other: object) -> bool:
        return self.plain and bool(self.value == other)

    def __hash__(self) -> int:
        return hash(self.shown)

    def __repr__(self) -> str:
        return self.shown


@dataclass(frozen=True)
class Built:
    """One of the implementation's types called with some keyword arguments: the attributes named
    by them it has, read back, or the error it raised instead."""

    fields: Mapping[str, ReadBack] = field(default_factory=dict)
    error: ErrorFacts | None = None


@dataclass(frozen=True)
class TypeProbe:
    """What the public types keep of given arguments (``Implementation.probe_types``)."""

    persona_config: Built  # PersonaConfig(**persona_config)
    session_options_default: Built | None  # SessionOptions(); None: there is no SessionOptions
    session_options_given: Built | None  # SessionOptions(**session_options)
