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
    """The requests in one line, for a failure's first line: what was sent where, repeats counted.

    The bodies are :func:`in_full`'s, for the lines below it: three copies of a
    body side by side would bury the one fact the line is about.
    """
    if not requests:
        return "no request"
    runs: list[tuple[RecordedRequest, int]] = []
    for request in requests:
        if runs and _same_request(runs[-1][0], request):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((request, 1))
    return "; ".join(
        f"{r.method} {r.path}" + (f" x{n} (the same body each time)" if n > 1 else "") for r, n in runs
    )


def in_full(requests: list[RecordedRequest]) -> str:
    """Every request's method, path and redacted body in full, for the lines below a failure's first."""
    return "\n".join(
        f"{r.method} {r.path}\n{json.dumps(redact_body(r.body), indent=2, sort_keys=True)}" for r in requests
    )


def _same_request(a: RecordedRequest, b: RecordedRequest) -> bool:
    return (a.method, a.path, a.body) == (b.method, b.path, b.body)
