"""How a Python plugin's objects read as the port's language-neutral facts.

By livekit-agents' own error classes, and the audio output as
``DataStreamAudioOutput`` keeps it: the same facts a driver reports for its language.
"""

from __future__ import annotations

from typing import Any

from ..port.facts import AudioFacts, ErrorFacts


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
