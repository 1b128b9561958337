"""Human hours for people, exact time for machines, on both backends: a reminder due Saturday
00:00 in London is recorded (and sent to webhooks) at Saturday 00:00, but its mails reach a real
SMTP server on Monday at 08:00 local time; `redress scheduler run-due --now` drives the clock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from support.mail import CONSUMER, mails, register

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase
from services.db import migrate
from services.notifier.contact_hours import held
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings

LONDON = ZoneInfo("Europe/London")
REDRESS = Path(sys.executable).with_name("redress")


@pytest.fixture
async def notifier_and_clock(
    database_url: str,
    smtp_server: tuple[int, Path],
) -> AsyncIterator[tuple[Notifier, list[datetime]]]:
    settings = NotifierSettings(
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_server[0]}",
        email_store_address="support+{id}@shops.test",
    )
    migrate(settings)
    clock = [datetime(2026, 11, 25, 10, tzinfo=LONDON)]
    running = Notifier(settings, clock=lambda: clock[0])
    yield running, clock
    await running.aclose()


def run_due(database_url: str, now: datetime) -> str:
    env = {**os.environ, "REDRESS_DATABASE_URL": database_url}
    done = subprocess.run(
        [str(REDRESS), "scheduler", "run-due", "--now", now.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow  # `redress scheduler run-due` as a process
async def test_a_saturday_midnight_reminder_is_mailed_on_monday_at_eight(
    notifier_and_clock: tuple[Notifier, list[datetime]],
    smtp_server: tuple[int, Path],
    database_url: str,
) -> None:
    notifier, clock = notifier_and_clock
    app, store = notifier.app, "london-shop"
    register(app, store, "biggrey", "GB", "Europe/London")
    submitted = datetime(2026, 11, 25, 10, tzinfo=LONDON)  # a Wednesday
    order = Order("ord-9", Decimal("40.00"), "GBP", submitted - timedelta(days=2))
    new = NewCase("biggrey", store, CONSUMER, "warranty_claim", order, "It rattles.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), submitted), new)["id"])
    saturday = datetime(2026, 11, 28, 0, tzinfo=LONDON)
    assert app.get_case(case_id)["deadlines"][0]["due_at"] == saturday

    assert "fired 1" in run_due(database_url, saturday)
    reminded = app.history(case_id)[-1]
    assert (reminded["type"], reminded["occurred_at"]) == ("Reminded", saturday)

    clock[0] = saturday + timedelta(minutes=1)
    await notifier.run_once()  # composed now, held until the recipients' contact hours
    assert mails(smtp_server[1]) == []
    clock[0] = datetime(2026, 11, 30, 7, 59, 59, tzinfo=LONDON)
    await notifier.run_once()
    assert mails(smtp_server[1]) == []
    clock[0] = datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
    await notifier.run_once()
    assert {to for to, _, _ in mails(smtp_server[1])} == {CONSUMER, f"support+{store}@shops.test"}


async def test_an_urgent_mail_goes_out_at_any_hour(
    notifier_and_clock: tuple[Notifier, list[datetime]],
    smtp_server: tuple[int, Path],
) -> None:
    notifier, clock = notifier_and_clock
    app, store = notifier.app, "night-shop"
    register(app, store, "biggrey", "GB", "Europe/London")
    night = datetime(2026, 11, 29, 3, tzinfo=LONDON)  # a Sunday, 03:00
    order = Order("ord-10", Decimal("40.00"), "GBP", night - timedelta(days=2))
    new = NewCase("biggrey", store, CONSUMER, "warranty_claim", order, "It sparks.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), night), new)["id"])
    staff = By.at(Actor("staff", "s-night"), night)
    app.act(case_id, staff, lambda case, policy: case.escalate(policy, staff, "unsafe"))
    clock[0] = night + timedelta(minutes=1)
    await notifier.run_once()
    subjects = [subject for _, subject, _ in mails(smtp_server[1])]
    assert subjects and all("escalated" in s.lower() or "staff" in s.lower() for s in subjects)


async def test_the_dashboard_figures_count_held_mail_and_its_next_release(
    notifier_and_clock: tuple[Notifier, list[datetime]],
    smtp_server: tuple[int, Path],
) -> None:
    notifier, clock = notifier_and_clock
    app, store = notifier.app, "weekend-shop"
    register(app, store, "biggrey", "GB", "Europe/London")
    saturday = datetime(2026, 11, 28, 11, tzinfo=LONDON)
    order = Order("ord-11", Decimal("40.00"), "GBP", saturday - timedelta(days=2))
    new = NewCase("biggrey", store, CONSUMER, "warranty_claim", order, "It hums.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", CONSUMER), saturday), new)["id"])
    store_by = By.at(Actor("store", "clerk"), saturday)
    app.act(case_id, store_by, lambda case, policy: case.store_close(policy, store_by, "repair"))
    clock[0] = saturday + timedelta(minutes=1)
    await notifier.run_once()
    with notifier.engine.connect() as connection:
        figures = held(connection, clock[0])
    assert figures == {"count": 1, "next_at": datetime(2026, 11, 30, 8, tzinfo=LONDON)}
