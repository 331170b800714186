"""Premises about the session request that checks share, each owned by the clause that requires it.

A check calls these before judging its own clause: when one does not hold,
the check is blocked by its owner (and the premise counts as evidence against
that owner), so one fault in the body is blamed on one clause, not on every
check that happened to read the body.
"""

from __future__ import annotations

import json
from typing import Any

from .differences import (
    PERSONA,
    VERBATIM,
    differences,
    first_owner,
    names_a_dimension,
    one_line,
    with_bodies,
)
from .expect import Blocked, require, violation
from .harness.anam_rules import Acceptance, judge_session_request
from .harness.driver import Persona, start_avatar
from .harness.evidence import RecordedRequest
from .harness.wire import pre_feature_body
from .target import PluginTarget


def sent_dimensions(body: Any) -> dict[str, Any] | None:
    """``sessionOptions``' width and height as sent (None when there is no ``sessionOptions`` object)."""
    options = body.get("sessionOptions") if isinstance(body, dict) else None
    if not isinstance(options, dict):
        return None
    return {k: options.get(k) for k in ("videoWidth", "videoHeight")}


def pair_sent_verbatim(body: Any, width: Any, height: Any) -> bool:
    sent = sent_dimensions(body)
    asked = {"videoWidth": width, "videoHeight": height}
    return sent is not None and not differences(asked, sent)


def require_pair_sent(request: RecordedRequest, width: Any, height: Any) -> None:
    """The asked pair went out as ``sessionOptions.videoWidth/videoHeight``, verbatim: ``dims.verbatim``."""
    require(
        pair_sent_verbatim(request.body, width, height),
        by=VERBATIM,
        expected=f"sessionOptions.videoWidth={json.dumps(width)}, videoHeight={json.dumps(height)}",
        actual=f"sessionOptions {json.dumps(_options(request.body))}",
    )


def require_persona_kept(request: RecordedRequest, persona: Persona) -> None:
    """``personaConfig`` is the one the agent asked for: ``fields.persona-kept``."""
    expected = pre_feature_body(persona, "")["personaConfig"]
    sent = request.body.get("personaConfig") if isinstance(request.body, dict) else None
    # A dimension put into personaConfig is dims.verbatim's fault, not this premise's.
    found = [d for d in differences(expected, sent) if not names_a_dimension(d.path)]
    require(not found, by=PERSONA, expected="personaConfig as asked", actual=one_line(found))


def _options(body: Any) -> Any:
    return body.get("sessionOptions") if isinstance(body, dict) else None


def expect_same_request(sent: Any, expected: Any, *, dimensions_asked: bool, clause: str, what: str) -> None:
    """``sent`` equals ``expected``; a difference another clause owns blocks ``clause`` instead of failing it.

    The failure's first line is the smallest difference, the bodies follow.
    """
    found = differences(expected, sent)
    if not found:
        return
    summary = one_line(found)
    by = first_owner(found, dimensions_asked=dimensions_asked, besides=clause)
    if by is not None:
        raise Blocked(by, summary)
    violation(what, with_bodies(summary, expected, sent))


async def require_supported_pair_forwarded(target: PluginTarget, persona: Persona) -> None:
    """The model's own default pair, asked explicitly, goes out verbatim (``dims.verbatim``).

    What a plugin does with a pair Anam refuses is only a downgrade if it
    forwards the pairs Anam accepts as asked; otherwise the fault is the
    forwarding itself.
    """
    accepted = judge_session_request({"personaConfig": {"avatarModel": persona.avatar_model}})
    assert isinstance(accepted, Acceptance)
    width, height = accepted.width, accepted.height
    outcome = await start_avatar(
        target, persona=persona, session_options={"video_width": width, "video_height": height}
    )
    require_pair_sent(outcome.session_request, width, height)
