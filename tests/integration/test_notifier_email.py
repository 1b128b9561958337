"""Email through a real SMTP server process (aiosmtpd, on loopback), on both backends."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from domain.actors import Actor, By
from domain.filing import Order
from domain.money import Money
from domain.translations import Translations
from services.application import NewCase
from services.db import migrate
from services.notifier.email import EmailComposer
from services.notifier.email_templates import MAILED
from services.notifier.receiver import free_port
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings

STORE, CONSUMER = "geli-store-9", "alice@example.test"
STAFF = Actor("staff", "s1")
BOT = {"role": "system", "id": "translator"}
MAILBOX = ("-c", "aiosmtpd.handlers.Mailbox")  # aiosmtpd's handler that writes a Maildir


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, maildir, log = free_port(), tmp_path / "maildir", tmp_path / "smtpd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *MAILBOX, maildir],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
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
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
async def notifier(database_url: str, smtp_server: tuple[int, Path]) -> AsyncIterator[Notifier]:
    settings = NotifierSettings(
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_server[0]}",
        email_store_address="support+{id}@shops.test",
    )
    migrate(settings)
    running = Notifier(settings)
    yield running
    await running.aclose()


def mails(maildir: Path) -> list[tuple[str, str, str]]:
    found = [(m["To"], m["Subject"], m.get_payload()) for m in mailbox.Maildir(maildir)]
    return sorted(found)


async def test_parties_are_mailed_on_escalation_closing_and_refund(
    notifier: Notifier, smtp_server: tuple[int, Path]
) -> None:
    app, now = notifier.app, datetime.now(UTC)
    app.register_store(
        By.at(Actor("admin", "root"), now),
        store_id=STORE,
        platform="geli",
        name="Shop",
        certified=True,
        country="CN",
        timezone="Asia/Shanghai",
    )
    order = Order("ord-1", Decimal("80.00"), "USD", now - timedelta(days=2))
    new = NewCase("geli", STORE, CONSUMER, "return_request", order, "It broke.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), now), new)["id"])
    by = By.at(STAFF, datetime.now(UTC))
    app.act(case_id, by, lambda case, policy: case.escalate(policy, by, "needs a look"))
    store_by = By.at(Actor("store", "clerk"), datetime.now(UTC))
    app.act(case_id, store_by, lambda case, policy: case.store_close(policy, store_by, "refund"))
    money = Money(Decimal("80.00"), "USD")
    app.act(case_id, by, lambda case, policy: case.refund(policy, by, money, "store"))

    await notifier.run_once()

    store_address = f"support+{STORE}@shops.test"
    sent = mails(smtp_server[1])
    assert [(to, subject) for to, subject, _ in sent] == sorted(
        [
            (CONSUMER, f"Case {case_id} has been escalated"),
            (store_address, f"Case {case_id} has been escalated"),
            (CONSUMER, f"The store has answered your case {case_id}"),
            (CONSUMER, f"Refund recorded on case {case_id}"),
            (store_address, f"Refund recorded on case {case_id}"),
        ]
    )
    refund_mail = next(body for to, subject, body in sent if "Refund" in subject)
    assert "80.00 USD" in refund_mail and "paid by the store" in refund_mail

    await notifier.run_once()  # nothing is sent twice
    assert len(mails(smtp_server[1])) == 5


@pytest.mark.parametrize("name", sorted(MAILED))
def test_every_mailed_event_has_a_template_that_renders(name: str) -> None:
    template, audience = MAILED[name]
    data = {
        "count": 2,
        "reason": "deadline",
        "note": None,
        "decision": "refund",
        "refund_amount": "10.00",
        "amount": "10.00",
        "currency": "USD",
        "payer": "store",
    }
    composer = EmailComposer(None, None)
    for role in audience:
        text = composer.env.get_template(template).render(
            case_id="c-1",
            store_id="s-1",
            consumer_id="u-1",
            recipient_role=role,
            event=name,
            occurred_at="2026-11-22T00:00:00+00:00",
            data=data,
            reason="closed",
        )
        subject, _, body = text.partition("\n\n")
        assert subject.startswith("Subject: ") and "c-1" in subject and body.strip()


@pytest.fixture
async def translating_notifier(
    database_url: str, smtp_server: tuple[int, Path]
) -> AsyncIterator[tuple[Notifier, list[datetime]]]:
    settings = NotifierSettings(
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_server[0]}",
        translator="libretranslate",
        translation_wait=30,
    )
    migrate(settings)
    clock = [datetime.now(UTC)]
    running = Notifier(settings, clock=lambda: clock[0])
    yield running, clock
    await running.aclose()


def french_case_closed_in_german(notifier: Notifier, now: datetime) -> UUID:
    app = notifier.app
    app.register_store(
        By.at(Actor("admin", "root"), now),
        store_id=STORE,
        platform="geli",
        name="Laden",
        certified=True,
        country="DE",
        timezone="Europe/Berlin",
        language="de",
    )
    order = Order("ord-1", Decimal("80.00"), "USD", now - timedelta(days=2))
    new = NewCase("geli", STORE, CONSUMER, "return_request", order, "Cassé.", "fr")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), now), new)["id"])
    by = By.at(Actor("store", "clerk"), now)
    note = "Wir schicken einen Ersatz."
    app.act(case_id, by, lambda case, policy: case.store_close(policy, by, "replace", note))
    return case_id


async def test_a_mail_waits_for_the_translation_of_the_text_it_holds_and_sends_it(
    translating_notifier: tuple[Notifier, list[datetime]], smtp_server: tuple[int, Path]
) -> None:
    notifier, clock = translating_notifier
    case_id = french_case_closed_in_german(notifier, clock[0])
    await notifier.run_once()
    assert mails(smtp_server[1]) == []  # waiting for the French

    def french(translations: Translations) -> int:
        return int(
            translations.translated(
                "StoreClosed:2", "fr", "Nous enverrons un remplacement.", "deepl", clock[0], BOT
            )
        )

    notifier.app.record_translations(case_id, french)
    clock[0] += timedelta(seconds=1)
    await notifier.run_once()
    [(_to, _subject, body)] = mails(smtp_server[1])
    assert "Note from the store: Nous enverrons un remplacement." in body


async def test_a_mail_whose_translation_does_not_come_in_time_is_sent_as_written_with_a_note(
    translating_notifier: tuple[Notifier, list[datetime]], smtp_server: tuple[int, Path]
) -> None:
    notifier, clock = translating_notifier
    french_case_closed_in_german(notifier, clock[0])
    await notifier.run_once()
    clock[0] += timedelta(seconds=30)
    await notifier.run_once()
    [(_to, _subject, body)] = mails(smtp_server[1])
    assert "Wir schicken einen Ersatz." in body and "could not be translated" in body
