"""Moving open cases to another policy version, on both backends: what-if lists exactly the
cases a change would move and records nothing; a migration records PolicyVersionChanged with
the old and new due times, the scheduler follows the new time, and the past stays as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.policies import copy_of_shipped, raise_version
from support.scheduler_harness import BACKENDS, STORE, Harness, local

from domain.actors import Actor, By
from domain.errors import DomainError
from domain.policies import load_policy_book, lock_policy_versions

LONDON = "Europe/London"
FIRST_RESPONSE = ("after = { work_days = 2 }", "after = { work_days = 3 }")


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    with Harness.per_backend(request, tmp_path_factory) as harness:
        yield harness


@pytest.fixture
def h(shared: Harness, tmp_path: Path) -> Iterator[Harness]:
    """A harness whose application also knows version 2 of biggrey (3 work days)."""
    directory = copy_of_shipped(tmp_path / "policies")
    assert raise_version(directory, "biggrey", FIRST_RESPONSE) == 2
    lock_policy_versions(directory)
    app = shared.reset().app
    book, app.policy_book = app.policy_book, load_policy_book(directory)
    yield shared
    app.policy_book = book


def test_what_if_lists_the_moves_then_a_migration_records_them(h: Harness) -> None:
    h.store("biggrey")
    monday = local("2025-06-02 10:00", LONDON)
    waiting = h.submit("biggrey", "warranty_claim", monday)
    answered = h.submit("biggrey", "warranty_claim", monday)
    h.act(answered, STORE, monday + timedelta(hours=1), "respond")
    v2 = h.app.policy_book.get("biggrey", 2)
    now = monday + timedelta(hours=2)
    assert h.app.moved_deadlines(answered, v2, now) == []
    (moved,) = h.app.moved_deadlines(waiting, v2, now)
    assert (moved["due_now"], moved["due_then"]) == (
        local("2025-06-05 00:00", LONDON),
        local("2025-06-06 00:00", LONDON),
    )
    assert h.app.get_case(waiting)["version"] == 1  # what-if recorded nothing

    state = h.app.change_policy_version(waiting, _admin(now), 2)
    assert (state["policy_version"], state["version"]) == (2, 2)
    change = h.app.history(waiting)[-1]
    assert change["type"] == "PolicyVersionChanged"
    assert change["data"]["moved"][0]["due_after"] == local("2025-06-06 00:00", LONDON)
    # Before the migration, the case still shows the old deadline, under version 1.
    before = h.app.get_case(waiting, version=1)
    assert (before["policy_version"], before["deadlines"][0]["due_at"]) == (
        1,
        local("2025-06-05 00:00", LONDON),
    )
    h.fires_at(waiting, local("2025-06-06 00:00", LONDON), "Reminded")


def test_a_case_already_on_that_version_is_refused(h: Harness) -> None:
    h.store("biggrey")
    case_id = h.submit("biggrey", "warranty_claim", local("2025-06-02 10:00", LONDON))
    with pytest.raises(DomainError) as refusal:
        h.app.change_policy_version(case_id, _admin(local("2025-06-02 11:00", LONDON)), 1)
    assert refusal.value.rule == "not_allowed_in_status"


def _admin(at: datetime) -> By:
    return By.at(Actor("admin", "ops-1"), at)
