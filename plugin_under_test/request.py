"""The body of Anam's session request, built from the plugin's public types.

One pure function, so that what goes on the wire can be read in one place and
the broken variants in the project's tests can each change one line of it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .types import PersonaConfig, SessionOptions

LLM_ID = "CUSTOMER_CLIENT_V1"


def _check_dimension(name: str, value: object) -> None:
    # Anam can never accept these; anything else is Anam's to judge.
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer number of pixels, got {value!r}")


def persona_payload(persona: PersonaConfig) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "ephemeral",
        "name": persona.name,
        "avatarId": persona.avatarId,
        "llmId": LLM_ID,
    }
    if persona.avatarModel:
        payload["avatarModel"] = persona.avatarModel
    if persona.directorNotes is not None:
        notes = {
            key: value
            for key, value in dataclasses.asdict(persona.directorNotes).items()
            if value is not None
        }
        if notes:
            payload["directorNotes"] = notes
    return payload


def session_options_payload(options: SessionOptions | None) -> dict[str, Any]:
    """``sessionOptions`` as Anam spells it; empty when nothing was asked for."""
    if options is None:
        return {}
    payload: dict[str, Any] = {}
    width, height = options.video_width, options.video_height
    if width is not None or height is not None:
        if width is None or height is None:
            raise ValueError("video_width and video_height must be set together (both or neither)")
        _check_dimension("video_width", width)
        _check_dimension("video_height", height)
        payload["videoWidth"] = width
        payload["videoHeight"] = height
    if options.show_ai_avatar_disclosure is not None:
        payload["showAIAvatarDisclosure"] = options.show_ai_avatar_disclosure
    return payload


def session_request_body(
    persona: PersonaConfig,
    *,
    livekit_url: str,
    livekit_token: str,
    options: SessionOptions | None,
) -> dict[str, Any]:
    """Without options this is exactly the body sent before ``SessionOptions`` existed."""
    body: dict[str, Any] = {
        "personaConfig": persona_payload(persona),
        "environment": {"livekitUrl": livekit_url, "livekitToken": livekit_token},
    }
    session_options = session_options_payload(options)
    if session_options:
        body["sessionOptions"] = session_options
    return body
