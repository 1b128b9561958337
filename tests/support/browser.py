"""`redress serve` as a process for the browser tests, and the Chromium they drive: the one on
PATH (Debian's chromium), or the one REDRESS_CHROMIUM names; never a path written here.
`make test`'s scripts/ensure-system-deps.sh installs it when missing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
REDRESS = Path(sys.executable).with_name("redress")
CHROMIUM = os.environ.get("REDRESS_CHROMIUM") or (
    shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = "e2e-admin-token-5c1d"


@dataclass
class Server:
    url: str
    env: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str = ADMIN) -> httpx.Client:
        opened = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.clients.append(opened)
        return opened


@contextmanager
def serving(database_url: str) -> Iterator[Server]:
    """`redress serve` as a process on a free port, until the block ends."""
    port = free_port()
    env = {**os.environ, "REDRESS_DATABASE_URL": database_url, "REDRESS_ADMIN_TOKEN": ADMIN}
    process = subprocess.Popen(
        [REDRESS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _ready(url), "the server to start")
        running = Server(url, env)
        yield running
        for client in running.clients:
            client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def until(condition: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited too long for {what}"
        time.sleep(0.1)
    return found


def key(admin: httpx.Client, role: str, subject: str, stores: list[str] | None = None) -> str:
    answer = admin.post(
        "/v1/api-keys", json={"role": role, "subject": subject, "store_ids": stores or []}
    )
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token
