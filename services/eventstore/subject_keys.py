"""One AES-256-GCM key per data subject, to seal their personal data (domain.sealing).

Keys live in `subject_keys` (migrations/versions/0010_subject_keys.py), each wrapped by the
master key (`REDRESS_ENCRYPTION_KEY`) when one is set. Erasing a subject sets its keys'
`wrapped` to NULL (a tombstone row stays, so a stale process cannot insert the key again):
every value sealed under them then reads `[erased]`. A key that cannot be unwrapped (the
master key is missing or another one) reads `[unavailable]`; nothing fails.

The hot path costs no query: a process seals a case's personal text under a key it made
itself for that case and its subject (a subject has a key per case, and a case may have
several, one per process and period), and the key's row is inserted in the same transaction
as the events sealed under it (services.eventstore.recorders), `ON CONFLICT DO NOTHING`. The rows
so also say which cases concern a subject (`keys_by_case`).

Unsealing caches unwrapped keys for `ttl` seconds: after another process erases a subject,
this one may read its sealed values for at most that long (case reads never: the case's
`SubjectErased` names the erased keys, see services.case_view).
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.sealing import ERASED, SEALER, TOKEN_PREFIX, UNAVAILABLE, Sealed, key_id_of

SUBJECT_KEYS_UNSEAL = "SUBJECT_KEYS_UNSEAL"  # env: "no" in roles that read no personal text
SEALED = "[sealed]"  # what such a role reads in place of a sealed value
NONCE = 12
RAW, WRAPPED = b"\x00", b"\x01"  # how a key is stored: as is, or sealed by the master key
CACHE_LIMIT = 50_000
SEAL_KEY_SECONDS = 600.0  # a process makes a fresh key per subject this often
RANDOM_POOL = 4096  # bytes drawn from the OS at a time (random_bytes)

# Written with the events sealed under the key (services.eventstore.recorders).
INSERT_KEY = (
    "INSERT INTO subject_keys (key_id, subject_id, case_id, wrapped, created_at) "
    "VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key_id) DO NOTHING"
)


class KeyRow(tuple[str, str, str, bytes, Any]):
    """(key_id, subject_id, case_id, wrapped, created_at): a new key's row, for INSERT_KEY."""


# PostgreSQL: any number of rows as five arrays sent in binary, in the statement that inserts
# the events sealed under them (services.eventstore.recorders): one statement to prepare and
# send, and the group commit thread adapts five lists instead of five values a row.
INSERT_KEYS = (
    "INSERT INTO subject_keys (key_id, subject_id, case_id, wrapped, created_at) "
    "SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::bytea[], %b::timestamptz[]) "
    "ON CONFLICT (key_id) DO NOTHING"
)


class _RandomPool(threading.local):
    """This thread's unused bytes of one `os.urandom` call."""

    def __init__(self) -> None:
        self.data, self.used, self.generation = b"", 0, _forks


_forks = 0  # a forked child must never hand out its parent's unused bytes


def _forked() -> None:
    global _forks
    _forks += 1


os.register_at_fork(after_in_child=_forked)
_random = _RandomPool()


def random_bytes(n: int) -> bytes:
    """`n` bytes from the OS's random source, drawn RANDOM_POOL bytes at a time. A filing
    needs a key, its id and a nonce a sealed field: three `os.urandom` calls, each a system
    call that gives up the interpreter lock and then waits for it among the request threads
    (measured at about 10 µs of CPU each under load, against 0.5 µs alone). Bytes are never
    handed out twice: a pool is per thread, and a forked child draws a fresh one."""
    pool = _random
    if pool.used + n > len(pool.data) or pool.generation != _forks:
        pool.data, pool.used, pool.generation = os.urandom(max(RANDOM_POOL, n)), 0, _forks
    start = pool.used
    pool.used = start + n
    return pool.data[start : start + n]


@dataclass
class _Sealing:
    """The keys a command sealed under that may not be stored yet."""

    rows: list[KeyRow] = field(default_factory=list)


class Keyring:
    def __init__(
        self,
        datastore: Any,
        *,
        postgres: bool,
        master_key: str | None,
        ttl: float = 5.0,
        unseal: bool = True,
    ) -> None:
        self._datastore, self._postgres, self._ttl = datastore, postgres, ttl
        self._unsealing = unseal
        self._master = AESGCM(base64.b64decode(master_key)) if master_key else None
        self._lock = threading.Lock()
        self._sealing: dict[str, tuple[str, AESGCM, bytes, float]] = {}  # case → key
        self._stored: set[str] = set()  # key ids known to be in the table
        self._keys: dict[str, tuple[AESGCM | str, float]] = {}  # key id → key or ERASED...
        self._opened: dict[str, tuple[Sealed, float]] = {}  # token → text, when its key was read

    # -- sealing ------------------------------------------------------------------------------

    @contextmanager
    def sealing(
        self, subject_id: str, case_id: str, erased: Sequence[str] = ()
    ) -> Iterator[list[KeyRow]]:
        """Seal the personal data the domain records inside this block under a key of
        `subject_id` for `case_id`; yields the key rows to save with the events. `erased`:
        key ids the case says are erased (a stale key of this process is then dropped)."""
        if erased and (known := self._sealing.get(case_id)) is not None and known[0] in erased:
            self._sealing.pop(case_id, None)
        sealing = _Sealing()
        token = SEALER.set(lambda text: self._seal(subject_id, case_id, text, sealing))
        try:
            yield sealing.rows
        finally:
            SEALER.reset(token)

    def stored(self, rows: Sequence[KeyRow]) -> None:
        """These keys' rows are committed. No lock: each set operation is atomic, and a key
        id missing from the set only means its row is inserted again, as a no-op."""
        if len(self._stored) >= CACHE_LIMIT:
            self._stored.clear()
        self._stored.update([row[0] for row in rows])

    def _seal(self, subject_id: str, case_id: str, text: str, sealing: _Sealing) -> Sealed:
        key_id, aead, wrapped = self._sealing_key(case_id)
        if key_id not in self._stored and all(r[0] != key_id for r in sealing.rows):
            sealing.rows.append(KeyRow((key_id, subject_id, case_id, wrapped, self._now())))
        nonce = random_bytes(NONCE)
        sealed = aead.encrypt(nonce, text.encode(), key_id.encode())
        token = f"{TOKEN_PREFIX}{key_id}.{base64.b64encode(nonce + sealed).decode()}"
        return Sealed(text, token)

    def _sealing_key(self, case_id: str) -> tuple[str, AESGCM, bytes]:
        """No lock: each dict operation is atomic. Two commands on one case racing here
        each make a key and seal under their own; each key's row goes with its events, and
        a case may hold several keys."""
        now = time.monotonic()
        known = self._sealing.get(case_id)
        if known is not None and now - known[3] < SEAL_KEY_SECONDS:
            return known[0], known[1], known[2]
        key, key_id = random_bytes(32), random_bytes(16).hex()  # AES-256; 32 hex digits
        aead = AESGCM(key)
        wrapped = self._wrap(key_id, key)
        _keep(self._sealing, case_id, (key_id, aead, wrapped, now))
        _keep(self._keys, key_id, (aead, now))  # a key for each case this process files
        return key_id, aead, wrapped

    def _wrap(self, key_id: str, key: bytes) -> bytes:
        if self._master is None:
            return RAW + key
        nonce = random_bytes(NONCE)
        return WRAPPED + nonce + self._master.encrypt(nonce, key, key_id.encode())

    # -- unsealing ----------------------------------------------------------------------------

    def unseal(self, token: str) -> Sealed:
        """The token's text, or `[erased]` / `[unavailable]` when its key is gone or locked.
        Texts opened are remembered as long as their key is (`ttl`): a history is decoded
        several times over by one audit."""
        if not self._unsealing:
            return Sealed(SEALED, token)
        now = time.monotonic()
        opened = self._opened.get(token)  # a dict read needs no lock
        if opened is not None and now - opened[1] < self._ttl:
            return opened[0]
        if not token.startswith(TOKEN_PREFIX):
            return Sealed(UNAVAILABLE, token)
        key_id = key_id_of(token)
        key, fetched_at = self._key(key_id, now)
        if isinstance(key, str):
            return Sealed(key, token)
        try:
            raw = binascii.a2b_base64(token[len(TOKEN_PREFIX) + 33 :])
            text = key.decrypt(raw[:NONCE], raw[NONCE:], key_id.encode()).decode()
        except (InvalidTag, ValueError):
            return Sealed(UNAVAILABLE, token)
        sealed = Sealed(text, token)
        _keep(self._opened, token, (sealed, fetched_at))
        return sealed

    def _key(self, key_id: str, now: float) -> tuple[AESGCM | str, float]:
        """The key (or why there is none) and when it was read from the table."""
        known = self._keys.get(key_id)
        if known is not None and (known[0] == ERASED or now - known[1] < self._ttl):
            return known
        with self._read() as cursor:
            cursor.execute(self._sql("SELECT wrapped FROM subject_keys WHERE key_id = ?"), [key_id])
            row = cursor.fetchone()
        wrapped = None if row is None else _first(row)
        key = ERASED if wrapped is None else self._unwrap(key_id, bytes(wrapped))
        with self._lock:
            _keep(self._keys, key_id, (key, now))
        return key, now

    def _unwrap(self, key_id: str, wrapped: bytes) -> AESGCM | str:
        if wrapped[:1] == RAW:
            return AESGCM(wrapped[1:])
        if self._master is None:
            return UNAVAILABLE
        try:
            nonce, sealed = wrapped[1 : 1 + NONCE], wrapped[1 + NONCE :]
            return AESGCM(self._master.decrypt(nonce, sealed, key_id.encode()))
        except InvalidTag:
            return UNAVAILABLE

    # -- erasure ------------------------------------------------------------------------------

    def keys_by_case(self, subject_id: str) -> dict[str, list[str]]:
        """The subject's key ids (erased or not), by the case each seals."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql("SELECT case_id, key_id FROM subject_keys WHERE subject_id = ?"),
                [subject_id],
            )
            found: dict[str, list[str]] = {}
            for row in cursor.fetchall():
                case_id, key_id = (row["case_id"], row["key_id"]) if isinstance(row, dict) else row
                found.setdefault(case_id, []).append(key_id)
            return found

    def shred(self, cursor: Any, subject_id: str) -> None:
        """Destroy the subject's keys, in the caller's transaction (`cursor`)."""
        cursor.execute(
            self._sql(
                "UPDATE subject_keys SET wrapped = NULL, erased_at = ? "
                "WHERE subject_id = ? AND wrapped IS NOT NULL"
            ),
            [self._now(), subject_id],
        )

    def forget(self, key_ids: Sequence[str]) -> None:
        """Drop this process's copies of erased keys (after the shredding committed)."""
        now = time.monotonic()
        erased = set(key_ids)
        with self._lock:
            for case_id, known in list(self._sealing.items()):  # a copy: sealing goes on
                if known[0] in erased:
                    self._sealing.pop(case_id, None)
            for key_id in key_ids:
                self._keys[key_id] = (ERASED, now)
            self._opened.clear()

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._datastore.transaction(commit=True) as cursor:
            yield cursor

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A cursor for one read. PostgreSQL: on the pool's autocommit connection, one round
        trip, not BEGIN, SELECT, COMMIT (the first key a fresh process looks up waits on it)."""
        if not self._postgres:
            with self._transaction() as cursor:
                yield cursor
            return
        with self._datastore.get_connection() as conn, conn.cursor() as cursor:
            yield cursor

    def transaction(self) -> Any:
        """A transaction on the event store's own connection (SQLite or PostgreSQL)."""
        return self._transaction()

    def _now(self) -> Any:
        now = datetime.now(UTC)
        return now if self._postgres else now.isoformat()  # SQLite: ISO text, sorted as time

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self._postgres else statement

    @property
    def insert_key(self) -> str:
        return self._sql(INSERT_KEY)


def _keep(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Put `value` in one of the keyring's caches, each bounded by CACHE_LIMIT: a full one is
    emptied first (an API process makes a key for each case it files)."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]
