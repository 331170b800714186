"""The session request of each canonical case, pinned whole as a JSON file in ``snapshots/``.

A file holds the call, the request (method, path, the contract's headers, the
body with the LiveKit JWT replaced by a placeholder) and the JWT's decoded
claims with times normalized. Only the headers the contract names are kept
(Authorization, its credential replaced by a placeholder, and Content-Type's
media type): User-Agent, Host, Content-Length and the like belong to the HTTP
client and its version, not to the plugin.

Wire flows. Releases 1.6.0 to 1.8.0 open a session with two requests (the body
to ``/v1/auth/session-token``, then an empty body to ``/v1/engine/session``
with the session token), later ones with one (the body to
``/v1/engine/session`` with the API key). The two are the same request to
Anam, so each case is pinned in the one-request form and a two-request flow
is folded into it: one file per case judges every release. The two flow
cases pin each flow as it goes on the wire, and a plugin speaking the other
flow is compared through the same fold (unfolded for the two-request file),
so the reference writes both and a two-request release is held to its own.

What is judged. A file records more than the contract fixes; a difference in
what it leaves to the implementation (the token's display name and lifetime,
attributes besides ``lk.publish_on_behalf``) is a note in the detail, never a
failure, and grants are compared as a LiveKit server reads them (an absent
``canPublish`` is ``true``). docs/snapshot-fields.md argues each field's class.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from syrupy.assertion import SnapshotAssertion

from ..assertions import Blocked, EvidenceError, note, violation
from ..clauses import ClauseId, Offer
from ..differences import Difference, blocking_owner, by_meaning, differences, left_open, one_line
from ..harness.anam_double import ENGINE_SESSION_PATH, SESSION_TOKEN_PATH
from ..harness.evidence import RecordedRequest, redact_body
from ..harness.start import ANAM_API_KEY, start_avatar
from ..port.call import NOT_GIVEN_OPTIONS, Persona
from ..port.implementation import Implementation
from ..premises import require_refusal_final, require_sent, session_request
from ..snapshot_storage import UPDATE_OPTIONS, render, snapshot_directory

pytestmark = pytest.mark.asyncio

CLAUSE = ClauseId.REQUEST_SNAPSHOT
DISCLOSURE_CLAUSE = ClauseId.FIELDS_DISCLOSURE_KEPT
API_KEY_PLACEHOLDER = "Bearer <anam-api-key>"
SESSION_TOKEN_PLACEHOLDER = "Bearer <session-token>"
ONE_REQUEST, TWO_REQUESTS = "one-request", "two-requests"
NOTES = {"expressivity": 0.8, "presetStyle": "warm"}


@dataclass(frozen=True)
class Case:
    name: str
    persona: Persona = field(default_factory=Persona)
    options: dict[str, Any] | None = None
    offers: tuple[Offer, ...] = ()
    #: What a mismatch breaks: the disclosure flag is pinned at its own clause's level, not the snapshot's.
    clause: ClauseId = CLAUSE

    def call(self) -> dict[str, Any]:
        persona = {"avatar_model": self.persona.avatar_model, "director_notes": self.persona.director_notes}
        return {
            "persona": {k: v for k, v in persona.items() if v is not None},
            "session_options": "not given" if self.options is None else self.options,
        }


def _pair(model: str, width: int, height: int, **more: Any) -> Case:
    return Case(
        f"{model}-{width}x{height}",
        Persona(avatar_model=model),
        {"video_width": width, "video_height": height, **more},
        (Offer.SESSION_OPTIONS,),
    )


CASES: tuple[Case, ...] = (
    Case("no-options"),
    _pair("cara-3", 720, 480),
    _pair("cara-4-latest", 1152, 768),
    _pair("cara-4-latest", 768, 1152),
    _pair("cara-4-stable", 1152, 768),
    _pair("cara-4-stable", 768, 1152),
    Case(
        "unsupported-cara-4-latest-1280x720",
        Persona(avatar_model="cara-4-latest"),
        {"video_width": 1280, "video_height": 720},
        (Offer.SESSION_OPTIONS,),
    ),
    Case(
        "disclosure-without-dimensions",
        Persona(avatar_model="cara-4-latest"),
        {"show_ai_avatar_disclosure": True},
        (Offer.SESSION_OPTIONS,),
        DISCLOSURE_CLAUSE,
    ),
    Case(
        "disclosure-with-dimensions",
        Persona(avatar_model="cara-4-latest"),
        {"video_width": 1152, "video_height": 768, "show_ai_avatar_disclosure": False},
        (Offer.SESSION_OPTIONS,),
        DISCLOSURE_CLAUSE,
    ),
    Case(
        "persona-avatar-model-and-director-notes",
        Persona(avatar_model="cara-4-latest", director_notes=NOTES),
        None,
        (Offer.DIRECTOR_NOTES,),
    ),
)
#: The flow cases: one call, pinned in each flow's own form.
FLOW_CASE = Case(
    "flow",
    Persona(avatar_model="cara-4-latest"),
    {"video_width": 768, "video_height": 1152},
    (Offer.SESSION_OPTIONS,),
)
CASE_NAMES = frozenset({c.name for c in CASES} | {f"flow-{flow}" for flow in (ONE_REQUEST, TWO_REQUESTS)})


def _params(cases: tuple[Case, ...]) -> list[Any]:
    return [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.clause(c.clause), *([pytest.mark.offers(*c.offers)] if c.offers else [])],
        )
        for c in cases
    ]


# -- the request as it may be written down -------------------------------------------------


def contract_headers(request: RecordedRequest) -> dict[str, str]:
    """Authorization with its credential named, not shown, and Content-Type's media type."""
    headers: dict[str, str] = {}
    authorization = request.header("Authorization")
    if authorization is not None:
        headers["Authorization"] = (
            API_KEY_PLACEHOLDER
            if authorization == f"Bearer {ANAM_API_KEY}"
            else SESSION_TOKEN_PLACEHOLDER
            if authorization.startswith("Bearer ")
            else "<redacted>"
        )
    content_type = request.header("Content-Type")
    if content_type is not None:
        headers["Content-Type"] = content_type.split(";")[0].strip()
    return headers


def written(request: RecordedRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "headers": contract_headers(request),
        "body": redact_body(request.body),
    }


def flow_of(requests: list[dict[str, Any]]) -> str | None:
    """Which flow a written request list is in; None when it is neither (shown as it is)."""
    paths = [r["path"] for r in requests]
    if paths == [ENGINE_SESSION_PATH]:
        return ONE_REQUEST
    if paths == [SESSION_TOKEN_PATH]:
        return TWO_REQUESTS  # refused at its first step: the session request alone
    second = requests[1] if len(requests) == 2 else None
    if (
        paths == [SESSION_TOKEN_PATH, ENGINE_SESSION_PATH]
        and second is not None
        and second["body"] == {}
        and second["headers"].get("Authorization") == SESSION_TOKEN_PLACEHOLDER
    ):
        return TWO_REQUESTS
    return None


def fold(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The two-request flow as the one request it stands for: its body and key, sent to open the session."""
    if flow_of(requests) != TWO_REQUESTS:
        return requests
    return [{**requests[0], "path": ENGINE_SESSION_PATH}]


def unfold(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one-request flow as the two-request flow sends it: body for a session token, then the token."""
    if flow_of(requests) != ONE_REQUEST:
        return requests
    (request,) = requests
    engine = {
        **request,
        "body": {},
        "headers": {**request["headers"], "Authorization": SESSION_TOKEN_PLACEHOLDER},
    }
    return [{**request, "path": SESSION_TOKEN_PATH}, engine]


def in_flow(requests: list[dict[str, Any]], flow: str) -> list[dict[str, Any]]:
    return unfold(fold(requests)) if flow == TWO_REQUESTS else fold(requests)


#: The claims every release mints, recorded even when absent.
RECORDED_CLAIMS = ("sub", "name", "kind", "video", "attributes")
#: ``iss`` is the agent's LiveKit API key (the suite's credential, never the plugin's choice, and
#: no key is written down); ``nbf`` and ``exp`` are recorded below, relative to the start.
UNRECORDED_CLAIMS = frozenset({"iss", "nbf", "exp"})


def token_claims(token: str | None) -> dict[str, Any] | str:
    """The LiveKit JWT's claims for the record, times normalized (avatar.token checks the signature)."""
    if not token:
        return "no token"
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        return f"not a JWT: {type(error).__name__}"
    shown = {k: claims.get(k) for k in RECORDED_CLAIMS}
    # Any other claim is recorded too (a SIP grant, a room configuration), so the pinned request
    # sees it; the reference mints none, so its snapshots hold exactly the claims above.
    shown |= {k: v for k, v in claims.items() if k not in RECORDED_CLAIMS and k not in UNRECORDED_CLAIMS}
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if isinstance(nbf, int) and isinstance(exp, int):
        shown["nbf"] = "<start() time>" if abs(nbf - time.time()) < 3600 else nbf
        shown["exp"] = f"nbf + {exp - nbf} s"
    else:
        shown |= {"nbf": nbf, "exp": exp}
    return shown


# -- the comparison ------------------------------------------------------------------------------


def check_pinned(snapshot: SnapshotAssertion, name: str, document: dict[str, Any], node: pytest.Item) -> None:
    """Compare with ``snapshots/<name>.json``; a mismatch names the clause and shows the JSON diff.

    A missing or unreadable file, or one pinning another case or call, is the
    suite's evidence at fault, never the plugin. Only what the contract fixes is
    judged, and by meaning (a grant LiveKit defaults is the same grant spelled
    out or left out); what it leaves to the implementation (the token's display
    name and lifetime, attributes besides ``lk.publish_on_behalf``) is noted in
    the detail and never fails. A difference another clause owns (dimensions,
    persona fields, headers, the token's grant) blocks this check by that
    clause; what no narrower clause owns fails it.
    """
    path = snapshot_directory(node.config) / f"{name}.json"
    updating = any(getattr(node.config.option, dest, False) for dest in UPDATE_OPTIONS)
    pinned = None if updating else read_pinned(path, document)
    found: list[Difference] = []
    notes: list[str] = []
    if pinned is not None and pinned != document:
        every = differences(by_meaning(pinned), by_meaning(document))
        noted = [d for d in every if left_open(d.path)]
        if noted:
            notes.append(f"left open by the contract (noted, not judged): {one_line(noted, most=len(noted))}")
        meant = {d.path for d in every}
        spelled = [d for d in differences(pinned, document) if d.path not in meant]
        if spelled:
            shown = one_line(spelled, most=len(spelled))
            notes.append(f"the same grant by LiveKit's defaults (noted, not judged): {shown}")
        for text in notes:
            note(node, text)
        found = [d for d in every if not left_open(d.path)]
        if not found:
            return  # the same request as far as the contract goes: syrupy would call it a mismatch
    if snapshot(name=name) == document:
        return
    if pinned is None:
        return  # syrupy writes it on update; a mismatch then is syrupy's to report
    clause = ClauseId(document["clause"])
    summary = one_line(found)
    options = document["call"].get("session_options")
    dimensions = isinstance(options, dict) and any(k in options for k in ("video_width", "video_height"))
    refused = name.startswith("unsupported-")
    by = blocking_owner(found, dimensions_asked=dimensions, besides=clause, asked_refused=refused)
    if by is not None:
        raise Blocked(by, f"{summary} (against snapshots/{path.name})")
    diff = difflib.unified_diff(
        path.read_text(encoding="utf-8").splitlines(),
        render(document).splitlines(),
        f"snapshots/{path.name} (pinned)",
        "sent by the plugin under test",
        lineterm="",
    )
    # The diff is of the files as written: the notes say which of its lines are not judged.
    violation(
        f"the request pinned in snapshots/{path.name} (clause {clause})",
        "\n".join([summary, *notes, *diff]),
    )


def read_pinned(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    """The pinned document, checked to be readable and to pin this very case and call."""
    try:
        pinned = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError(
            path, "no such request snapshot (written from the reference with --snapshot-update)"
        ) from None
    except (OSError, ValueError) as error:
        raise EvidenceError(path, f"not a readable JSON request snapshot: {error}") from None
    if not isinstance(pinned, dict):
        raise EvidenceError(path, "not a request snapshot (a JSON object is expected)")
    for key in ("case", "call"):
        if pinned.get(key) != document[key]:
            raise EvidenceError(
                path, f"pins {key} {json.dumps(pinned.get(key))}, not {json.dumps(document[key])}"
            )
    return pinned


async def _requests(target: Implementation, case: Case) -> tuple[list[dict[str, Any]], str | None]:
    options = NOT_GIVEN_OPTIONS if case.options is None else case.options
    outcome = await start_avatar(target, persona=case.persona, session_options=options)
    require_refusal_final(outcome)
    require_sent(outcome, case.name, refusable=False)
    token = session_request(outcome).livekit_token  # exactly one: session.one-request's premise
    return [written(r) for r in outcome.requests], token


@pytest.mark.parametrize("case", _params(CASES))
async def test_session_request_is_the_pinned_one(
    implementation: Implementation,
    case: Case,
    request_snapshot: SnapshotAssertion,
    request: pytest.FixtureRequest,
) -> None:
    requests, token = await _requests(implementation, case)
    folded = fold(requests)
    document = {
        "case": case.name,
        "clause": case.clause.value,  # a plain str: the pinned JSON compares by type
        "call": case.call(),
        "request": folded[0] if len(folded) == 1 else folded,
        "livekitToken claims": token_claims(token),
    }
    check_pinned(request_snapshot, case.name, document, request.node)


@pytest.mark.clause(CLAUSE)
@pytest.mark.offers(Offer.SESSION_OPTIONS)
@pytest.mark.parametrize("flow", [ONE_REQUEST, TWO_REQUESTS])
async def test_each_wire_flow_is_the_pinned_one(
    implementation: Implementation,
    flow: str,
    request_snapshot: SnapshotAssertion,
    request: pytest.FixtureRequest,
) -> None:
    requests, token = await _requests(implementation, FLOW_CASE)
    document = {
        "case": f"flow-{flow}",
        "clause": CLAUSE.value,
        "call": FLOW_CASE.call(),
        "flow": flow,
        "requests": in_flow(requests, flow),
        "livekitToken claims": token_claims(token),
    }
    check_pinned(request_snapshot, f"flow-{flow}", document, request.node)
