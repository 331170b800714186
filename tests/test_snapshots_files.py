"""The files in ``snapshots/``: one per current case, readable, secret-free; a mismatch reads well."""

from __future__ import annotations

import json
import re
from pathlib import Path

from anam_conformance.suite.test_snapshots import CASE_NAMES, fold, unfold

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
#: A JWT (three base64url parts, the first a JSON header) or any Anam key this suite mints.
SECRET = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+|conformance-anam-key-")


def test_every_snapshot_file_is_a_current_case_and_every_case_has_one() -> None:
    # Stale files are found here, not by syrupy: its storage discovers nothing (see snapshot_storage).
    assert {p.stem for p in SNAPSHOTS.glob("*.json")} == CASE_NAMES


def test_snapshot_files_are_sorted_indented_json_without_secrets() -> None:
    for path in SNAPSHOTS.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
        assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path
        assert not SECRET.search(text), path
        assert document["case"] == path.stem
        assert document["clause"] in {"request.snapshot", "fields.disclosure-kept"}


def test_the_two_flows_fold_into_one_and_back() -> None:
    two = json.loads((SNAPSHOTS / "flow-two-requests.json").read_text())["requests"]
    one = json.loads((SNAPSHOTS / "flow-one-request.json").read_text())["requests"]
    assert fold(two) == one and unfold(one) == two
    assert fold(one) == one and unfold(two) == two
    odd = [*two, two[-1]]  # a flow that is neither is shown as sent
    assert fold(odd) == odd and unfold(odd) == odd


def test_a_mismatch_names_the_clause_and_shows_a_json_diff(run_suite) -> None:
    run = run_suite("broken_plugins.client_label_added", "-k", "test_snapshots")
    assert run.outcomes()["request.snapshot"] == "fail"
    assert "expected the request pinned in snapshots/no-options.json (clause request.snapshot)" in run.output
    assert 'actual request.body.clientLabel: (absent) → "livekit-agents"' in run.output
    assert re.search(r'^\+\s+"clientLabel": "livekit-agents",$', run.output, re.MULTILINE), run.output


def test_what_the_contract_leaves_open_is_noted_not_failed(run_suite) -> None:
    """The Node plugin's token (display name "Anam Avatar", 60 s, default grants left out) conforms."""
    run = run_suite("broken_plugins.renamed_avatar_participant", "-k", "test_snapshots")
    assert run.outcomes()["request.snapshot"] == "pass", run.output
    assert run.report is not None
    detail = next(c["detail"] for c in run.report["clauses"] if c["id"] == "request.snapshot")
    assert 'livekitToken claims.name: "anam-avatar-agent" → "Anam Avatar"' in detail
    assert 'livekitToken claims.exp: "nbf + 21600 s" → "nbf + 60 s"' in detail
    for grant in ("canPublish", "canPublishData", "canSubscribe"):
        assert f"livekitToken claims.video.{grant}: true → (absent)" in detail
