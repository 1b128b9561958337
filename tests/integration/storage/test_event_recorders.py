"""The PostgreSQL recorder (services.eventstore.recorders) stores events byte for byte, in the
order given, through its own insert of binary arrays; and it recognises its own commit when
the library retries an insert whose acknowledgement was lost: the retry answers as the first
attempt would have, and a different event at the same version is still a conflict."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from services.eventstore.recorders import PostgresRecorder


def _events(originator: object, *states: bytes) -> list[StoredEvent]:
    return [
        StoredEvent(originator_id=originator, originator_version=n, topic="t:Event", state=s)
        for n, s in enumerate(states, start=1)
    ]


def test_events_are_stored_byte_for_byte_with_ids_in_the_order_given(
    recorder: PostgresRecorder,
) -> None:
    # What the text form of an array of composites had to escape: quotes, backslashes, braces,
    # commas, parentheses, spaces, non-ASCII; and bytes that are not text at all.
    states = [
        b'{"a":"\\"}',
        b'({"b": [1, 2]}, "c")',
        '{"d":"d\u00e9j\u00e0 \u6536"}'.encode(),
        bytes(range(256)),
    ]
    first, second = uuid4(), uuid4()
    events = _events(first, *states[:2]) + _events(second, *states[2:])
    ids = recorder.insert_events(events)
    assert ids is not None and ids == sorted(ids) and len(set(ids)) == 4
    stored = list(recorder.select_events(first)) + list(recorder.select_events(second))
    assert [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored] == [
        (e.originator_id, e.originator_version, e.topic, e.state) for e in events
    ]
    notifications = recorder.select_notifications(ids[0], 4)
    assert [(n.id, n.originator_id, n.state) for n in notifications] == [
        (i, e.originator_id, e.state) for i, e in zip(ids, events, strict=True)
    ]


def test_a_retried_insert_that_had_committed_answers_as_the_first_did(
    recorder: PostgresRecorder,
) -> None:
    events = _events(uuid4(), b'{"a":1}', b'{"a":2}')
    first = recorder.insert_events(events)
    again = recorder.insert_events(events)  # as the library's retry after a lost ack
    assert again == first
    assert recorder.max_notification_id() == max(first or [0])


def test_another_event_at_a_stored_version_is_still_a_conflict(
    recorder: PostgresRecorder,
) -> None:
    originator = uuid4()
    recorder.insert_events(_events(originator, b'{"a":1}'))
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events(originator, b'{"a":"other"}'))
    with pytest.raises(IntegrityError):  # part of a batch stored, part not: not ours
        recorder.insert_events(_events(originator, b'{"a":1}', b'{"a":2}'))
