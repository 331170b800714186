"""Everything one start observed, for the checks to judge.

The facts are the Anam double's records, the avatar's arrival and what the
implementation reported through the port: the same for every kind of
implementation, so a check never asks which kind it judged. The premises
read from them, each with the clause that owns it, are in
:mod:`anam_conformance.premises`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..assertions import Blocked
from ..clauses import ClauseId
from ..port.call import AdmittedAvatar
from ..port.facts import AudioFacts, ErrorFacts, Stage, UnmetPremise, WaitState
from .anam_double import SessionStart
from .evidence import RecordedRequest

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
    premise: UnmetPremise | None = None
    elapsed: float | None = None  # seconds from construction to the end of the drive
    overran: bool = False  # the drive was cut off at the caller's deadline (a start that never ends)

    def require_premise(self) -> None:
        """Block the check by the premise the call broke, if it broke one: no check of this start
        can judge it. The one place the implementation's fact becomes the judge's outcome."""
        if self.premise is not None:
            raise Blocked(ClauseId(self.premise.clause), self.premise.expected_actual)

    @property
    def session_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.carries_persona]
