"""The service layer: use cases over the event store (get → call → save).

One eventsourcing `Application` holds both cases and stores, so a case command and the store
consequences it has (a warning, a revoked certificate) are saved in one transaction.
Methods return plain data, never aggregates. How events are saved and read (group commit,
snapshots, bulk reads) is the plumbing's: services.eventstore.application.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as time_of_day
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.actors import By
from domain.calendar import BusinessCalendar
from domain.case import Case, resealed_hashes, verify_chain
from domain.case_events import CaseEvent
from domain.errors import UnknownStore
from domain.explain import explain
from domain.filing import Order, check_not_refunded_before
from domain.money import NO_RATES, ExchangeRates
from domain.policies import Policy, PolicyBook, default_policy_book
from domain.sealing import scrubbed, subject_of
from domain.store import Store, concerns_store, react_to_case, store_uuid
from domain.translations import (
    TranslationEvent,
    Translations,
    translations_uuid,
    verify_translations,
)
from domain.what_if import moved_deadlines
from services.case_view import (
    case_state,
    erased_keys,
    merged_history,
    with_translations,
    without_plain_translations,
)
from services.eventstore.application import EventStoreApplication
from services.eventstore.recorders import StaleRead
from services.eventstore.subject_keys import KeyRow
from services.idempotent_outcomes import Answer, Outcome, outcome_of

MAX_CONFLICT_RETRIES = 8
STORE_FACTS_LIMIT = 10_000  # stores remembered for filing; beyond, start again (a query each)


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
T = TypeVar("T")


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
        # commit's check of this version refuses the filing (services.eventstore.recorders).
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


class Redress(EventStoreApplication):
    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        policies: PolicyBook | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        super().__init__(env)
        # New cases are filed under the current policies; a case follows its own version.
        self.policy_book = policies or default_policy_book()
        self.policies = self.policy_book.current
        self.rates = rates
        self._store_facts: dict[str, StoreFacts] = {}

    def forget_cached(self) -> None:
        super().forget_cached()
        self._store_facts.clear()  # they were read from those aggregates

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

        def attempt() -> dict[str, Any]:
            store = self._store(store_id)
            command(store)
            self.save(store)
            return store.as_dict()

        return self._retried(attempt)

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
        subject, case_id = subject_of(new.platform, new.consumer_id), uuid4()
        for attempt in range(MAX_CONFLICT_RETRIES):
            store = self._facts(new.store_id, fresh=attempt > 0)
            if store.platform != new.platform:
                raise UnknownStore(
                    f"store {new.store_id!r} is on {store.platform}, not {new.platform}"
                )
            check_not_refunded_before(policy, new.kind, new.order, store.refunded_orders)
            with self.keyring.sealing(subject, str(case_id)) as keys:
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
                    case_id=case_id,
                )
            state = case_state(case)
            try:
                self.save(
                    case,
                    reads={store.id: store.version},
                    outcome=outcome_of(answer, state),
                    keys=keys,
                )
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

        def attempt() -> dict[str, Any]:
            case = self._case(case_id)
            if authorize is not None:
                authorize(case)
            if expected_version is not None and case.version != expected_version:
                raise VersionMismatch(expected_version, case.version)
            with self.keyring.sealing(case.subject_id, str(case_id), case.erased_keys) as keys:
                command(case, self.policy_of(case))
            state = self._state(case)
            try:
                self._save_with_store(case, outcome_of(answer, state), keys)
            except IntegrityError:
                if expected_version is None:
                    raise  # retried
                raise VersionMismatch(expected_version, self._case(case_id).version) from None
            return state

        return self._retried(attempt)

    def record_timeout(self, case_id: UUID, deadline_id: str, now: datetime) -> bool:
        """Ask a case to act on its expired deadline. False if it was no longer pending."""

        def attempt() -> bool:
            case = self._case(case_id)
            if not case.time_out(self.policy_of(case), deadline_id, now, self.rates):
                return False
            self._save_with_store(case)
            return True

        return self._retried(attempt)

    @staticmethod
    def _retried(attempt: Callable[[], T]) -> T:
        """Run `attempt` (get → command → save) and, each time its save loses a race to
        another process's commit, again on a fresh read after a CONFLICT_BACKOFF wait; once
        the waits run out the conflict is the caller's (409)."""
        waits = CONFLICT_BACKOFF.waits()
        while True:
            try:
                return attempt()
            except IntegrityError:
                if (wait := next(waits, None)) is None:
                    raise
                time.sleep(wait)

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
            self.maybe_snapshot(case, saved)
        return outcomes

    def policy_of(self, case: Case) -> Policy:
        """The policy version the case was filed under."""
        return self.policy_book.get(case.platform, case.policy_version)

    def _cases(self, case_ids: Sequence[UUID]) -> list[Case]:
        """Private copies of many cases; on PostgreSQL in two queries, not two per case."""
        found = self.get_many(case_ids)
        for case_id in case_ids:
            if not isinstance(found.get(case_id), Case):
                raise CaseNotFound(str(case_id))
        return [found[case_id] for case_id in case_ids]

    def _save_with_store(
        self, case: Case, outcome: Outcome | None = None, keys: Sequence[KeyRow] = ()
    ) -> None:
        pending = list(case.pending_events)
        tracks = self.policy_of(case).no_second_return_after_refund
        if concerns_store(pending, tracks):
            store = self._store(case.store_id)
            if react_to_case(store, case, pending, tracks_refunded_orders=tracks):
                self.save(case, store, outcome=outcome, keys=keys)
                self.maybe_snapshot(case, len(pending))
                return
        self.save(case, outcome=outcome, keys=keys)
        self.maybe_snapshot(case, len(pending))

    # -- reads -------------------------------------------------------------------------------

    def get_case(
        self, case_id: UUID, *, version: int | None = None, at: datetime | None = None
    ) -> dict[str, Any]:
        erased: list[str] | None = None  # a past state predates any erasure since: named here
        if at is not None:
            events = self._events(case_id)
            version = self._version_at(events, at)
            erased = sorted(erased_keys(events))
        elif version is not None:
            erased = self._case(case_id, copy=False).erased_keys
        return self._state(self._case(case_id, version, copy=False), erased)

    def _state(self, case: Case, erased: list[str] | None = None) -> dict[str, Any]:
        """The case body with its translations; values sealed under erased keys read as
        erased even where this process still holds an aggregate decoded before."""
        state = with_translations(case_state(case), self.translations_of(case.id))
        erased = case.erased_keys if erased is None else erased
        if not erased:
            return state
        return without_plain_translations(scrubbed(state, frozenset(erased)))

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
        if erased := erased_keys(events):
            entries = scrubbed(entries, erased)
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

        def attempt() -> dict[str, Any]:
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
            self.save(case)
            return case_state(case)

        return self._retried(attempt)

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
        events = self._events(case_id)
        valid, checked, head = verify_chain(events)
        verdict: dict[str, Any] = {"valid": valid, "events": checked, "head_hash": head}
        if translated := self._translation_events(case_id):
            t_valid, t_checked, t_head = verify_translations(translated, resealed_hashes(events))
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
            case = self._case(case_id, copy=False)
            with self.keyring.sealing(case.subject_id, str(case_id), case.erased_keys) as keys:
                recorded = settle(translations)
            if not recorded:
                return 0
            try:
                self.save(translations, keys=keys)
            except IntegrityError:
                continue
            return recorded
        raise IntegrityError(f"translations of {case_id}: gave up after conflicts")

    def recorded_events(self, case_id: UUID) -> tuple[list[CaseEvent], list[TranslationEvent]]:
        """The case's events and its translations' events, as stored (services.erasure)."""
        return self._events(case_id), self._translation_events(case_id)

    def _translation_events(self, case_id: UUID) -> list[TranslationEvent]:
        stream = self.events.get(translations_uuid(case_id))
        return [e for e in stream if isinstance(e, TranslationEvent)]

    def _events(self, case_id: UUID) -> list[CaseEvent]:
        events = [e for e in self.events.get(case_id) if isinstance(e, CaseEvent)]
        if not events:
            raise CaseNotFound(str(case_id))
        return events

    @staticmethod
    def _version_at(events: list[CaseEvent], at: datetime) -> int:
        """The last version recorded at or before `at` (wall clock)."""
        version = None
        for e in events:
            if e.timestamp <= at.astimezone(UTC):
                version = e.originator_version
        if version is None:
            raise CaseNotFound(str(events[0].originator_id))
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
