"""Sending one delivery: POST the body to a vetted address, 15 s in all, no redirects, no
proxies; keep the status, the latency and the first 1 KiB of the answer."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from services.notifier.retry import parse_retry_after
from services.notifier.ssrf import Guard, Refused, Target

RESPONSE_KEPT = 1024
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "Redress-Webhooks/0.1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    response: str | None = None
    retry_after: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Origin:
    client: httpx.AsyncClient
    slots: asyncio.Semaphore


class Sender:
    """POSTs one delivery to a vetted address: 15 s in all, no redirects, no proxies.

    Each origin (scheme, address, port, name) has its own small connection pool and at most
    `per_origin` requests in flight: a slow receiver cannot take every connection, and the
    HTTP client never queues requests inside its pool (whose bookkeeping grows with both).
    """

    def __init__(self, guard: Guard, timeout: float, per_origin: int = 16) -> None:
        # httpx logs every request at INFO; the attempt log is the record of deliveries.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.guard, self.timeout, self.per_origin = guard, timeout, per_origin
        self._origins: dict[tuple[str, str, int, str], Origin] = {}

    async def aclose(self) -> None:
        for origin in self._origins.values():
            await origin.client.aclose()
        self._origins.clear()

    async def send(self, url: str, body: bytes, headers: dict[str, str], now: datetime) -> Outcome:
        started = time.perf_counter()
        try:
            target = await self.guard.resolve(url)
            origin = self._origin(target)
            async with origin.slots:  # waiting for a slot is not part of the 15 s
                started = time.perf_counter()
                async with asyncio.timeout(self.timeout):
                    return await self._post(origin.client, target, body, headers, now, started)
        except Refused as refused:
            return Outcome(None, _ms(started), f"refused: {refused.reason}"[:500])
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, _ms(started), f"timed out after {self.timeout:g} s")
        except httpx.HTTPError as failed:
            return Outcome(None, _ms(started), f"{type(failed).__name__}: {failed}"[:500])

    def _origin(self, target: Target) -> Origin:
        key = (target.scheme, target.address, target.port, target.host)
        if (found := self._origins.get(key)) is None:
            client = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(
                    max_connections=self.per_origin, max_keepalive_connections=self.per_origin
                ),
            )
            found = self._origins[key] = Origin(client, asyncio.Semaphore(self.per_origin))
        return found

    @staticmethod
    async def _post(
        client: httpx.AsyncClient,
        target: Target,
        body: bytes,
        headers: dict[str, str],
        now: datetime,
        started: float,
    ) -> Outcome:
        url = httpx.URL(target.url)
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if ":" not in target.host else f"[{target.host}]"
        host_header = host if target.port == default_port else f"{host}:{target.port}"
        request = client.build_request(
            "POST",
            url.copy_with(host=target.address),
            content=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": CONTENT_TYPE,
                "User-Agent": USER_AGENT,
            },
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        response = await client.send(request, stream=True)
        try:
            head = b""
            async for chunk in response.aiter_bytes():
                head += chunk
                if len(head) >= RESPONSE_KEPT:
                    break
        finally:
            await response.aclose()
        code = response.status_code
        return Outcome(
            code,
            _ms(started),
            None if 200 <= code < 300 else f"HTTP {code}",
            head[:RESPONSE_KEPT].decode("utf-8", "replace"),
            parse_retry_after(response.headers.get("retry-after"), now),
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
