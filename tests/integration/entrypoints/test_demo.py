"""`redress serve --demo` seeds every platform once, with cases at several stages."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from uuid import UUID

from services.bootstrap import open_redress
from services.db import migrate
from services.entrypoints.demo import STORES, seed
from services.settings import Settings

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_the_demo_seeds_every_platform_at_several_stages_once(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url)
    migrate(settings)
    app = open_redress(settings)
    try:
        assert seed(app, NOW, cases=36) == 36
        assert seed(app, NOW) == 0
        states = []
        for notification in app.recorder.select_notifications(start=1, limit=1000):
            if notification.originator_version == 1 and "Submitted" in notification.topic:
                states.append(app.get_case(UUID(str(notification.originator_id))))
        assert len(states) == 36
        assert {s["platform"] for s in states} == {s.platform for s in STORES}
        statuses = Counter(s["status"] for s in states)
        assert {"awaiting_store", "in_progress", "closed"} <= set(statuses)
        assert all(app.verify(UUID(s["id"]))["valid"] for s in states)
    finally:
        app.close()
