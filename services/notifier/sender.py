"""Sending one delivery: POST the body to a vetted address, 15 s in all, no redirects, no
proxies; keep the status, the latency, the answer's headers and its first 256 bytes (what a
receiver says may come from inside the network: only staff and admin are shown them).

The client is aiohttp: on this 2-core machine httpx's connection pool cost about 3 ms of CPU a
request (≈ 300 requests/s from one process), aiohttp about a tenth of that.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import certifi
from yarl import URL

from services.notifier.retry import parse_retry_after
from services.notifier.ssrf import Guard, Refused, Target

RESPONSE_KEPT = 256  # bytes of the answer's body
HEADERS_KEPT = 32  # of the answer's headers, each value cut to VALUE_KEPT characters
VALUE_KEPT = 256
# An idle connection is not reused after this long: shorter than common servers' idle timeouts
# (gunicorn 2 s, uvicorn and Node 5 s), so a request is not sent on one the receiver closed
# while this loop was too busy to see it (it would fail at once, for a retry 5 s later).
KEEP_ALIVE = 1.5
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "Redress-Webhooks/0.1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    response: str | None = None
    retry_after: timedelta | None = None
    headers: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Origin:
    session: aiohttp.ClientSession
    slots: asyncio.Semaphore


class Sender:
    """POSTs one delivery to a vetted address: 15 s in all, no redirects, no proxies.

    Each origin (scheme, address, port, name) has its own keep-alive pool and at most
    `per_origin` requests in flight: a slow receiver cannot take every connection, and the
    HTTP client never queues requests inside its pool. HTTPS receivers are checked against
    `tls` (by default the certifi bundle, as httpx did; tests bring their own authority).
    """

    def __init__(
        self,
        guard: Guard,
        timeout: float,
        per_origin: int = 32,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.guard, self.timeout, self.per_origin = guard, timeout, per_origin
        self.tls = tls or ssl.create_default_context(cafile=certifi.where())
        self._origins: dict[tuple[str, str, int, str], Origin] = {}

    async def aclose(self) -> None:
        for origin in self._origins.values():
            await origin.session.close()
        self._origins.clear()

    async def send(self, url: str, body: bytes, headers: dict[str, str], now: datetime) -> Outcome:
        started = time.perf_counter()
        try:
            target = await self.guard.resolve(url)
            origin = self._origin(target)
            async with origin.slots:  # waiting for a slot is not part of the 15 s
                started = time.perf_counter()
                async with asyncio.timeout(self.timeout):
                    return await self._post(origin.session, target, body, headers, now, started)
        except Refused as refused:
            return Outcome(None, _ms(started), f"refused: {refused.reason}"[:500])
        except TimeoutError:  # before OSError: it is one
            return Outcome(None, _ms(started), f"timed out after {self.timeout:g} s")
        except (aiohttp.ClientError, OSError) as failed:
            return Outcome(None, _ms(started), f"{type(failed).__name__}: {failed}"[:500])

    def _origin(self, target: Target) -> Origin:
        key = (target.scheme, target.address, target.port, target.host)
        if (found := self._origins.get(key)) is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self.per_origin, ssl=self.tls, keepalive_timeout=KEEP_ALIVE
                ),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,  # no proxies from the environment
            )
            found = self._origins[key] = Origin(session, asyncio.Semaphore(self.per_origin))
        return found

    @staticmethod
    async def _post(
        session: aiohttp.ClientSession,
        target: Target,
        body: bytes,
        headers: dict[str, str],
        now: datetime,
        started: float,
    ) -> Outcome:
        # Connect to the vetted address; speak to the host (Host header, TLS SNI and the
        # certificate's name), so a changed DNS answer cannot redirect the request.
        address = URL(target.url).with_host(target.address).with_port(target.port)
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if ":" not in target.host else f"[{target.host}]"
        async with session.post(
            address.with_fragment(None),
            data=body,
            headers={
                **headers,
                "Host": host if target.port == default_port else f"{host}:{target.port}",
                "Content-Type": CONTENT_TYPE,
                "User-Agent": USER_AGENT,
            },
            allow_redirects=False,
            server_hostname=target.host if target.scheme == "https" else None,
        ) as response:
            head = b""
            while len(head) < RESPONSE_KEPT and (
                chunk := await response.content.read(RESPONSE_KEPT - len(head))
            ):
                head += chunk
            code = response.status
            retry_after = response.headers.get("Retry-After")
            kept = dict(list(response.headers.items())[:HEADERS_KEPT])
        return Outcome(
            code,
            _ms(started),
            None if 200 <= code < 300 else f"HTTP {code}",
            head.decode("utf-8", "replace"),
            parse_retry_after(retry_after, now),
            {name.lower(): value[:VALUE_KEPT] for name, value in kept.items()},
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
