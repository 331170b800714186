"""What else the request carries survives the dimensions: persona fields and the disclosure flag."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..assertions import expect
from ..clauses import ClauseId, Offer
from ..differences import ABSENT, differences, one_line
from ..harness.start import start_avatar
from ..port.call import NOT_GIVEN_OPTIONS, Persona
from ..port.implementation import Implementation
from ..premises import session_request

pytestmark = pytest.mark.asyncio

NOTES = {"expressivity": 0.8, "presetStyle": "warm"}
PAIR = {"video_width": 1152, "video_height": 768}


async def _persona_sent(target: Implementation, persona: Persona, options: Any) -> Any:
    outcome = await start_avatar(target, persona=persona, session_options=options)
    body = session_request(outcome).body
    return body.get("personaConfig") if isinstance(body, dict) else None


@pytest.mark.clause(ClauseId.FIELDS_PERSONA_KEPT)
async def test_avatar_model_is_kept_without_dimensions(implementation: Implementation) -> None:
    sent = await _persona_sent(implementation, Persona(avatar_model="cara-4-latest"), NOT_GIVEN_OPTIONS)
    expect(
        isinstance(sent, dict) and sent.get("avatarModel") == "cara-4-latest",
        expected='personaConfig.avatarModel "cara-4-latest"',
        actual=json.dumps(sent),
    )


@pytest.mark.clause(ClauseId.FIELDS_PERSONA_KEPT)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
async def test_avatar_model_is_kept_with_dimensions(implementation: Implementation) -> None:
    sent = await _persona_sent(implementation, Persona(avatar_model="cara-4-latest"), PAIR)
    expect(
        isinstance(sent, dict) and sent.get("avatarModel") == "cara-4-latest",
        expected='personaConfig.avatarModel "cara-4-latest"',
        actual=json.dumps(sent),
    )


@pytest.mark.clause(ClauseId.FIELDS_PERSONA_KEPT)
@pytest.mark.offers(Offer.DIRECTOR_NOTES)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(NOT_GIVEN_OPTIONS, id="without-dimensions"),
        pytest.param(PAIR, id="with-dimensions", marks=pytest.mark.offers(Offer.SESSION_OPTIONS)),
    ],
)
async def test_director_notes_are_kept(implementation: Implementation, options: Any) -> None:
    sent = await _persona_sent(
        implementation, Persona(avatar_model="cara-4-latest", director_notes=NOTES), options
    )
    expect(
        isinstance(sent, dict) and sent.get("directorNotes") == NOTES,
        expected=f"personaConfig.directorNotes {json.dumps(NOTES)}",
        actual=json.dumps(sent),
    )


@pytest.mark.clause(ClauseId.FIELDS_DISCLOSURE_KEPT)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
@pytest.mark.parametrize("disclosure", [True, False])
@pytest.mark.parametrize("dimensions", [{}, PAIR], ids=["without-dimensions", "with-dimensions"])
async def test_disclosure_is_kept(
    implementation: Implementation, disclosure: bool, dimensions: dict[str, int]
) -> None:
    options = {**dimensions, "show_ai_avatar_disclosure": disclosure}
    outcome = await start_avatar(
        implementation, persona=Persona(avatar_model="cara-4-latest"), session_options=options
    )
    body = session_request(outcome).body
    sent_options = body.get("sessionOptions") if isinstance(body, dict) else None
    sent = sent_options.get("showAIAvatarDisclosure", ABSENT) if isinstance(sent_options, dict) else ABSENT
    found = differences(disclosure, sent, "sessionOptions.showAIAvatarDisclosure")
    expect(
        not found,
        expected=f"sessionOptions.showAIAvatarDisclosure {json.dumps(disclosure)}",
        actual=one_line(found),
    )
