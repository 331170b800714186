"""Secrets out of every recorded exchange, before anything is written.

vcrpy runs these hooks on every request and response it records (and on the
live request it matches at replay, so matching sees the same masked form).
Besides the known secrets (the API key, the LiveKit JWT under
``livekitToken``, the session token under ``sessionToken``), any string that
looks like a JWT or a bearer credential is masked wherever it appears, so a
secret echoed back by a server cannot slip through either.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..harness.evidence import LIVEKIT_TOKEN_PLACEHOLDER, REDACTED, SECRET_HEADERS
from ..masking import masked

SESSION_TOKEN_PLACEHOLDER = "<session-token>"
SECRET_KEYS = {"livekitToken": LIVEKIT_TOKEN_PLACEHOLDER, "sessionToken": SESSION_TOKEN_PLACEHOLDER}
#: Response headers that vary per run or per server and carry nothing the contract is about.
VOLATILE_RESPONSE_HEADERS = frozenset({"date", "server", "content-length", "set-cookie", "x-request-id"})


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return masked(text, jwt=LIVEKIT_TOKEN_PLACEHOLDER, redacted=REDACTED)


def scrub_json(value: Any, secrets: Iterable[str] = ()) -> Any:
    known = tuple(secrets)
    if isinstance(value, dict):
        return {
            k: SECRET_KEYS[k] if k in SECRET_KEYS and isinstance(v, str) else scrub_json(v, known)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(item, known) for item in value]
    if isinstance(value, str):
        return scrub_text(value, known)
    return value


def scrub_body(body: Any, secrets: Iterable[str] = ()) -> Any:
    """A body as vcrpy holds it (mapping for ``json=``, bytes or text) -> canonical scrubbed JSON bytes."""
    known = tuple(secrets)
    if body is None or body == b"" or body == "":
        return body
    if isinstance(body, (dict, list)):
        parsed: Any = body
    else:
        text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else str(body)
        try:
            parsed = json.loads(text)
        except ValueError:
            return scrub_text(text, known).encode()
    return json.dumps(scrub_json(parsed, known), sort_keys=True).encode()


def _scrub_headers(headers: dict[str, Any], secrets: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme = str(value[0] if isinstance(value, list) else value).partition(" ")[0]
            hidden = f"{scheme} {REDACTED}" if scheme == "Bearer" else REDACTED
            out[name] = [hidden] if isinstance(value, list) else hidden
        elif isinstance(value, list):
            out[name] = [scrub_text(str(v), secrets) for v in value]
        else:
            out[name] = scrub_text(str(value), secrets)
    return out


def request_scrubber(secrets: Iterable[str] = ()) -> Callable[[Any], Any]:
    """vcrpy ``before_record_request``: headers and body of the request."""
    known = tuple(secrets)

    def scrub(request: Any) -> Any:
        request.headers = _scrub_headers(dict(request.headers), known)
        request.body = scrub_body(request.body, known)
        return request

    return scrub


def response_scrubber(secrets: Iterable[str] = ()) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """vcrpy ``before_record_response``: headers and body of the response."""
    known = tuple(secrets)

    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        headers = {
            k: v for k, v in response.get("headers", {}).items() if k.lower() not in VOLATILE_RESPONSE_HEADERS
        }
        response["headers"] = _scrub_headers(headers, known)
        body = response.get("body", {})
        if isinstance(body, dict) and "string" in body:
            body["string"] = scrub_body(body["string"], known)
        return response

    return scrub
