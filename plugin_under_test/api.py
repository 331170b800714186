"""Anam's session endpoint, with livekit-agents' retry semantics and error types."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from livekit.agents import APIConnectionError, APIConnectOptions, APIError, APIStatusError, APITimeoutError

from .log import logger

DEFAULT_API_URL = "https://api.anam.ai"
ENGINE_SESSION_PATH = "/v1/engine/session"


class AnamAPI:
    """One call: open an engine session.

    ``conn_options`` is the caller's budget: at most ``max_retry + 1`` attempts,
    each bounded by ``timeout`` as a whole (connection and answer), and
    ``retry_interval`` between them. A status livekit-agents calls retryable
    (408, 429, 499, 5xx) and a connection fault are retried; any other status is
    final (a 400 is never retried). What is left when the budget is spent is
    raised as the framework's error: ``APIStatusError`` with Anam's status and
    body, ``APITimeoutError``, or ``APIConnectionError``. A 2xx that is not a JSON
    object is an ``APIError`` at once (Anam may have opened a session: a retry
    would open another).
    """

    def __init__(self, *, api_key: str, api_url: str, conn_options: APIConnectOptions) -> None:
        self._api_key = api_key
        self._api_url = api_url.rstrip("/")
        self._conn_options = conn_options

    async def start_session(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}{ENGINE_SESSION_PATH}"
        headers = self._headers()
        attempts = self._conn_options.max_retry + 1
        async with self._client() as http:
            for attempt in range(attempts):
                last = attempt == attempts - 1
                try:
                    async with self._post(http, url, body, headers) as response:
                        text = await response.text()
                        if not response.ok:
                            raise APIStatusError(
                                f"Anam refused the session: HTTP {response.status}",
                                status_code=response.status,
                                body=text,
                            )
                        return self._session(response.status, text)
                except APIStatusError as error:
                    if not self._retryable(error) or last:
                        raise
                    logger.warning("Anam answered HTTP %s; retrying", error.status_code)
                except TimeoutError as error:  # before ClientError: aiohttp's timeouts are both
                    if last:
                        raise self._timed_out(url, error) from error
                    logger.warning("Anam did not answer in %ss; retrying", self._conn_options.timeout)
                except aiohttp.ClientError as error:
                    if last:
                        raise self._unreachable(url, error) from error
                    logger.warning("cannot reach Anam (%s); retrying", type(error).__name__)
                await asyncio.sleep(self._conn_options.retry_interval)
        raise APIConnectionError(f"cannot reach Anam at {url}")

    def _session(self, status: int, text: str) -> dict[str, Any]:
        try:
            result = json.loads(text)
        except ValueError:
            result = None
        if not isinstance(result, dict):
            raise APIError(
                f"Anam answered HTTP {status} with a body that is not a JSON object",
                body=text,
                retryable=False,
            )
        return result

    def _client(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=self._timeout())

    def _post(
        self, http: aiohttp.ClientSession, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> Any:
        """One attempt: the session request, as JSON."""
        return http.post(url, json=body, headers=headers)

    def _timeout(self) -> aiohttp.ClientTimeout:
        """The whole request (connect, send, answer) within ``conn_options.timeout``."""
        return aiohttp.ClientTimeout(total=self._conn_options.timeout)

    def _timed_out(self, url: str, error: BaseException) -> Exception:
        return APITimeoutError(f"Anam did not answer within {self._conn_options.timeout}s at {url}")

    def _unreachable(self, url: str, error: BaseException) -> Exception:
        return APIConnectionError(f"cannot reach Anam at {url}")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"}

    def _retryable(self, error: APIStatusError) -> bool:
        # livekit-agents' own rule: 408, 429, 499 and 5xx only.
        return error.retryable
