"""Credentials out of any text the suite keeps or shows, whoever wrote it.

A plugin's own logs are not the suite's to trust: the Node plugin 1.5.0 logs each
refused request's body at warn level with the LiveKit JWT in it, and a driver's
stderr is quoted in the suite's errors. So what looks like a JWT or a bearer
credential is masked wherever text from outside is kept (cassettes, a driver's
output), not only where the suite knows a secret sits.
"""

from __future__ import annotations

import re

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*")
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{8,}")
JWT_PLACEHOLDER = "<jwt>"
REDACTED = "<redacted>"


def masked(text: str, *, jwt: str = JWT_PLACEHOLDER, redacted: str = REDACTED) -> str:
    """``text`` with every JWT-shaped string and every bearer credential replaced."""
    return BEARER.sub(f"Bearer {redacted}", JWT.sub(jwt, text))
