"""Anam's session endpoint, with livekit-agents' retry semantics."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from livekit.agents import APIConnectionError, APIConnectOptions, APIStatusError

from .log import logger

DEFAULT_API_URL = "https://api.anam.ai"
ENGINE_SESSION_PATH = "/v1/engine/session"


class AnamAPI:
    """One call: open an engine session. 4xx answers are final; a 400 is never retried."""

    def __init__(self, *, api_key: str, api_url: str, conn_options: APIConnectOptions) -> None:
        self._api_key = api_key
        self._api_url = api_url.rstrip("/")
        self._conn_options = conn_options

    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}{ENGINE_SESSION_PATH}"
        headers = self._headers()
        timeout = aiohttp.ClientTimeout(total=self._conn_options.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for attempt in range(self._conn_options.max_retry + 1):
                try:
                    async with http.post(url, json=body, headers=headers) as response:
                        if not response.ok:
                            raise APIStatusError(
                                f"Anam refused the session: HTTP {response.status}",
                                status_code=response.status,
                                body=await response.text(),
                            )
                        result: dict[str, Any] = await response.json()
                        return result
                except APIStatusError as error:
                    if not self._retryable(error) or attempt == self._conn_options.max_retry:
                        raise
                    logger.warning("Anam answered HTTP %s; retrying", error.status_code)
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    if attempt == self._conn_options.max_retry:
                        raise APIConnectionError(f"cannot reach Anam at {url}") from error
                    logger.warning("cannot reach Anam (%s); retrying", type(error).__name__)
                await asyncio.sleep(self._conn_options.retry_interval)
        raise APIConnectionError(f"cannot reach Anam at {url}")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"}

    def _retryable(self, error: APIStatusError) -> bool:
        # livekit-agents' own rule: 408, 429, 499 and 5xx only.
        return error.retryable
