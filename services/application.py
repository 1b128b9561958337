"""The service layer: use cases over the event store (get → call → save).

One eventsourcing `Application` holds both cases and stores, so a case command and the store
consequences it has (a warning, a revoked certificate) are saved in one transaction.
Methods return plain data, never aggregates.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as time_of_day
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache
from eventsourcing.persistence import (
    IntegrityError,
    InternalError,
    JSONTranscoder,
    OperationalError,
    ProgrammingError,
)
from psycopg_pool import ConnectionPool

from domain.actors import By
from domain.calendar import BusinessCalendar
from domain.case import Case, verify_chain
from domain.case_events import CaseEvent
from domain.errors import UnknownStore
from domain.explain import explain
from domain.filing import Order, check_not_refunded_before
from domain.money import NO_RATES, ExchangeRates
from domain.policies import Policy, PolicyBook, default_policy_book
from domain.store import Store, concerns_store, react_to_case, store_uuid
from domain.translations import (
    TranslationEvent,
    Translations,
    translations_uuid,
    verify_translations,
)
from domain.what_if import moved_deadlines
from services import bulk_get
from services.case_view import case_state, merged_history, with_translations
from services.event_recorders import ReadVersions, StaleRead
from services.group_commit import GroupCommit
from services.idempotent_outcomes import Answer, Outcome, outcome_of
from services.observability import EVENTS_APPENDED
from services.transcodings import CalendarAsDict, DeadlineAsDict

MAX_CONFLICT_RETRIES = 8
SNAPSHOT_INTERVAL = 100
START_ATTEMPTS = 5
RECONNECT_SECONDS = 4.0  # a lost event-store connection's retries, before a fresh start
STORE_FACTS_LIMIT = 10_000  # stores remembered for filing; beyond, start again (a query each)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """The waits before retrying a command that lost a race to another process's commit:
    retry n (from 0) waits a random time in [0, min(cap, base · 2ⁿ)] seconds ("full jitter"),
    so racing processes spread out rather than collide again in step. `attempts` retries at
    most, then the conflict is the caller's (409)."""

    attempts: int = 40
    base: float = 0.002
    cap: float = 0.1

    def waits(self) -> Iterator[float]:
        for n in range(self.attempts):
            yield random.uniform(0, min(self.cap, self.base * 2**n))


CONFLICT_BACKOFF = Backoff()


class CaseNotFound(Exception):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class StoreNotFound(Exception):
    def __init__(self, store_id: str) -> None:
        super().__init__(f"no store {store_id}")
        self.store_id = store_id


class StoreExists(Exception):
    pass


class VersionMismatch(Exception):
    """`If-Match` named a version that is no longer current."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"the case is at version {actual}, not {expected}")
        self.expected, self.actual = expected, actual


class PlatformMismatch(Exception):
    pass


@dataclass(frozen=True)
class NewCase:
    platform: str
    store_id: str
    consumer_id: str
    kind: str
    order: Order
    description: str
    language: str | None = None
    fields: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StoreFacts:
    """What filing a case reads of its store, as of `version`."""

    id: UUID
    version: int
    platform: str
    certified: bool
    country: str
    timezone: str
    subdivision: str | None
    refunded_orders: frozenset[str]

    @classmethod
    def of(cls, store: Store) -> StoreFacts:
        # The version first: the library applies an event's changes before its version, so an
        # attribute newer than this version belongs to a later, committed event, and the
        # commit's check of this version refuses the filing (services.event_recorders).
        version = store.version
        return cls(
            store.id,
            version,
            store.platform,
            store.certified,
            store.country,
            store.timezone,
            store.subdivision,
            frozenset(store.refunded_orders),
        )


class Redress(Application[UUID]):
    name = "redress"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        policies: PolicyBook | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        env = {"IS_SNAPSHOTTING_ENABLED": "y", **(env or {})}
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                super().__init__(env=env)
                break
            except (InternalError, IntegrityError, ProgrammingError) as error:
                # Processes starting together on PostgreSQL race on the library's start-up
                # DDL ("tuple concurrently updated"; both creating one type: "duplicate key
                # ... pg_type_typname_nsp_index"; one table: "relation ... already exists",
                # IF NOT EXISTS notwithstanding); the loser tries again.
                ddl_race = not isinstance(error, ProgrammingError) or "already exists" in str(error)
                if attempt == START_ATTEMPTS or not ddl_race:
                    raise
                log.warning("event store not ready (%s); retrying", error)
                time.sleep(0.2 * attempt)
        self._reconnect_soon()
        # New cases are filed under the current policies; a case follows its own version.
        self.policy_book = policies or default_policy_book()
        self.policies = self.policy_book.current
        self.rates = rates
        self._group_commit = GroupCommit(super().save)
        self._store_facts: dict[str, StoreFacts] = {}

    @property
    def connection_pool(self) -> ConnectionPool | None:
        """The event store's psycopg pool (PostgreSQL), for SQLAlchemy to borrow from."""
        pool = getattr(getattr(self.factory, "datastore", None), "pool", None)
        return pool if isinstance(pool, ConnectionPool) else None

    def _reconnect_soon(self) -> None:
        """After an outage, get back to PostgreSQL within seconds of its return. The pool
        retries a lost connection with exponential backoff for 5 minutes: after 30 s away its
        next try could be 30 s off. Giving up after a few seconds lets the next request start
        a fresh try at once."""
        pool = self.connection_pool
        if pool is not None:
            pool.reconnect_timeout = RECONNECT_SECONDS

    def save(
        self,
        *objs: Any,
        reads: ReadVersions | None = None,
        outcome: Outcome | None = None,
        **kwargs: Any,
    ) -> Any:
        """Save through the group commit: this call's events share a transaction with other
        threads' concurrent saves, and return once committed. `reads`: the versions of other
        aggregates the events were decided on; if one has moved since, StaleRead. `outcome`:
        the idempotent answer to the request, committed with the events."""
        if kwargs:  # tracking records and the like: the library's own path
            return super().save(*objs, **kwargs)
        events = [
            e
            for o in objs
            if o is not None
            for e in (o.collect_events() if hasattr(o, "collect_events") else [o])
        ]
        if not events:
            return []
        recordings = self._group_commit.save(events, reads, [outcome] if outcome else [])
        if outcome is not None:
            outcome.claim.settled = True
        for event in events:
            EVENTS_APPENDED.labels(type(event).__name__).inc()
        return recordings

    def forget_cached(self) -> None:
        """Drop the in-memory aggregates. Only needed when stored events were removed under a
        running process (a test's reset, a database restored from an older backup)."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            with cache.lock:
                cache.cache.clear()
                cache.clear()
                cache.full = False
        elif cache is not None:
            cache.cache.clear()
        self._store_facts.clear()  # they were read from those aggregates

    def close(self) -> None:
        self._group_commit.close()
        super().close()

    # -- stores ------------------------------------------------------------------------------

    def register_store(
        self,
        by: By,
        *,
        store_id: str,
        platform: str,
        name: str,
        certified: bool,
        country: str,
        timezone: str,
        subdivision: str | None = None,
        language: str | None = None,
        contact_hours: list[str] | None = None,
    ) -> dict[str, Any]:
        if platform not in self.policies:
            raise UnknownStore(f"unknown platform {platform!r}")
        store = Store(
            store_id=store_id,
            platform=platform,
            name=name,
            certified=certified,
            country=country,
            timezone=timezone,
            occurred_at=by.occurred_at,
            actor=by.actor.as_dict(),
            subdivision=subdivision,
            language=language,
            contact_hours=contact_hours,
        )
        try:
            self.save(store)
        except IntegrityError:
            raise StoreExists(store_id) from None
        return store.as_dict()

    def get_store(self, store_id: str) -> dict[str, Any]:
        return self._store(store_id, copy=False).as_dict()

    def act_on_store(self, store_id: str, command: Callable[[Store], None]) -> dict[str, Any]:
        """Run a staff command on a store's certificate (warn, revoke, grant)."""
        for _attempt in range(MAX_CONFLICT_RETRIES):
            store = self._store(store_id)
            command(store)
            try:
                self.save(store)
            except IntegrityError:
                continue
            return store.as_dict()
        raise IntegrityError(f"store {store_id}: gave up after {MAX_CONFLICT_RETRIES} conflicts")

    def _store(self, store_id: str, *, copy: bool = True) -> Store:
        """The store (a private copy to change when `copy`; reads share the cached one)."""
        try:
            store: Store = self.repository.get(store_uuid(store_id), deepcopy_from_cache=copy)
        except AggregateNotFoundError:
            raise StoreNotFound(store_id) from None
        return store

    # -- cases -------------------------------------------------------------------------------

    def submit_case(self, by: By, new: NewCase, answer: Answer | None = None) -> dict[str, Any]:
        """File a case on what this process knows of its store; the commit checks that the
        store has not changed since, and if it has, the filing is decided again on a fresh
        read. So the usual filing costs no read of the store at all. `answer`: how the
        caller will answer the request, committed with the case if the request is idempotent."""
        policy = self.policies[new.platform]
        for attempt in range(MAX_CONFLICT_RETRIES):
            store = self._facts(new.store_id, fresh=attempt > 0)
            if store.platform != new.platform:
                raise UnknownStore(
                    f"store {new.store_id!r} is on {store.platform}, not {new.platform}"
                )
            check_not_refunded_before(policy, new.kind, new.order, store.refunded_orders)
            case = Case.submit(
                policy,
                by,
                store_id=new.store_id,
                consumer_id=new.consumer_id,
                kind=new.kind,
                order=new.order,
                description=new.description,
                language=new.language,
                fields=dict(new.fields or {}),
                certified=store.certified,
                calendar=self._calendar(policy, store),
            )
            state = case_state(case)
            try:
                self.save(case, reads={store.id: store.version}, outcome=outcome_of(answer, state))
            except StaleRead:
                continue
            return state
        raise StaleRead(f"store {new.store_id}: gave up after {MAX_CONFLICT_RETRIES} changes")

    def _facts(self, store_id: str, *, fresh: bool) -> StoreFacts:
        if not fresh and (known := self._store_facts.get(store_id)) is not None:
            return known
        try:
            facts = StoreFacts.of(self._store(store_id, copy=False))
        except StoreNotFound:
            raise UnknownStore(f"no store {store_id!r} is registered") from None
        if len(self._store_facts) >= STORE_FACTS_LIMIT:
            self._store_facts.clear()
        self._store_facts[store_id] = facts
        return facts

    def act(
        self,
        case_id: UUID,
        by: By,
        command: Callable[[Case, Policy], None],
        *,
        expected_version: int | None = None,
        authorize: Callable[[Case], None] | None = None,
        answer: Answer | None = None,
    ) -> dict[str, Any]:
        """Run a command on the current case; retried when a concurrent write won the race,
        unless the caller pinned the version with `If-Match`. `authorize` sees the case first
        and raises if the caller may not act on it; `answer` as for `submit_case`."""
        waits = CONFLICT_BACKOFF.waits()
        while True:
            case = self._case(case_id)
            if authorize is not None:
                authorize(case)
            if expected_version is not None and case.version != expected_version:
                raise VersionMismatch(expected_version, case.version)
            command(case, self.policy_of(case))
            state = with_translations(case_state(case), self.translations_of(case_id))
            try:
                self._save_with_store(case, outcome_of(answer, state))
            except IntegrityError:
                if expected_version is not None:
                    raise VersionMismatch(expected_version, self._case(case_id).version) from None
                if (wait := next(waits, None)) is None:
                    raise
                time.sleep(wait)
                continue
            return state

    def record_timeout(self, case_id: UUID, deadline_id: str, now: datetime) -> bool:
        """Ask a case to act on its expired deadline. False if it was no longer pending."""
        for _attempt in range(MAX_CONFLICT_RETRIES):
            case = self._case(case_id)
            if not case.time_out(self.policy_of(case), deadline_id, now, self.rates):
                return False
            try:
                self._save_with_store(case)
            except IntegrityError:
                continue
            return True
        raise IntegrityError(f"case {case_id}: gave up after {MAX_CONFLICT_RETRIES} conflicts")

    def record_timeouts(self, timeouts: Sequence[tuple[UUID, str]], now: datetime) -> list[bool]:
        """`record_timeout` for many cases (one deadline each) in one save: one lock and one
        commit for all. Raises if any case does (a conflict, a broken case) and then saves
        nothing: the caller records them one by one to find out which."""
        changed: list[tuple[Case, int]] = []  # with how many events each records
        outcomes = []
        cases = self._cases([case_id for case_id, _ in timeouts])
        for case, (case_id, deadline_id) in zip(cases, timeouts, strict=True):
            policy = self.policy_of(case)
            fired = case.time_out(policy, deadline_id, now, self.rates)
            if concerns_store(case.pending_events, policy.no_second_return_after_refund):
                raise ValueError(f"case {case_id}: a timeout that changes a store goes alone")
            if fired:
                changed.append((case, len(case.pending_events)))
            outcomes.append(fired)
        self.save(*[case for case, _ in changed])
        for case, saved in changed:
            self._maybe_snapshot(case, saved)
        return outcomes

    def policy_of(self, case: Case) -> Policy:
        """The policy version the case was filed under."""
        return self.policy_book.get(case.platform, case.policy_version)

    def _cases(self, case_ids: Sequence[UUID]) -> list[Case]:
        """Private copies of many cases; on PostgreSQL in two queries, not two per case."""
        if not bulk_get.supports(self):
            return [self._case(case_id) for case_id in case_ids]
        found = bulk_get.get_many(self, case_ids)
        for case_id in case_ids:
            if not isinstance(found.get(case_id), Case):
                raise CaseNotFound(str(case_id))
        return [found[case_id] for case_id in case_ids]

    def _save_with_store(self, case: Case, outcome: Outcome | None = None) -> None:
        pending = list(case.pending_events)
        tracks = self.policy_of(case).no_second_return_after_refund
        if concerns_store(pending, tracks):
            store = self._store(case.store_id)
            if react_to_case(store, case, pending, tracks_refunded_orders=tracks):
                self.save(case, store, outcome=outcome)
                self._maybe_snapshot(case, len(pending))
                return
        self.save(case, outcome=outcome)
        self._maybe_snapshot(case, len(pending))

    def _maybe_snapshot(self, case: Case, saved: int) -> None:
        """Every SNAPSHOT_INTERVAL events, store the case's state, so current and past
        states of long cases are rebuilt from the nearest snapshot, not from the start.
        Best effort: the events are already committed, and a missing snapshot costs time only."""
        if (
            self.snapshots is None
            or case.version // SNAPSHOT_INTERVAL == (case.version - saved) // SNAPSHOT_INTERVAL
        ):
            return
        try:
            self.snapshots.put([Case.Snapshot.take(case)])
        except (IntegrityError, OperationalError) as failure:
            log.warning("no snapshot of case %s at version %d: %s", case.id, case.version, failure)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DeadlineAsDict())
        transcoder.register(CalendarAsDict())

    # -- reads -------------------------------------------------------------------------------

    def get_case(
        self, case_id: UUID, *, version: int | None = None, at: datetime | None = None
    ) -> dict[str, Any]:
        if at is not None:
            version = self._version_at(case_id, at)
        state = case_state(self._case(case_id, version, copy=False))
        return with_translations(state, self.translations_of(case_id))

    def case_header(self, case_id: UUID) -> tuple[str, str, str]:
        """(platform, store_id, consumer_id): what scope checks need."""
        case = self._case(case_id, copy=False)
        return case.platform, case.store_id, case.consumer_id

    def history(self, case_id: UUID) -> list[dict[str, Any]]:
        return self.history_with_parties(case_id)[1]

    def history_with_parties(self, case_id: UUID) -> tuple[tuple[str, str], list[dict[str, Any]]]:
        """The history (the case's events and its translations, in the order recorded) and
        (store_id, consumer_id), from one read of each stream."""
        events = self._events(case_id)
        first = events[0].data
        entries = merged_history(events, self._translation_events(case_id))
        return (first["store_id"], first["consumer_id"]), entries

    def explain_deadline(
        self, case_id: UUID, deadline_id: str, *, version: int | None = None
    ) -> tuple[tuple[str, str], dict[str, Any]]:
        """Why a deadline (pending or past) is due when it is, from the history up to
        `version` (default: all of it); with (store_id, consumer_id) for scope checks."""
        events = self._events(case_id)
        if version is not None:
            events = [e for e in events if e.originator_version <= version]
        first = events[0].data
        followed = self._case(case_id, version, copy=False).policy_version  # as of then
        policy = self.policy_book.get(first["platform"], followed)
        return (first["store_id"], first["consumer_id"]), explain(policy, events, deadline_id)

    def moved_deadlines(self, case_id: UUID, other: Policy, now: datetime) -> list[dict[str, Any]]:
        """The case's pending deadlines that would fall due at another time under `other`."""
        events = self._events(case_id)
        first = events[0].data
        current = self.policy_book.get(first["platform"], first["policy_version"])
        return moved_deadlines(events, current, other, now)

    def change_policy_version(self, case_id: UUID, by: By, version: int) -> dict[str, Any]:
        """Move an open case to another version of its platform's policy, recording which
        pending deadlines move (PolicyVersionChanged); its past stays as it was."""
        for _attempt in range(MAX_CONFLICT_RETRIES):
            case = self._case(case_id)
            target = self.policy_book.get(case.platform, version)
            events = self._events(case_id)[: case.version]
            moves = moved_deadlines(events, self.policy_of(case), target, by.occurred_at)
            case.change_policy_version(
                target,
                by,
                [
                    {
                        "deadline_id": m["deadline_id"],
                        "kind": m["kind"],
                        "due_before": m["due_now"],
                        "due_after": m["due_then"],
                    }
                    for m in moves
                ],
            )
            try:
                self.save(case)
            except IntegrityError:
                continue
            return case_state(case)
        raise IntegrityError(f"case {case_id}: gave up after {MAX_CONFLICT_RETRIES} conflicts")

    def contact_window(
        self, case_id: UUID, role: str
    ) -> tuple[BusinessCalendar, tuple[time_of_day, time_of_day], frozenset[str]]:
        """When a mail about this case may reach `role`: the case's calendar, the recipient's
        contact hours (a store's own, else the policy's) and the events urgent enough for
        any hour."""
        case = self._case(case_id, copy=False)
        policy = self.policy_of(case)
        hours = policy.calendar.contact_hours
        if role == "store":
            with contextlib.suppress(StoreNotFound):
                hours = self._store(case.store_id, copy=False).contact_hours or hours
        return case.calendar, hours, frozenset(policy.urgent_mail)

    def verify(self, case_id: UUID) -> dict[str, Any]:
        """The case's hash chain (the top-level figures) and, once the case has
        translations, theirs (under `translations`); `valid` covers both."""
        valid, checked, head = verify_chain(self._events(case_id))
        verdict: dict[str, Any] = {"valid": valid, "events": checked, "head_hash": head}
        if translated := self._translation_events(case_id):
            t_valid, t_checked, t_head = verify_translations(translated)
            verdict["valid"] = valid and t_valid
            verdict["translations"] = {"valid": t_valid, "events": t_checked, "head_hash": t_head}
        return verdict

    # -- translations ------------------------------------------------------------------------

    def translations_of(self, case_id: UUID) -> Translations | None:
        """The case's translations so far (shared, read only), or None when it has none."""
        try:
            found: Translations = self.repository.get(
                translations_uuid(case_id), deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return None
        return found

    def preferred_languages(
        self, case_id: UUID, submitted: Any = None
    ) -> tuple[str | None, str | None]:
        """(the consumer's language, the store's): the consumer's from filing, the store's
        from its registration or its country. `submitted`: the filing event, when at hand."""
        if submitted is not None:
            consumer, store_id = submitted.language, submitted.store_id
        else:
            case = self._case(case_id, copy=False)
            consumer, store_id = case.language, case.store_id
        try:
            store = self._store(store_id, copy=False).preferred_language
        except StoreNotFound:
            store = None
        return consumer, store

    def record_translations(self, case_id: UUID, settle: Callable[[Translations], int]) -> int:
        """Let `settle` record outcomes on the case's translations (it returns how many it
        recorded: one already recorded, by anyone, is not recorded again); retried on a
        concurrent write. Returns how many were recorded."""
        for _attempt in range(MAX_CONFLICT_RETRIES):
            try:
                translations: Translations = self.repository.get(translations_uuid(case_id))
            except AggregateNotFoundError:
                translations = Translations.start(case_id)
            recorded = settle(translations)
            if not recorded:
                return 0
            try:
                self.save(translations)
            except IntegrityError:
                continue
            return recorded
        raise IntegrityError(f"translations of {case_id}: gave up after conflicts")

    def _translation_events(self, case_id: UUID) -> list[TranslationEvent]:
        stream = self.events.get(translations_uuid(case_id))
        return [e for e in stream if isinstance(e, TranslationEvent)]

    def _events(self, case_id: UUID) -> list[CaseEvent]:
        events = [e for e in self.events.get(case_id) if isinstance(e, CaseEvent)]
        if not events:
            raise CaseNotFound(str(case_id))
        return events

    def _version_at(self, case_id: UUID, at: datetime) -> int:
        """The last version recorded at or before `at` (wall clock)."""
        version = None
        for e in self._events(case_id):
            if e.timestamp <= at.astimezone(UTC):
                version = e.originator_version
        if version is None:
            raise CaseNotFound(str(case_id))
        return version

    def _case(self, case_id: UUID, version: int | None = None, *, copy: bool = True) -> Case:
        """The case (a private copy to change when `copy`; reads share the cached one)."""
        try:
            case: object = self.repository.get(case_id, version=version, deepcopy_from_cache=copy)
        except AggregateNotFoundError:
            raise CaseNotFound(str(case_id)) from None
        if not isinstance(case, Case):
            raise CaseNotFound(str(case_id))
        return case

    @staticmethod
    def _calendar(policy: Policy, store: StoreFacts) -> BusinessCalendar:
        spec = policy.calendar
        if spec.store_calendar and store.country and store.timezone:
            return BusinessCalendar(
                store.country, store.timezone, *spec.business_hours, subdivision=store.subdivision
            )
        return spec.calendar()
