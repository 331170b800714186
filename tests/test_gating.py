"""One gate decides whether a check runs, and how a check that does not run counts.

Pure: the check's ``offers`` marks, its clauses and the implementation's description
in, ``None`` or a skip (its outcome and the reason every output shows) out.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from anam_conformance.clauses import CLAUSES, LANGUAGE_MAPPINGS, ClauseId, Offer
from anam_conformance.gating import Skip, UnknownOffer, gate, needed
from anam_conformance.port.description import Capabilities, Description, Surface

SURFACE = Surface(
    avatar_session=True,
    framework_avatar_session=True,
    wait_for_join=True,
    session_options=True,
    session_option_fields=("video_width", "video_height", "show_ai_avatar_disclosure"),
    disclosure=True,
    director_notes=True,
    custom_identity=True,
)
PYTHON = Description(
    "livekit.plugins.anam", "1.8.9", "python", SURFACE, Capabilities(client_faults=True, python_types=True)
)
BEFORE_THE_FEATURE = replace(
    PYTHON,
    surface=replace(SURFACE, session_options=False, session_option_fields=(), disclosure=False),
)
NODE = replace(
    PYTHON, module="npm:@livekit/agents-plugin-anam@1.5.0", language="javascript", capabilities=Capabilities()
)


def test_a_check_whose_offers_are_there_runs() -> None:
    assert gate([Offer.SESSION_OPTIONS], [ClauseId.DIMS_OMITTED_IS_BASELINE], PYTHON) is None


def test_a_missing_feature_is_unimplemented() -> None:
    assert gate([Offer.SESSION_OPTIONS], [ClauseId.DIMS_OMITTED_IS_BASELINE], BEFORE_THE_FEATURE) == Skip(
        "unimplemented", "livekit.plugins.anam has no SessionOptions"
    )


def test_a_missing_capability_leaves_the_clause_to_its_twin() -> None:
    assert gate([Offer.CLIENT_FAULTS], [ClauseId.RETRY_BOUNDED], NODE) == Skip(
        "skip", "npm:@livekit/agents-plugin-anam@1.5.0 offers no client-faults: judged by its twin check"
    )


def test_a_capability_is_decided_before_a_feature() -> None:
    skipped = gate(
        [Offer.PYTHON_TYPES],
        [ClauseId.SURFACE_SESSION_OPTIONS],
        replace(NODE, surface=BEFORE_THE_FEATURE.surface),
    )
    assert skipped is not None and skipped.outcome == "skip"


@pytest.mark.parametrize("clause", [c for c in CLAUSES if c.feature], ids=lambda c: c.id.value)
def test_a_clause_about_the_feature_needs_it_without_a_mark(clause: object) -> None:
    assert clause.id in ClauseId
    skipped = gate([], [clause.id], BEFORE_THE_FEATURE)
    assert skipped == Skip("unimplemented", "livekit.plugins.anam has no SessionOptions")


def test_a_conditional_clause_needs_its_surface_without_a_mark() -> None:
    assert needed([Offer.SESSION_OPTIONS], [ClauseId.FIELDS_DISCLOSURE_KEPT]) == [
        Offer.SESSION_OPTIONS,
        Offer.DISCLOSURE,
    ]
    without = replace(PYTHON, surface=replace(SURFACE, session_option_fields=("video_width", "video_height")))
    assert gate([Offer.SESSION_OPTIONS], [ClauseId.FIELDS_DISCLOSURE_KEPT], without) == Skip(
        "unimplemented", "livekit.plugins.anam has no show_ai_avatar_disclosure"
    )


def test_a_clause_with_no_counterpart_in_the_language_is_unimplemented_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(LANGUAGE_MAPPINGS["javascript"], ClauseId.ANSWERS_MALFORMED_SUCCESS, None)
    assert gate([], [ClauseId.ANSWERS_MALFORMED_SUCCESS], NODE) == Skip(
        "unimplemented",
        "answers.malformed-success has no counterpart in javascript: no counterpart",
    )
    assert gate([], [ClauseId.ANSWERS_MALFORMED_SUCCESS], PYTHON) is None


def test_an_unknown_offer_is_refused() -> None:
    with pytest.raises(UnknownOffer):
        gate(["SessionOption"], [ClauseId.DIMS_VERBATIM], PYTHON)
