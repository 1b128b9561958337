"""Email through a real SMTP server process (aiosmtpd, on loopback), on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from support.mail import CONSUMER, mails, register

from domain.actors import Actor, By
from domain.case_events import ending_resolution
from domain.filing import Order
from domain.money import Money
from domain.translations import Translations
from services.application import NewCase
from services.db import migrate
from services.notifier.email import EmailComposer
from services.notifier.email_templates import ENDINGS, MAILED
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings

STORE = "geli-store-9"
STAFF = Actor("staff", "s1")
BOT = {"role": "system", "id": "translator"}
# The notifier's clock in these tests: a Monday 10:00 UTC, within every recipient's contact
# hours (London 10:00, Shanghai 18:00), so mails go out as soon as they are composed.
OFFICE_HOURS = datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture
async def notifier(database_url: str, smtp_server: tuple[int, Path]) -> AsyncIterator[Notifier]:
    settings = NotifierSettings(
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_server[0]}",
        email_store_address="support+{id}@shops.test",
    )
    migrate(settings)
    running = Notifier(settings, clock=lambda: OFFICE_HOURS)
    yield running
    await running.aclose()


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
    store_by = By.at(Actor("store", "clerk"), datetime.now(UTC))
    app.act(case_id, store_by, lambda case, policy: case.refund(policy, store_by, money, "store"))

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
    assert "The case is now closed: the consumer was refunded in full." in refund_mail

    await notifier.run_once()  # nothing is sent twice
    assert len(mails(smtp_server[1])) == 5


async def test_the_consumer_is_told_of_every_reminder_the_store_gets(
    notifier: Notifier, smtp_server: tuple[int, Path]
) -> None:
    app, now, store = notifier.app, datetime.now(UTC), "biggrey-store-4"
    register(app, store, "biggrey", "GB", "Europe/London")
    order = Order("ord-2", Decimal("60.00"), "GBP", now - timedelta(days=3))
    new = NewCase("biggrey", store, CONSUMER, "warranty_claim", order, "It hums.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), now), new)["id"])
    [response] = app.get_case(case_id)["deadlines"]
    assert response["action"] == "remind"
    assert app.record_timeout(case_id, response["id"], response["due_at"])

    await notifier.run_once()

    sent = {to: (subject, body) for to, subject, body in mails(smtp_server[1])}
    assert set(sent) == {CONSUMER, f"support+{store}@shops.test"}
    subject, body = sent[CONSUMER]
    assert subject == f"We have reminded the store about your case {case_id}"
    assert "sent a reminder" in body and "(reminder 1)" in body
    subject, body = sent[f"support+{store}@shops.test"]
    assert subject == f"Reminder: case {case_id} is waiting for your answer"


async def test_a_ruling_for_the_store_tells_both_parties_how_the_case_ended(
    notifier: Notifier, smtp_server: tuple[int, Path]
) -> None:
    app, now = notifier.app, datetime.now(UTC)
    register(app, STORE, "geli", "CN", "Asia/Shanghai")
    order = Order("ord-3", Decimal("80.00"), "USD", now - timedelta(days=2))
    new = NewCase("geli", STORE, CONSUMER, "return_request", order, "It broke.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), now), new)["id"])
    by = By.at(STAFF, datetime.now(UTC))
    app.act(case_id, by, lambda case, policy: case.escalate(policy, by, "needs a look"))
    by = By.at(STAFF, datetime.now(UTC))
    note = "The damage came from a fall after delivery."
    app.act(case_id, by, lambda case, policy: case.rule(policy, by, "store", note))

    await notifier.run_once()

    ruled = [(to, body) for to, subject, body in mails(smtp_server[1]) if "ruled" in subject]
    assert sorted(to for to, _ in ruled) == sorted([CONSUMER, f"support+{STORE}@shops.test"])
    for _to, body in ruled:
        assert "ruled for the store" in body and note in body
        assert "The case is now closed: the platform's staff ruled for the store." in body


ENDED_BY = {
    "Closed": {"reason": "consumer_gave_up"},
    "ConsumerApproved": {},
    "Withdrawn": {"reason": None},
    "Refunded": {"resolution": "refunded"},
    "AutoApproved": {"resolution": "auto_approved"},
    "Ruled": {"resolution": "ruled_for_store"},
}
SAMPLE = {
    "count": 2,
    "reason": "sla_missed",
    "note": "Looked at the photos.",
    "decision": "refund",
    "refund_amount": "10.00",
    "amount": "10.00",
    "currency": "USD",
    "payer": "store",
    "in_favour_of": "consumer",
    "resolution": None,
    "awaits_consumer": True,
    "deadline_id": "d-1",
}


@pytest.mark.parametrize("name", sorted(MAILED))
def test_every_mailed_event_has_a_template_that_renders(name: str) -> None:
    template, audience = MAILED[name]
    composer = EmailComposer(None, None)
    first = {"reason": "consumer_closed"} if name == "Closed" else {}  # a Closed always ends
    for data in ({**SAMPLE, **first}, {**SAMPLE, **ENDED_BY.get(name, {})}):
        resolution = ending_resolution(name, data)
        for role in audience:
            text = composer.env.get_template(template).render(
                case_id="c-1",
                store_id="s-1",
                consumer_id="u-1",
                recipient_role=role,
                event=name,
                occurred_at="2026-11-22T00:00:00+00:00",
                data=data,
                resolution=resolution,
                ending=ENDINGS[resolution] if resolution else None,
            )
            subject, _, body = text.partition("\n\n")
            assert subject.startswith("Subject: ") and "c-1" in subject and body.strip()
            assert "None" not in body
            if resolution is not None:
                assert ENDINGS[resolution] in body


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
    clock = [OFFICE_HOURS]
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
