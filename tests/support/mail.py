"""A real SMTP server process (aiosmtpd, on loopback, writing a Maildir) for the mail tests,
what it received, and the parties the mails go to."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from domain.actors import Actor, By
from services.application import Redress
from support.postgres import free_port

CONSUMER = "alice@example.test"
MAILBOX = ("-c", "aiosmtpd.handlers.Mailbox")  # aiosmtpd's handler that writes a Maildir


@contextmanager
def smtp_server_in(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """(port, Maildir) of an SMTP server that runs until the block ends."""
    port, maildir, log = free_port(), tmp_path / "maildir", tmp_path / "smtpd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *MAILBOX, maildir],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the SMTP server did not start"
                time.sleep(0.05)
        yield port, maildir
    finally:
        process.terminate()
        process.wait(timeout=10)


def mails(maildir: Path) -> list[tuple[str, str, str]]:
    """(to, subject unfolded, body decoded) of every mail received."""
    found = [
        (
            m["To"],
            m["Subject"].replace("\r\n", "").replace("\n", ""),
            m.get_payload(decode=True).decode(),
        )
        for m in mailbox.Maildir(maildir)
    ]
    return sorted(found)


def register(app: Redress, store_id: str, platform: str, country: str, timezone: str) -> None:
    app.register_store(
        By.at(Actor("admin", "root"), datetime.now(UTC)),
        store_id=store_id,
        platform=platform,
        name="Shop",
        certified=True,
        country=country,
        timezone=timezone,
    )
