"""A webhook receiver on loopback for the tests (it does not ship in the wheel).

It records every request it gets (headers, body, arrival) and answers what `respond` says
(204 by default); `hold()` makes requests wait until `release()`; `stop()` and `start()` take it
down and bring it back on the same port. `verified()` checks every recorded request with the
`standardwebhooks` package.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    arrived: float = field(default_factory=time.monotonic)
    path: str = ""

    @property
    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.body)
        return event


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Respond = Callable[[Received], Answer]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Receiver:
    def __init__(
        self,
        port: int | None = None,
        path: str = "/hooks",
        *,
        tls: tuple[str, str] | None = None,  # (certificate, key) files: serve HTTPS
        keep_alive: int = 5,  # seconds an idle connection stays open
    ) -> None:
        self.port, self.path, self.tls = port or free_port(), path, tls
        self.keep_alive = keep_alive
        self.respond: Respond = lambda _: Answer()
        self.received: list[Received] = []
        self.arrivals = 0  # requests that arrived, answered yet or not
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{self.path}"

    def __enter__(self) -> Receiver:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
        self.stop()

    def start(self) -> None:
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            access_log=False,
            lifespan="off",
            ws="none",
            interface="asgi3",
            ssl_certfile=self.tls[0] if self.tls else None,
            ssl_keyfile=self.tls[1] if self.tls else None,
            timeout_keep_alive=self.keep_alive,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="receiver", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the receiver did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(30)
            self._server = self._thread = None

    def hold(self) -> None:
        """Keep every request waiting (unanswered) until `release`."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.event for r in self.received]

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while self.count() < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count()} of {count} requests arrived")
            time.sleep(0.01)
        with self._lock:
            return list(self.received)

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request's event, each verified (signature, timestamp) by standardwebhooks."""
        with self._lock:
            received = list(self.received)
        return [Webhook(secret).verify(r.body, r.headers) for r in received]

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        received = Received(headers, b"".join(chunks), path=scope["path"])
        with self._lock:
            self.arrivals += 1
        while not self._released.is_set():
            await asyncio.sleep(0.02)
        with self._lock:
            self.received.append(received)
        answer = self.respond(received)
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [(k.encode(), v.encode()) for k, v in answer.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})
