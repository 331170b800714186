"""Cassette reading, matching and the provider check, without a plugin."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from anam_conformance.cassettes.library import CassetteError, cassette_path, read_cassette, scenario
from anam_conformance.cassettes.matching import body_json, explain_unmatched
from anam_conformance.provider_check import check


def test_a_missing_cassette_is_named(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"no-such\.json: no such cassette"):
        read_cassette(tmp_path / "no-such.json")


def test_a_file_without_provenance_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"version": 1, "interactions": []}))
    with pytest.raises(CassetteError, match=r"bare\.json: not a cassette with provenance"):
        read_cassette(path)


def test_every_committed_cassette_records_its_provenance_and_track() -> None:
    for found_name in ("default-size-cara-3", "half-pair-width-only"):
        for flow in ("one-request", "two-requests"):
            cassette = read_cassette(cassette_path(scenario(found_name), flow))
            provenance = cassette.metadata["provenance"]
            assert {"source", "base_url", "recorded_at", "client"} <= set(provenance)
            assert (cassette.track is None) == (found_name == "half-pair-width-only")


def test_bodies_match_whatever_livekit_token_they_carry() -> None:
    a = {"environment": {"livekitToken": "eyJaaaaaaaaaa.bbb.ccc"}, "x": 1}
    b = json.dumps({"x": 1, "environment": {"livekitToken": "eyJzzzzzzzzzz.yyy.xxx"}}).encode()
    assert body_json(a) == body_json(b)


def test_the_unmatched_explanation_without_any_recording() -> None:
    message = explain_unmatched("avatar.joins", "x.json", ("POST", "/v1/engine/session", {}), [])
    assert message.startswith("expected a request recorded in x.json [avatar.joins]")


def test_the_emulator_answers_as_every_cassette_records() -> None:
    paths = sorted(cassette_path(scenario("default-size-cara-3"), "one-request").parent.glob("*.json"))
    # Keys the emulator answers now and the recording lacks are additions, not drift.
    assert [d for d in asyncio.run(check(paths)) if not d.addition] == []


def test_the_provider_check_reports_drift(tmp_path: Path) -> None:
    source = cassette_path(scenario("unsupported-1280x720-cara-4"), "one-request")
    data = json.loads(source.read_text())
    data["interactions"][0]["response"]["body"]["string"] = json.dumps(
        {"error": "Bad Request", "message": "old"}
    )
    drifted = tmp_path / source.name
    drifted.write_text(json.dumps(data))
    (drift,) = asyncio.run(check([drifted]))
    assert (
        drift.cassette == source.name and "old" in str(drift) and "Unsupported video dimensions" in str(drift)
    )
