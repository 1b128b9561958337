"""The projector reads the log its own way (pages of named tuples on PostgreSQL, decoded with
orjson): what it reads is exactly what the library's own reading gives, encrypted or not.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from eventsourcing.cryptography import AESCipher
from support.projection_workload import busy_workload

from projections.tracking import read_batch
from services.application import Redress
from services.db import migrate
from services.eventstore.log_pages import page_after
from services.eventstore.subject_keys import SUBJECT_KEYS_UNSEAL
from services.projector.bootstrap import plumbing
from services.settings import Settings


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_the_projectors_pages_of_the_log_are_the_librarys_events(
    database_url: str, encrypted: bool
) -> None:
    key = AESCipher.create_key(num_bytes=32) if encrypted else None
    settings = Settings(database_url=database_url, encryption_key=key)
    migrate(settings)
    # The projector unseals no personal data: compared with the library reading the same way.
    library = Redress(env={**settings.eventsourcing_env(), SUBJECT_KEYS_UNSEAL: "no"})
    try:
        busy_workload(library, cases=12)
        head = library.recorder.max_notification_id() or 0
        with plumbing(settings) as wired:
            for after, limit in ((0, 7), (5, 50), (head - 3, 10), (head, 10)):
                expected = library.recorder.select_notifications(start=after + 1, limit=limit)
                page = page_after(wired.app.recorder, after, limit)
                fields = ("id", "originator_id", "originator_version", "topic", "state")
                assert [[getattr(n, f) for f in fields] for n in page] == [
                    [getattr(n, f) for f in fields] for n in expected
                ]
                read = read_batch(wired.app, after, limit)
                decoded = [library.mapper.to_domain_event(n) for n in expected]
                assert read is None if not expected else read.events == decoded
    finally:
        library.close()
