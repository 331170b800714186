"""What the contract says the session request body is, independent of any plugin."""

from __future__ import annotations

import copy
from typing import Any

from ..port.call import Persona
from .start import LIVEKIT_URL

LLM_ID = "CUSTOMER_CLIENT_V1"
DIMENSION_KEYS = ("videoWidth", "videoHeight")


def pre_feature_body(persona: Persona, livekit_token: str) -> dict[str, Any]:
    """The body every release sent before ``SessionOptions`` (``livekit-plugins-anam`` 1.5.18)."""
    persona_config: dict[str, Any] = {
        "type": "ephemeral",
        "name": persona.name,
        "avatarId": persona.avatar_id,
        "llmId": LLM_ID,
    }
    if persona.avatar_model:
        persona_config["avatarModel"] = persona.avatar_model
    if persona.director_notes:
        notes = {k: v for k, v in persona.director_notes.items() if v is not None}
        if notes:
            persona_config["directorNotes"] = notes
    return {
        "personaConfig": persona_config,
        "environment": {"livekitUrl": LIVEKIT_URL, "livekitToken": livekit_token},
    }


def without_dimensions(body: Any) -> Any:
    """The body with ``sessionOptions.videoWidth/videoHeight`` taken out (and an emptied
    ``sessionOptions`` with them), for comparing the rest with a call that had none."""
    if not isinstance(body, dict):
        return body
    stripped = copy.deepcopy(body)
    options = stripped.get("sessionOptions")
    if isinstance(options, dict):
        for key in DIMENSION_KEYS:
            options.pop(key, None)
        if not options:
            del stripped["sessionOptions"]
    return stripped


def with_token(body: Any, token: str) -> Any:
    """The body with its LiveKit JWT replaced, so two starts' bodies compare (each mints its own)."""
    if not isinstance(body, dict) or not isinstance(body.get("environment"), dict):
        return body
    swapped = copy.deepcopy(body)
    swapped["environment"]["livekitToken"] = token
    return swapped
