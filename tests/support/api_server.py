"""A real Redress API server over HTTP in a thread of the test process, its clients and clock,
and the bodies of the cases the API tests file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import httpx
import uvicorn

from services.case_api.app import create_app
from services.case_api.settings import ApiSettings
from services.db import migrate
from services.settings import Settings
from support.filings import complete
from support.postgres import free_port

ADMIN_TOKEN = "test-admin-token-3a9f1c"
_ids = count(1)


class Clock:
    """The API's clock: real time plus an offset the test may move."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Api:
    url: str
    settings: Settings
    clock: Clock
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    @property
    def admin(self) -> httpx.Client:
        return self.client(ADMIN_TOKEN)

    def key(self, role: str, subject: str | None = None, stores: list[str] | None = None) -> str:
        subject = subject or f"{role}-{next(_ids)}"
        answer = self.admin.post(
            "/v1/api-keys", json={"role": role, "subject": subject, "store_ids": stores or []}
        )
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token

    def as_role(
        self, role: str, subject: str | None = None, stores: list[str] | None = None
    ) -> httpx.Client:
        return self.client(self.key(role, subject, stores))

    def store(
        self,
        platform: str,
        *,
        certified: bool = True,
        country: str = "GB",
        timezone: str = "Europe/London",
    ) -> str:
        store_id = f"{platform}-store-{next(_ids)}"
        answer = self.admin.post(
            "/v1/stores",
            json={
                "id": store_id,
                "platform": platform,
                "name": f"Shop {store_id}",
                "certified": certified,
                "country": country,
                "timezone": timezone,
            },
        )
        assert answer.status_code == 201, answer.text
        return store_id


@contextmanager
def running_api(settings: ApiSettings) -> Iterator[Api]:
    """A real server for `settings` on a free port, in a thread of this process."""
    migrate(settings)
    clock = Clock()
    port = free_port()
    app = create_app(settings, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    api = Api(f"http://127.0.0.1:{port}", settings, clock)
    try:
        yield api
    finally:
        for client in api.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=30)


def case_body(platform: str, store_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    order = {
        "reference": f"ord-{next(_ids)}",
        "amount": "120.00",
        "currency": "USD",
        **extra.pop("order", {}),
    }
    return {
        "platform": platform,
        "store_id": store_id,
        "kind": kind,
        "order": order,
        "description": "The hinge broke after a week.",
        **complete(platform, kind, **extra),
    }


def recent(hours: float = 1) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
