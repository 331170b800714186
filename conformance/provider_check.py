"""``python -m anam_conformance.provider_check``: does Anam still answer as the cassettes say?

Every recorded request is sent again, in order, to the emulator (the default,
and CI's) or to the live API (``--live`` with ``ANAM_API_KEY``), with a fresh
LiveKit token and credentials in place of the masked ones, and the answers are
compared with the recorded ones: status, JSON body (values that differ per
session, like ``sessionId``, by key only) and, against the emulator, the track
the avatar published. A change on Anam's side then shows up here, as drift,
rather than as a mystery in a plugin's replay.

What a recording says must still hold: every recorded key is still answered
with the recorded value. A key the answer has and the recording lacks is an
addition (Anam, or the emulator, answering more than when the cassette was
made: the cassettes of emulator 1.0 recorded ``{"sessionId": ...}`` only), shown
as ``NEW`` but not drift, since a plugin that worked on the recorded answer
still gets everything it read. ``--rules FILE`` checks against an emulator
following other rules (a change on Anam's side, written as data first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from . import evidence
from .cassettes.library import CassetteFile, read_cassette, scenario
from .cassettes.matching import body_json
from .cassettes.recorder import DEFAULT_AVATAR_IDENTITY, LIVE_API_URL, mint_livekit_token, observed_track
from .harness.anam_double import AnamDouble, SessionStarted
from .harness.anam_rules import DEFAULT_RULES, Rules, load_rules
from .harness.evidence import LIVEKIT_TOKEN_PLACEHOLDER

#: Response fields whose value is new for every session: compared by presence only.
PER_SESSION_FIELDS = frozenset({"sessionId", "sessionToken"})


@dataclass(frozen=True)
class Drift:
    cassette: str
    where: str
    recorded: Any
    actual: Any
    addition: bool = False  # a key answered now that the recording lacks: reported, not drift

    def __str__(self) -> str:
        if self.addition:
            return f"NEW {self.cassette} {self.where}: not recorded; now answered {self.actual!r}"
        return f"DRIFT {self.cassette} {self.where}: recorded {self.recorded!r}; actual {self.actual!r}"


def compare_bodies(recorded: Any, actual: Any, where: str = "body") -> tuple[list[str], list[str]]:
    """(differences, additions): a recorded key missing or changed is a difference; a new key an addition."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        differences: list[str] = []
        additions = [f"{where}.{key}" for key in actual if key not in recorded]
        for key, value in recorded.items():
            if key not in actual:
                differences.append(f"{where}.{key}")
                continue
            more, new = compare_bodies(value, actual[key], f"{where}.{key}")
            differences += more
            additions += new
        return differences, additions
    return ([] if recorded == actual else [where]), []


def _comparable(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: "<per-session>" if k in PER_SESSION_FIELDS else _comparable(v) for k, v in body.items()}
    return body


def _with_token(body: Any, token: str) -> Any:
    if isinstance(body, dict):
        return {
            k: token if v == LIVEKIT_TOKEN_PLACEHOLDER else _with_token(v, token) for k, v in body.items()
        }
    return body


async def check_cassette(
    cassette: CassetteFile,
    http: aiohttp.ClientSession,
    base_url: str,
    api_key: str,
    livekit: tuple[str, str],
    tracks: list[dict[str, Any]] | None,
) -> list[Drift]:
    """Send the cassette's requests again and compare the answers; ``tracks`` is None when live."""
    name = cassette.path.name
    identity = scenario(cassette.metadata["scenario"]).identity or DEFAULT_AVATAR_IDENTITY
    token = mint_livekit_token(identity, *livekit)
    bearer = api_key
    drifts: list[Drift] = []
    for index, interaction in enumerate(cassette.interactions):
        request, response = interaction["request"], interaction["response"]
        path = "/" + request["uri"].split("://", 1)[-1].partition("/")[2]
        body = _with_token(body_json(request["body"]), token)
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
        async with http.request(request["method"], f"{base_url}{path}", json=body, headers=headers) as answer:
            text = await answer.text()
        actual = _comparable(body_json(text))
        recorded = _comparable(body_json(response["body"]["string"]))
        where = f"#{index} {request['method']} {path}"
        differences, additions = compare_bodies(recorded, actual)
        if answer.status != response["status"]["code"] or differences:
            drifts.append(Drift(name, where, (response["status"]["code"], recorded), (answer.status, actual)))
            break  # the rest of the exchange depends on this answer
        drifts += [Drift(name, f"{where} {key}", None, _at(actual, key), addition=True) for key in additions]
        if answer.status == 200 and "sessionToken" in recorded:
            bearer = json.loads(text)["sessionToken"]  # flow A: the next request is made with it
    if tracks is not None and not [d for d in drifts if not d.addition]:
        actual_track = tracks[-1] if tracks else None
        if actual_track != cassette.track:
            drifts.append(Drift(name, "avatar track", cassette.track, actual_track))
    return drifts


def _at(body: Any, dotted: str) -> Any:
    for key in dotted.split(".")[1:]:
        body = body[key]
    return body


def _collect_track(tracks: list[dict[str, Any]], livekit: tuple[str, str]) -> SessionStarted:
    return lambda start: tracks.append(observed_track(start, *livekit))


async def check(paths: list[Path], *, live: bool = False, rules: Rules = DEFAULT_RULES) -> list[Drift]:
    livekit = ("provider-check-livekit-key", secrets.token_urlsafe(32))
    drifts: list[Drift] = []
    for path in paths:
        cassette = read_cassette(path)
        tracks: list[dict[str, Any]] | None = None
        runner: web.AppRunner | None = None
        if live:
            base_url, key = LIVE_API_URL, os.environ["ANAM_API_KEY"]
        else:
            key = f"provider-check-key-{secrets.token_hex(8)}"
            tracks = []
            emulator = AnamDouble(key, _collect_track(tracks, livekit), rules=rules)
            runner = web.AppRunner(emulator.app(), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                drifts += await check_cassette(cassette, http, base_url, key, livekit, tracks)
        finally:
            if runner is not None:
                await runner.cleanup()
    return drifts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m anam_conformance.provider_check", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("cassettes", nargs="*", type=Path, help="cassette files (default: the suite's own)")
    parser.add_argument(
        "--live", action="store_true", help="check against https://api.anam.ai (needs ANAM_API_KEY)"
    )
    parser.add_argument(
        "--rules",
        type=Path,
        default=None,
        metavar="FILE",
        help="the emulator follows these rules (JSON; default: conformance/data/anam_rules.json)",
    )
    args = parser.parse_args(argv)
    if args.live and not os.environ.get("ANAM_API_KEY"):
        parser.error("--live needs ANAM_API_KEY in the environment")
    if args.live and args.rules:
        parser.error("--rules applies to the emulator, not to --live")
    paths = args.cassettes or sorted(evidence.cassette_dir().glob("*.json"))
    findings = asyncio.run(check(paths, live=args.live, rules=load_rules(args.rules)))
    for finding in findings:
        print(finding)
    drifts = [f for f in findings if not f.addition]
    target = "the live API" if args.live else f"the emulator ({load_rules(args.rules).source})"
    print(
        f"{len(paths)} cassettes checked against {target}: {len(drifts)} drift(s), "
        f"{len(findings) - len(drifts)} new key(s)"
    )
    return 1 if drifts else 0


if __name__ == "__main__":
    sys.exit(main())
