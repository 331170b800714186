"""What a start ended with, as language-neutral facts every implementation can report.

The checks judge these facts, never a Python object, so the same clause means
the same thing for the in-process Python plugin and for an implementation in
another language driven out of process: a ``ValueError`` and a JavaScript
``Error`` thrown before any request are both an ``argument`` error, and
livekit-agents' ``APIStatusError`` and its JavaScript twin are both
``api-status`` with a status and a body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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


def python_error_facts(error: BaseException | None) -> ErrorFacts | None:
    """The facts of a Python exception, by livekit-agents' own error classes."""
    if error is None:
        return None
    from livekit.agents import APIConnectionError, APIError, APIStatusError, APITimeoutError

    name, message = type(error).__name__, str(error)
    if isinstance(error, APIStatusError):
        body = error.body if isinstance(error.body, str) or error.body is None else _json(error.body)
        return ErrorFacts("api-status", name, message, error.status_code, body)
    if isinstance(error, APITimeoutError):
        return ErrorFacts("api-timeout", name, message)
    if isinstance(error, APIConnectionError):
        return ErrorFacts("api-connection", name, message)
    if isinstance(error, APIError):
        return ErrorFacts("api", name, message)
    if isinstance(error, ValueError):
        return ErrorFacts("argument", name, message)
    return ErrorFacts("other", name, message)


def python_audio_facts(sink: Any) -> AudioFacts | None:
    """The agent session's audio output, as livekit-agents' ``DataStreamAudioOutput`` keeps it."""
    if sink is None:
        return None
    from livekit import rtc
    from livekit.agents.voice.avatar import DataStreamAudioOutput

    if not isinstance(sink, DataStreamAudioOutput):
        return AudioFacts(type(sink).__name__, None, False)
    return AudioFacts(
        type(sink).__name__,
        getattr(sink, "_destination_identity", None),
        getattr(sink, "_wait_remote_track", None) == rtc.TrackKind.KIND_VIDEO,
    )


def _json(value: object) -> str:
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
