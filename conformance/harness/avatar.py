"""The avatar's side of a started session: it is admitted only if the LiveKit token admits it.

The token the plugin minted is checked as a LiveKit server would (livekit-api's
``TokenVerifier``: signature, room grant, identity). The admitted avatar is
plain facts (:class:`~anam_conformance.port.AdmittedAvatar`), which every
implementation then sees arrive as its own room's events.
"""

from __future__ import annotations

import asyncio

from livekit import api
from livekit.protocol import models

from ..port.call import AdmittedAvatar
from .anam_double import SessionStart
from .outcome import StartOutcome

# LiveKit's participant kinds, from its protocol (the judge needs livekit-api, not the rtc runtime).
_STANDARD = models.ParticipantInfo.Kind.STANDARD
_PARTICIPANT_KINDS = {"agent": models.ParticipantInfo.Kind.AGENT, "standard": _STANDARD}


class JoinRefused(Exception):
    """The room turned the avatar away: its LiveKit token does not admit it."""


def verify_avatar_token(token: str, *, api_key: str, api_secret: str, room: str) -> api.access_token.Claims:
    """Check the JWT the way a LiveKit server would before letting the avatar in."""
    try:
        claims = api.TokenVerifier(api_key, api_secret).verify(token)
    except Exception as exc:  # any failure to verify is a refusal
        raise JoinRefused(f"the LiveKit token does not verify: {exc}") from exc
    grant = claims.video
    if grant is None or not grant.room_join:
        raise JoinRefused("the LiveKit token has no room_join grant")
    if grant.room != room:
        raise JoinRefused(f"the LiveKit token is for room {grant.room!r}, not {room!r}")
    if not claims.identity:
        raise JoinRefused("the LiveKit token names no identity")
    return claims


def admitted(claims: api.access_token.Claims, *, width: int, height: int) -> AdmittedAvatar:
    """The avatar the token admits, publishing video at the size its session resolved."""
    return AdmittedAvatar(
        identity=claims.identity,
        kind=int(_PARTICIPANT_KINDS.get(claims.kind, _STANDARD)),
        attributes=dict(claims.attributes or {}),
        video_width=width,
        video_height=height,
        name=claims.name or "",
    )


class AvatarArrival:
    """The avatar of a session Anam's side started: admitted or turned away by its token.

    Once it has been admitted or turned away, ``settled`` is set: the room will
    see nothing more, and the implementation can be shown what it saw.
    """

    def __init__(self, room: str, outcome: StartOutcome, *, api_key: str, api_secret: str) -> None:
        self.room = room
        self.outcome = outcome
        self.api_key = api_key
        self.api_secret = api_secret
        self.settled = asyncio.Event()

    def session_started(self, start: SessionStart) -> None:
        """Called by Anam's side; the avatar arrives after the answer, as it would for real."""
        asyncio.get_running_loop().call_soon(self.arrive, start)

    def arrive(self, start: SessionStart) -> None:
        try:
            claims = verify_avatar_token(
                start.livekit_token, api_key=self.api_key, api_secret=self.api_secret, room=self.room
            )
            self.outcome.avatar = admitted(claims, width=start.width, height=start.height)
        except JoinRefused as refusal:
            self.turn_away(str(refusal))
        finally:
            self.settled.set()

    def turn_away(self, reason: str) -> None:
        self.outcome.join_refusal = reason
        self.settled.set()
