"""Everything one start observed, for the checks to judge, and the premises every start shares.

The facts are the Anam double's records, the avatar's arrival and what the
implementation reported through the port: the same for every kind of
implementation, so a check never asks which kind it judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..expect import Blocked, require
from ..port.call import AdmittedAvatar
from ..port.facts import AudioFacts, ErrorFacts, Stage, WaitState
from .anam_double import SessionStart
from .evidence import RecordedRequest, describe, in_full

#: The clauses that own the premises every start shares.
SESSION_CLAUSE, SHAPE_CLAUSE, TOKEN_CLAUSE = "session.one-request", "request.shape", "avatar.token"
#: The avatar's identity when the agent names none (every release of the plugin).
DEFAULT_AVATAR_IDENTITY = "anam-avatar-agent"


@dataclass
class StartOutcome:
    """Everything one start observed, for the checks to judge."""

    error_during: Stage | None = None
    failure: ErrorFacts | None = None  # the error as every implementation reports it
    audio: AudioFacts | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    sessions: list[SessionStart] = field(default_factory=list)
    avatar: AdmittedAvatar | None = None
    join_refusal: str | None = None
    joined: bool = False
    #: What a ``wait_for_join()`` asked after ``start()`` and before the avatar came did:
    #: ``pending`` (right: nobody has joined yet), ``resolved`` (it reports a join that has not
    #: happened), ``rejected``; None when it was not asked (start failed) or not reported.
    wait_before_arrival: WaitState | None = None
    avatar_identity: str | None = None  # what the plugin reports as its avatar's identity
    #: The identity the avatar must have: the one the agent asked for, or the default.
    expected_identity: str = DEFAULT_AVATAR_IDENTITY
    #: The status Anam answered to each request, in order (0: no answer).
    answers: list[int] = field(default_factory=list)
    #: Requests Anam refused for their Authorization (not ``Bearer <the API key>``).
    unauthorized: list[RecordedRequest] = field(default_factory=list)
    #: A premise of every check that the call itself broke (the public types refused it).
    premise: Blocked | None = None
    elapsed: float | None = None  # seconds from construction to the end of the drive
    overran: bool = False  # the drive was cut off at the caller's deadline (a start that never ends)

    @property
    def session_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.carries_persona]

    @property
    def session_request(self) -> RecordedRequest:
        """The one request that carries ``personaConfig``: a premise owned by ``session.one-request``.

        The same request sent again after Anam refused it (or did not answer) is still that one
        request: whether it should have been resent is ``rejection.not-retried``'s or ``retry.*``'s
        to judge. Only a second, different session request (or the same one again after a
        success) is ``session.one-request``'s.
        """
        found = self.session_requests
        if self.resent_after_refusals():
            return found[0]
        require(
            len(found) == 1,
            by=SESSION_CLAUSE,
            expected="exactly one session request",
            actual=f"{len(found)}: {describe(self.requests)}; error {self.failure}",
            evidence=in_full(self.requests),
        )
        return found[0]

    def resent_after_refusals(self) -> bool:
        """More than one session request, each the first one again (its LiveKit token aside: a retry
        may mint a fresh one), and every one but the last refused or unanswered."""
        indexed = [(i, r) for i, r in enumerate(self.requests) if r.carries_persona]
        if len(indexed) < 2:
            return False
        first = indexed[0][1]
        same = all(r.path == first.path and _tokenless(r.body) == _tokenless(first.body) for _, r in indexed)
        statuses = [self.answers[i] if i < len(self.answers) else 0 for i, _ in indexed[:-1]]
        return same and not any(200 <= status < 300 for status in statuses)

    def require_authorized(self) -> None:
        """Anam accepted the request's credentials: a premise owned by ``request.shape``."""
        require(
            not self.unauthorized,
            by=SHAPE_CLAUSE,
            expected="Authorization: Bearer <the API key>, accepted by Anam",
            actual=f"Anam answered 401 to {describe(self.unauthorized[:1])}",
            evidence=in_full(self.unauthorized[:1]),
        )

    def require_admitted(self) -> None:
        """The room admitted the avatar with the token the plugin minted: owned by ``avatar.token``."""
        require(
            self.join_refusal is None,
            by=TOKEN_CLAUSE,
            expected="the avatar admitted by the LiveKit token the plugin sent",
            actual=f"turned away: {self.join_refusal}",
        )

    def require_started(self) -> None:
        """A plain start reached a session: what ``session.one-request`` asks of every start."""
        self.require_authorized()
        started = self.failure is None or self.error_during == "wait_for_join"
        require(
            started and len(self.sessions) == 1,
            by=SESSION_CLAUSE,
            expected="start() to open one Anam session",
            actual=f"{len(self.sessions)} session(s), error {self.failure} during {self.error_during}",
        )


def _tokenless(body: object) -> object:
    """A session request's body without the LiveKit token the plugin minted for it."""
    if not isinstance(body, dict) or not isinstance(body.get("environment"), dict):
        return body
    return {**body, "environment": {**body["environment"], "livekitToken": None}}
