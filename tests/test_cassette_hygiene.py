"""No secret in a recorded file: the committed cassettes and snapshots, and a fresh recording."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from anam_conformance import evidence
from anam_conformance.cassettes import recorder
from anam_conformance.cassettes.library import scenario

ROOT = Path(__file__).resolve().parent.parent
SECRET_LOOKING = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}"  # a JWT (the LiveKit token)
    r"|Bearer\s+(?!<redacted>)[A-Za-z0-9._~+/=-]{8,}"  # a bearer credential
    r"|(?:conformance-anam|recorder-anam|provider-check|emulator|fake-anam)-key-[0-9a-f]{8,}"  # the fake keys
    r"|\bst-[0-9a-f]{24}\b"  # the emulator's session tokens
)


def _recorded_files() -> list[Path]:
    return sorted(
        p
        for folder in (ROOT / "cassettes", ROOT / "snapshots")
        if folder.is_dir()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_there_are_cassettes_to_check() -> None:
    assert len(list(evidence.cassette_dir().glob("*.json"))) >= 16


@pytest.mark.parametrize("path", _recorded_files(), ids=lambda p: p.name)
def test_no_secret_looking_string_in_a_recorded_file(path: Path) -> None:
    found = SECRET_LOOKING.findall(path.read_text(errors="replace"))
    assert not found, f"{path}: secret-looking strings {found}"


def test_the_pattern_catches_what_it_must() -> None:
    for leaked in (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
        "Bearer sk-live-0123456789abcdef",
        "conformance-anam-key-0123456789abcdef",
        "st-0123456789abcdef01234567",
    ):
        assert SECRET_LOOKING.search(leaked), leaked
    assert not SECRET_LOOKING.search('"Bearer <redacted>" "<livekit-jwt>" "<session-token>"')


@pytest.mark.parametrize("flow", ["one-request", "two-requests"])
def test_a_recording_made_with_a_fake_key_holds_none_of_its_secrets(
    tmp_path: Path, flow: recorder.Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "fake-anam-key-0123456789abcdef"
    minted: list[str] = []
    mint = recorder.mint_livekit_token

    def remembering_mint(identity: str, api_key: str, secret: str) -> str:
        minted.append(mint(identity, api_key, secret))
        return minted[-1]

    monkeypatch.setattr(recorder, "mint_livekit_token", remembering_mint)
    path = asyncio.run(
        recorder.record(scenario("landscape-1152x768-cara-4"), flow, directory=tmp_path, api_key=key)
    )
    text = path.read_text()
    assert minted and minted[0].startswith("eyJ")  # the request did carry a JWT, and the key
    assert key not in text and minted[0] not in text and not SECRET_LOOKING.search(text)
    assert "<livekit-jwt>" in text and "Bearer <redacted>" in text
    if flow == "two-requests":
        assert "<session-token>" in text
