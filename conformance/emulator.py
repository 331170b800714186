"""``python -m anam_conformance.emulator``: Anam's session API as a standalone server, for manual
sessions and for plugins written in other languages.

It is the suite's own Anam double (:mod:`anam_conformance.harness.anam_double`), so it
speaks both wire flows and judges by the same documented rules. There is no
LiveKit room behind it: when it starts a session it prints one JSON line with
what the avatar would join with (the resolved size, the LiveKit URL and the
token's claims, redacted, never the token) and serves the same list at
``GET /v1/emulator/sessions``, so a caller can hand the join to a real room.
``POST /v1/emulator/answers`` queues answers for the next session requests
(any status and body, a documented answer by name, a body that is not JSON, a
connection closed without an answer, a request held past the client's
timeout); ``GET`` shows the queue, ``DELETE`` empties it. ``--rules FILE``
replaces Anam's documented rules (sizes, error texts, answer shapes). It
listens on loopback unless told otherwise.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from livekit import api

from .harness.anam_double import EMULATOR_VERSION, AnamDouble, ScriptedReply, SessionStart
from .harness.anam_rules import DEFAULT_RULES, Rules, load_rules

SESSIONS_PATH = "/v1/emulator/sessions"
ANSWERS_PATH = "/v1/emulator/answers"
#: Claims a caller needs to admit the avatar; everything else in the token stays out.
SHOWN_CLAIMS = ("sub", "name", "kind", "video", "attributes", "iss", "exp")


def token_claims(
    token: str, livekit_key: str | None = None, livekit_secret: str | None = None
) -> dict[str, Any]:
    """The token's claims; verified when the LiveKit key and secret are known, else only decoded."""
    try:
        if livekit_key and livekit_secret:
            api.TokenVerifier(livekit_key, livekit_secret).verify(token)
            verified: bool | str = True
        else:
            verified = "not checked (no --livekit-api-key/--livekit-api-secret)"
        claims = jwt.decode(token, options={"verify_signature": False})
    except Exception as error:  # an unreadable token is reported, never shown
        return {"verified": False, "error": f"{type(error).__name__}: {error}"}
    return {"verified": verified, **{k: claims[k] for k in SHOWN_CLAIMS if k in claims}}


def describe_session(
    start: SessionStart, livekit_key: str | None, livekit_secret: str | None
) -> dict[str, Any]:
    return {
        "event": "session_started",
        "sessionId": start.session_id,
        "width": start.width,
        "height": start.height,
        "livekitUrl": start.livekit_url,
        "livekitToken": token_claims(start.livekit_token, livekit_key, livekit_secret),
    }


def build_app(
    api_key: str,
    *,
    livekit_key: str | None = None,
    livekit_secret: str | None = None,
    echo: bool = True,
    rules: Rules = DEFAULT_RULES,
) -> tuple[web.Application, AnamDouble]:
    """The emulator's application: the Anam double, the sessions it started, the answer queue."""
    started: list[dict[str, Any]] = []

    def on_started(start: SessionStart) -> None:
        described = describe_session(start, livekit_key, livekit_secret)
        started.append(described)
        if echo:
            print(json.dumps(described), flush=True)

    double = AnamDouble(api_key, on_started, rules=rules)

    async def sessions(_: web.Request) -> web.Response:
        return web.json_response({"emulator": EMULATOR_VERSION, "sessions": started})

    def queue() -> dict[str, Any]:
        always = double.always
        return {
            "queued": [reply.describe() for reply in double.queued],
            "always": always.describe() if always else None,
            "answers": sorted(rules.documented_answers),
        }

    async def show_answers(_: web.Request) -> web.Response:
        return web.json_response(queue())

    async def queue_answers(request: web.Request) -> web.Response:
        try:
            payload = await request.json()
            entries = payload if isinstance(payload, list) else [payload]
            parsed = [(ScriptedReply.from_json(entry, rules), _times(entry)) for entry in entries]
        except (ValueError, KeyError) as error:
            return web.json_response({"error": "Bad Request", "message": str(error)}, status=400)
        for reply, times in parsed:
            double.script_reply(reply, times=times)
        return web.json_response(queue())

    async def clear_answers(_: web.Request) -> web.Response:
        double.clear_script()
        return web.json_response(queue())

    app = double.app(
        [
            web.get(SESSIONS_PATH, sessions),
            web.get(ANSWERS_PATH, show_answers),
            web.post(ANSWERS_PATH, queue_answers),
            web.delete(ANSWERS_PATH, clear_answers),
        ]
    )
    return app, double


def _times(entry: Any) -> int | None:
    """``"times": N`` queues an answer N times; ``"times": "always"`` answers every request from now."""
    times = entry.get("times", 1) if isinstance(entry, dict) else 1
    if times == "always":
        return None
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ValueError(f'times must be a positive integer or "always"; got {times!r}')
    return times


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m anam_conformance.emulator", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("--port", type=int, default=8787, help="port (default: 8787)")
    parser.add_argument("--api-key", default=None, help="the API key to accept (default: a new one, printed)")
    parser.add_argument("--livekit-api-key", default=None, help="verify avatar tokens with this LiveKit key")
    parser.add_argument("--livekit-api-secret", default=None, help="... and this LiveKit secret")
    parser.add_argument(
        "--rules",
        default=None,
        type=Path,
        metavar="FILE",
        help="Anam's rules as JSON (default: the suite's conformance/data/anam_rules.json)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    key = args.api_key or f"emulator-key-{secrets.token_hex(8)}"
    rules = load_rules(args.rules)
    app, _ = build_app(
        key, livekit_key=args.livekit_api_key, livekit_secret=args.livekit_api_secret, rules=rules
    )
    # A generated key is the emulator's own throwaway credential: the caller needs to see it.
    shown_key = key if args.api_key is None else "<as given>"
    print(
        json.dumps(
            {
                "event": "listening",
                "emulator": EMULATOR_VERSION,
                "api_url": f"http://{args.host}:{args.port}",
                "api_key": shown_key,
                "rules": rules.source,
            }
        ),
        flush=True,
    )
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
