"""The plugin's public configuration types, field for field as in ``livekit.plugins.anam``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DirectorNotes:
    """Per-session expressive style, sent as ``personaConfig.directorNotes``; unset fields are left out."""

    expressivity: float | None = None
    presetStyle: str | None = None
    customStylePrompt: str | None = None


@dataclass
class PersonaConfig:
    """The ephemeral persona Anam builds the avatar from."""

    name: str
    avatarId: str
    avatarModel: str | None = None
    directorNotes: DirectorNotes | None = None


@dataclass
class SessionOptions:
    """Per-session output options, sent as ``sessionOptions``.

    ``video_width`` and ``video_height`` go together or not at all; which pairs
    an avatar model supports is Anam's to decide (an unsupported pair is its
    HTTP 400, never a silent downgrade), so only what Anam could never accept is
    refused here.
    """

    video_width: int | None = None
    video_height: int | None = None
    show_ai_avatar_disclosure: bool | None = None
