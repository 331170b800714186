"""The recorded scenarios, where their cassettes live, and the vcrpy configuration that reads them.

One cassette per scenario and wire flow. A cassette is vcrpy's JSON file with
vcrpy's own ``metadata`` next to the interactions: the scenario, the clause it
is evidence for, its provenance (emulator version or live API, date, client)
and the track the avatar published, which is not HTTP and so not an
interaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import vcr

from .. import evidence
from ..assertions import EvidenceError
from ..clauses import ClauseId
from .matching import MATCH_ON, MATCHER_NAME, match_json_body
from .scrub import request_scrubber, response_scrubber

Flow = Literal["one-request", "two-requests"]
FLOWS: tuple[Flow, ...] = ("one-request", "two-requests")
Outcome = Literal["rejected", "started"]


@dataclass(frozen=True)
class Scenario:
    """One exchange the contract is about, as a plugin would send it."""

    name: str
    clause: ClauseId
    avatar_model: str
    outcome: Outcome
    width: int | None = None
    height: int | None = None
    identity: str | None = None  # a custom avatar identity; None: the plugin's default
    half_pair: bool = False  # only a recorder sends it: a conforming plugin refuses locally

    @property
    def session_options(self) -> dict[str, int] | None:
        if self.width is None and self.height is None:
            return None
        options = {"video_width": self.width} if self.width is not None else {}
        return options | ({"video_height": self.height} if self.height is not None else {})


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "unsupported-1280x720-cara-4", ClauseId.REJECTION_SURFACED, "cara-4-latest", "rejected", 1280, 720
    ),
    Scenario("unsupported-1152x768-cara-3", ClauseId.REJECTION_SURFACED, "cara-3", "rejected", 1152, 768),
    Scenario(
        "half-pair-width-only",
        ClauseId.DIMS_BOTH_OR_NEITHER,
        "cara-4-latest",
        "rejected",
        1152,
        half_pair=True,
    ),
    Scenario(
        "landscape-1152x768-cara-4", ClauseId.DIMS_PUBLISHED_SIZE, "cara-4-latest", "started", 1152, 768
    ),
    Scenario("portrait-768x1152-cara-4", ClauseId.DIMS_PUBLISHED_SIZE, "cara-4-stable", "started", 768, 1152),
    Scenario("default-size-cara-3", ClauseId.AVATAR_JOINS, "cara-3", "started"),
    Scenario("default-size-cara-4", ClauseId.AVATAR_JOINS, "cara-4-latest", "started"),
    Scenario("custom-identity-cara-3", ClauseId.AVATAR_TOKEN, "cara-3", "started", identity="custom-avatar"),
)


def scenario(name: str) -> Scenario:
    for found in SCENARIOS:
        if found.name == name:
            return found
    raise KeyError(f"no scenario {name!r}; known: {', '.join(s.name for s in SCENARIOS)}")


def cassette_path(found: Scenario, flow: Flow, directory: Path | None = None) -> Path:
    """The scenario's cassette, in ``directory`` or else among the suite's own."""
    return (directory or evidence.cassette_dir()) / f"{found.name}.{flow}.json"


class CassetteError(EvidenceError):
    """A cassette that is missing or cannot be read: the suite's evidence, not the plugin, is at fault."""


@dataclass(frozen=True)
class CassetteFile:
    """A cassette as the replay and the provider check read it."""

    path: Path
    metadata: dict[str, Any]
    interactions: list[dict[str, Any]]

    @property
    def base_url(self) -> str:
        return str(self.metadata["provenance"]["base_url"])

    @property
    def track(self) -> dict[str, Any] | None:
        track = self.metadata.get("track")
        return track if isinstance(track, dict) else None

    @property
    def clause(self) -> ClauseId:
        return ClauseId(str(self.metadata["clause"]))


def read_cassette(path: Path) -> CassetteFile:
    """The cassette at ``path``, checked whole before a plugin is judged by it."""
    try:
        data = json.loads(path.read_text())
        metadata, interactions = data["metadata"], data["interactions"]
        metadata["provenance"]["base_url"]
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            str(request["method"]), str(request["uri"]), request["body"]
            int(response["status"]["code"]), response["body"]["string"]
    except FileNotFoundError:
        raise CassetteError(
            path, "no such cassette (record it: python -m anam_conformance.cassettes)"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise CassetteError(path, f"not a cassette with provenance metadata ({error!r})") from None
    return CassetteFile(path, metadata, interactions)


def make_vcr(record_mode: str, secrets: tuple[str, ...] = ()) -> vcr.VCR:
    """vcrpy as every part of the project uses it: JSON files, scrubbed, matched by JSON body."""
    recorder = vcr.VCR(
        serializer="json",
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=request_scrubber(secrets),
        before_record_response=response_scrubber(secrets),
        decode_compressed_response=True,
    )
    recorder.register_matcher(MATCHER_NAME, match_json_body)
    return recorder
