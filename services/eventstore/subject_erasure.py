"""The SQL of a data subject's erasure and export (the use cases: services.erasure): finding
their cases in the case list, and the one transaction that stores their events sealed in
place, deletes the cases' snapshots, shreds their keys and overwrites the copies other tables
(idempotent answers, webhook payloads and receivers' answers, e-mails) made of their texts.
The tables are named, not imported: they belong to the layers above.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.sealing import ERASED, UNAVAILABLE, subject_of
from domain.translations import translations_uuid
from services.eventstore.application import EventStoreApplication
from services.eventstore.tables import events_table, snapshots_table

MIN_REDACTED = 4  # shorter texts are not replaced inside free text (e-mails): too common


def listed_cases(app: EventStoreApplication, subject_id: str) -> set[str]:
    """The ids of the case list's cases about the subject (those filed before personal data
    was sealed have no key to find them by)."""
    mark = "%s" if "POSTGRES_DBNAME" in app.env else "?"
    found: set[str] = set()
    with app.keyring.transaction() as cursor:
        # The id is not reversible: each consumer's is derived, once per consumer (a scan of
        # the consumer index; erasures and exports are rare).
        cursor.execute("SELECT DISTINCT platform, consumer_id FROM case_list")
        theirs = [
            (platform, consumer_id)
            for platform, consumer_id in (
                _values(r, "platform", "consumer_id") for r in cursor.fetchall()
            )
            if subject_of(platform, consumer_id) == subject_id
        ]
        for platform, consumer_id in theirs:
            cursor.execute(
                f"SELECT case_id FROM case_list WHERE platform = {mark} AND consumer_id = {mark}",
                [platform, consumer_id],
            )
            found.update(_values(row, "case_id")[0] for row in cursor.fetchall())
    return found


def commit_erasure(
    app: EventStoreApplication,
    subject_id: str,
    case_ids: list[UUID],
    rewritten: list[StoredEvent],
    texts: set[str],
) -> None:
    """In one transaction: store the `rewritten` events (sealed in place), delete the cases'
    snapshots (their translations' too), shred the subject's keys and overwrite `texts`
    where other tables copied them; then forget what this process decoded before."""
    keyring, postgres = app.keyring, "POSTGRES_DBNAME" in app.env
    mark = "%s" if postgres else "?"
    texts, events = texts - {ERASED, UNAVAILABLE}, events_table(app)
    with keyring.transaction() as cursor:
        if not postgres:
            cursor.execute("PRAGMA secure_delete = ON")
        for stored in rewritten:
            cursor.execute(
                f"UPDATE {events} SET state = {mark} "
                f"WHERE originator_id = {mark} AND originator_version = {mark}",
                [stored.state, _id(stored.originator_id, postgres), stored.originator_version],
            )
        if (table := snapshots_table(app)) is not None:
            ids = [i for c in case_ids for i in (c, translations_uuid(c))]
            for originator in ids:
                cursor.execute(
                    f"DELETE FROM {table} WHERE originator_id = {mark}", [_id(originator, postgres)]
                )
        keyring.shred(cursor, subject_id)
        _redact_copies(cursor, mark, [str(c) for c in case_ids], texts, postgres)
    if not postgres:
        with keyring.transaction() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    app.forget_cached()


def _id(originator: Any, postgres: bool) -> Any:  # a UUID
    return originator if postgres else originator.hex


def _redact_copies(
    cursor: Any, mark: str, case_ids: list[str], texts: set[str], postgres: bool
) -> None:
    """Overwrite the texts where other tables copied them, in the rows about these cases."""
    if not texts:
        return
    tables = _tables(cursor, postgres)
    marks = ", ".join(mark for _ in case_ids)
    mentioned = "(" + " OR ".join(f"body LIKE {mark}" for _ in case_ids) + ")"
    mailed = "(" + " OR ".join(f"event_id LIKE {mark}" for _ in case_ids) + ")"
    about = [f"%{c}%" for c in case_ids]
    events_of = [f"{c}:%" for c in case_ids]
    delivered = f"SELECT id FROM webhook_deliveries WHERE subject IN ({marks})"
    rewrites = [
        ("idempotency_keys", ("scope", "key"), "body", mentioned, about),
        ("webhook_deliveries", ("id",), "payload", f"subject IN ({marks})", case_ids),
        ("webhook_attempts", ("id",), "response", f"delivery_id IN ({delivered})", case_ids),
        ("notifier_emails", ("id",), "body", mailed, events_of),
        ("notifier_emails", ("id",), "translation", mailed, events_of),  # JSON: the original
    ]
    for table, keys, column, where, params in rewrites:
        if table in tables:
            _rewrite(cursor, mark, Rewrite(table, keys, column, where, params), texts, postgres)


@dataclass(frozen=True)
class Rewrite:
    table: str
    keys: tuple[str, ...]
    column: str
    where: str
    params: list[str]


def _tables(cursor: Any, postgres: bool) -> set[str]:
    if postgres:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {_values(row, "tablename" if postgres else "name")[0] for row in cursor.fetchall()}


def _rewrite(cursor: Any, mark: str, r: Rewrite, texts: set[str], postgres: bool) -> None:
    cursor.execute(
        f"SELECT {', '.join(r.keys)}, {r.column} FROM {r.table} "
        f"WHERE {r.column} IS NOT NULL AND {r.where}",
        r.params,
    )
    json_column = postgres and r.column == "translation"  # read back parsed
    value_mark = f"CAST({mark} AS json)" if json_column else mark
    match = " AND ".join(f"{k} = {mark}" for k in r.keys)
    for row in cursor.fetchall():
        *key, value = _values(row, *r.keys, r.column)
        text = value if isinstance(value, str) else json.dumps(value)
        redacted = _redacted(text, texts)
        if redacted != text:
            cursor.execute(
                f"UPDATE {r.table} SET {r.column} = {value_mark} WHERE {match}", [redacted, *key]
            )


def _redacted(value: str, texts: set[str]) -> str:
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict | list):
        return json.dumps(_replace_equal(parsed, texts), separators=(",", ":"))
    for text in sorted(texts, key=len, reverse=True):
        if len(text) >= MIN_REDACTED:
            value = value.replace(text, ERASED)
    return value


def _replace_equal(value: Any, texts: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED if value in texts else _redacted(value, texts) if len(value) > 40 else value
    if isinstance(value, dict):
        return {k: _replace_equal(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_equal(v, texts) for v in value]
    return value


def _values(row: Any, *names: str) -> list[Any]:
    return [row[n] for n in names] if isinstance(row, dict) else list(row)
