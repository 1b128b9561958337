"""Publishing checkpoints outside the database's own tables.

- Webhooks: a checkpoint is an `audit.checkpoint` CloudEvent, queued as one delivery row per
  subscription that names the type (or `audit.*`, `*`) in the transaction that signs it; the
  notifier's delivery workers send it like any event (Standard Webhooks signature, retries).
  It says nothing about any case, so a store's subscription may receive it too.
- A file: each checkpoint appended as one JSON line, in position order. The file is brought up
  to date from the table under an exclusive lock (after each round), so a crash between signing
  and appending leaves nothing missing, and two processes on one host never interleave lines.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from services.audit.signing import format_time
from services.audit.tables import audit_checkpoints
from services.notifier.envelope import AUDIT_CHECKPOINT, SPECVERSION, dumps, matches
from services.notifier.tables import DELETED, PENDING, utc, webhook_deliveries, webhook_endpoints

CHECKPOINT_TYPE = AUDIT_CHECKPOINT
SOURCE = "/v1/audit/checkpoints"
SUBJECT = "log"  # the ordering key of deliveries: checkpoints arrive in position order


def public(row: Any) -> dict[str, Any]:
    """A checkpoint as it is published (a table row, or anything with its fields)."""
    return {
        "position": int(row.position),
        "events": int(row.events),
        "chains": int(row.chains),
        "root": row.root,
        "log_digest": row.log_digest,
        "at": format_time(row.at),
        "algorithm": row.algorithm,
        "key_id": row.key_id,
        "public_key": row.public_key,
        "signature": row.signature,
    }


def event_id(checkpoint: dict[str, Any]) -> str:
    return f"checkpoint:{checkpoint['position']}"


def envelope(checkpoint: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": SPECVERSION,
        "id": event_id(checkpoint),
        "source": SOURCE,
        "type": CHECKPOINT_TYPE,
        "subject": SUBJECT,
        "time": checkpoint["at"],
        "datacontenttype": "application/json",
        "data": checkpoint,
    }


def enqueue_webhooks(connection: Connection, checkpoint: dict[str, Any], now: datetime) -> int:
    """One delivery row per live subscription made before `now` that wants checkpoints."""
    e = webhook_endpoints
    endpoints = connection.execute(
        select(e.c.id, e.c.event_types, e.c.created_at).where(e.c.status != DELETED)
    ).all()
    wanted = [
        row.id
        for row in endpoints
        if matches(list(row.event_types), CHECKPOINT_TYPE) and (utc(row.created_at) or now) <= now
    ]
    if not wanted:
        return 0
    body = dumps(envelope(checkpoint)).decode()
    rows = [
        {
            "endpoint_id": endpoint_id,
            "event_id": event_id(checkpoint),
            "event_type": CHECKPOINT_TYPE,
            "subject": SUBJECT,
            "payload": body,
            "status": PENDING,
            "attempts": 0,
            "retry_step": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for endpoint_id in wanted
    ]
    connection.execute(insert(webhook_deliveries), rows)
    return len(rows)


def last_position_in(handle: Any) -> int:
    """The position of the file's last complete line (0: none)."""
    size = handle.seek(0, os.SEEK_END)
    tail = b""
    step = 4096
    while size > 0:
        start = max(0, size - step)
        handle.seek(start)
        tail = handle.read(size - start) + tail
        size = start
        lines = [line for line in tail.split(b"\n") if line.strip()]
        if len(lines) > 1 or (lines and size == 0):
            return int(json.loads(lines[-1])["position"])
    return 0


def append_to_file(engine: Engine, path: Path) -> int:
    """Append every checkpoint the file lacks; returns how many lines were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        after = last_position_in(handle)
        with engine.connect() as connection:
            rows = connection.execute(
                select(audit_checkpoints)
                .where(audit_checkpoints.c.position > after)
                .order_by(audit_checkpoints.c.position)
            ).all()
        for row in rows:
            handle.write(json.dumps(public(row), sort_keys=True).encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return len(rows)
