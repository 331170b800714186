"""What the Anam double saw, and how it may be shown.

Every request the plugin sends is kept whole for the checks, but anything that
leaves the process (a failure message, a report, a snapshot, a cassette) goes
through :func:`redacted` first: the API key, session tokens and the LiveKit JWT
are secrets and never appear in evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

REDACTED = "<redacted>"
LIVEKIT_TOKEN_PLACEHOLDER = "<livekit-jwt>"
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie"})


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the plugin sent it."""

    method: str
    path: str
    headers: dict[str, str]
    text: str
    body: Any = field(default=None)

    @property
    def carries_persona(self) -> bool:
        """The request that opens a session is the one with ``personaConfig`` in it."""
        return isinstance(self.body, dict) and "personaConfig" in self.body

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    @property
    def livekit_token(self) -> str | None:
        if not isinstance(self.body, dict):
            return None
        environment = self.body.get("environment")
        if isinstance(environment, dict):
            token = environment.get("livekitToken")
            return token if isinstance(token, str) else None
        return None


def parse_json(text: str) -> Any:
    """Parse a request body; a body that is not JSON is kept as its text."""
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def redact_body(body: Any) -> Any:
    """Replace the LiveKit JWT (the only secret Anam's request bodies carry)."""
    if isinstance(body, dict):
        return {
            key: LIVEKIT_TOKEN_PLACEHOLDER
            if key == "livekitToken" and isinstance(value, str)
            else redact_body(value)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [redact_body(item) for item in body]
    return body


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


def redacted(request: RecordedRequest) -> dict[str, Any]:
    """The request as it may be shown: in a failure message, a report or a snapshot."""
    return {
        "method": request.method,
        "path": request.path,
        "headers": redact_headers(request.headers),
        "body": redact_body(request.body),
    }


def describe(requests: list[RecordedRequest]) -> str:
    """A one-line account of the requests for a failure message."""
    if not requests:
        return "no request"
    return "; ".join(
        f"{r.method} {r.path} {json.dumps(redact_body(r.body), sort_keys=True)}" for r in requests
    )
