"""POSTs to a translation engine, under the webhooks' rules: the SSRF guard vets the URL and
picks the address to connect to (a private or loopback engine needs
`REDRESS_TRANSLATOR_ALLOWED_HOSTS`), TLS is verified, there is a timeout for the whole
request, and no proxy or redirect is followed. Failures become `EngineUnavailable`; the
adapters decide what an HTTP status means.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import certifi
from yarl import URL

from services.notifier.retry import parse_retry_after
from services.notifier.ssrf import Guard, Refused
from services.translator.engines import EngineUnavailable

USER_AGENT = "Redress-Translator/0.1"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the decoded JSON, or the text when it was not JSON
    retry_after: float | None  # seconds


class EngineHttp:
    def __init__(
        self, guard: Guard, timeout: float, tls: ssl.SSLContext | None = None, limit: int = 64
    ) -> None:
        self.guard, self.timeout = guard, timeout
        self.tls = tls or ssl.create_default_context(cafile=certifi.where())
        self.limit = limit
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, *, body: Any, headers: dict[str, str] | None = None) -> Answer:
        """POST `body` as JSON to the engine at `url`."""
        try:
            target = await self.guard.resolve(url)
        except Refused as refused:
            raise EngineUnavailable(f"engine URL refused: {refused.reason}") from None
        # Connect to the vetted address, speak to the host (Host header, SNI, certificate).
        address = URL(url).with_host(target.address).with_port(target.port).with_fragment(None)
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if target.port == default_port else f"{target.host}:{target.port}"
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client().post(
                    address,
                    json=body,
                    headers={**(headers or {}), "Host": host, "User-Agent": USER_AGENT},
                    allow_redirects=False,
                    server_hostname=target.host if target.scheme == "https" else None,
                ) as response:
                    text = await response.text()
                    retry = parse_retry_after(response.headers.get("Retry-After"), _now())
                    return Answer(response.status, _decoded(response, text), _seconds(retry))
        except TimeoutError:  # before OSError: it is one
            raise EngineUnavailable(f"timed out after {self.timeout:g} s") from None
        except (aiohttp.ClientError, OSError) as failed:
            raise EngineUnavailable(f"{type(failed).__name__}: {failed}"[:300]) from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.limit, ssl=self.tls),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,  # no proxies from the environment
            )
        return self._session


def unavailable_unless_ok(answer: Answer, what: str) -> None:
    """Rate limits, server errors and authentication failures: try again later."""
    if answer.status == 429 or answer.status >= 500 or answer.status in (401, 403, 456):
        raise EngineUnavailable(f"{what}: HTTP {answer.status}", answer.retry_after)


def _decoded(response: aiohttp.ClientResponse, text: str) -> Any:
    if response.content_type == "application/json":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _seconds(delay: Any) -> float | None:
    return None if delay is None else max(0.0, delay.total_seconds())


def _now() -> datetime:
    return datetime.now(UTC)
