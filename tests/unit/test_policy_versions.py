"""Policies are versioned: every version stays loadable, a case follows the version it was
filed under, and a policy changed without a raised version is refused, naming the file."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from support.builders import CONSUMER, MONDAY, by, calendar_of, events, library_mapper, order
from support.policies import copy_of_shipped as shipped_copy
from support.policies import edit
from support.policies import raise_version as raise_version_of

from domain.case import Case, verify_chain
from domain.case_events import CaseEvent, Submitted
from domain.errors import PolicyError
from domain.policies import PLATFORMS, load_policy_book, lock_policy_versions
from domain.policies.versions import SHIPPED, content_hash, read_lock

REPLY_24 = "after = { work_hours = 24 }"
REPLY_48 = "after = { work_hours = 48 }"


def copy_of_shipped(tmp_path: Path) -> Path:
    return shipped_copy(tmp_path / "policies")


def raise_version(directory: Path, platform: str, old: str, new: str) -> None:
    raise_version_of(directory, platform, (old, new))


def test_every_shipped_policy_version_is_locked_with_its_content() -> None:
    lock = read_lock(SHIPPED)
    book = load_policy_book()
    for platform in PLATFORMS:
        text = (SHIPPED / f"{platform}.toml").read_text("utf-8")
        assert lock[platform][book.current[platform].version] == content_hash(text)
        for version in book.versions(platform):
            assert version in lock[platform]


def test_a_policy_changed_without_a_raised_version_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    directory = copy_of_shipped(tmp_path)
    edit(directory / "bigben.toml", REPLY_24, REPLY_48)
    with pytest.raises(PolicyError) as refusal:
        load_policy_book(directory)
    assert str(directory / "bigben.toml") in str(refusal.value)
    assert "changed since version 1 was locked" in str(refusal.value)


def test_locking_never_rewrites_a_locked_version(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    edit(directory / "bigben.toml", REPLY_24, REPLY_48)
    with pytest.raises(PolicyError, match=r"bigben\.toml: changed since version 1"):
        lock_policy_versions(directory)
    assert read_lock(directory) == read_lock(SHIPPED)


def test_a_raised_version_is_refused_until_it_is_locked(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    raise_version(directory, "bigben", REPLY_24, REPLY_48)
    with pytest.raises(PolicyError, match=r"bigben.toml: version 2 is not in .*versions.lock"):
        load_policy_book(directory)
    assert lock_policy_versions(directory) == [("bigben", 2)]
    book = load_policy_book(directory)
    assert book.current["bigben"].version == 2
    assert book.versions("bigben") == [1, 2]
    assert book.get("bigben", 1) == load_policy_book().current["bigben"]


def test_a_raised_version_without_the_old_file_in_the_archive_is_refused(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    raise_version(directory, "bigben", REPLY_24, REPLY_48)
    lock_policy_versions(directory)
    missing = directory / "archive" / "bigben" / "v1.toml"
    missing.unlink()
    with pytest.raises(PolicyError) as refusal:
        load_policy_book(directory)
    assert f"{missing}: missing" in str(refusal.value)


def test_an_archived_file_must_hold_the_version_its_name_says(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    raise_version(directory, "bigben", REPLY_24, REPLY_48)
    lock_policy_versions(directory)
    archived = directory / "archive" / "bigben" / "v1.toml"
    archived.rename(archived.with_name("v7.toml"))
    with pytest.raises(PolicyError, match=r"v7.toml: holds version 1; name it v1.toml"):
        load_policy_book(directory)


def test_a_lowered_version_is_refused(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    raise_version(directory, "bigben", REPLY_24, REPLY_48)
    lock_policy_versions(directory)
    shutil.copy(directory / "archive" / "bigben" / "v1.toml", directory / "bigben.toml")
    with pytest.raises(PolicyError, match="archived version 1 is not older"):
        load_policy_book(directory)


def test_a_case_records_its_policy_version_and_follows_it(tmp_path: Path) -> None:
    directory = copy_of_shipped(tmp_path)
    raise_version(directory, "bigben", REPLY_24, REPLY_48)
    lock_policy_versions(directory)
    book = load_policy_book(directory)

    def file(version: int) -> Case:
        return Case.submit(
            book.get("bigben", version),
            by(CONSUMER, MONDAY),
            store_id="s1",
            consumer_id="c1",
            kind="complaint",
            order=order("50.00", "EUR", delivered_at=MONDAY - timedelta(days=1)),
            description="late",
            calendar=calendar_of("bigben"),
            certified=False,
        )

    old, new = file(1), file(2)
    assert (old.policy_version, new.policy_version) == (1, 2)
    assert old.deadlines[0].due_at == MONDAY + timedelta(days=1)  # 24 work hours
    assert new.deadlines[0].due_at == MONDAY + timedelta(days=2)  # 48 work hours
    assert last_submitted(new).policy_version == 2
    assert verify_chain(events(new))[0]


def last_submitted(case: Case) -> Submitted:
    return next(e for e in case.pending_events if isinstance(e, Submitted))


def as_submitted_version_1(case: Case) -> list[CaseEvent]:
    """The case as the store held it before Submitted recorded a policy version."""
    mapper = library_mapper()
    stored = [mapper.to_stored_event(e) for e in events(case)]
    first = json.loads(stored[0].state)
    assert first.pop("class_version") == 2
    del first["policy_version"]
    stored[0] = replace(stored[0], state=json.dumps(first).encode())
    loaded = [mapper.to_domain_event(s) for s in stored]
    return [e for e in loaded if isinstance(e, CaseEvent)]


def test_submitted_version_1_reads_back_under_policy_version_1_and_still_verifies() -> None:
    case = Case.submit(
        load_policy_book().current["bigben"],
        by(CONSUMER, MONDAY),
        store_id="s1",
        consumer_id="c1",
        kind="complaint",
        order=order("50.00", "EUR"),
        description="late",
        calendar=calendar_of("bigben"),
        certified=False,
    )
    loaded = as_submitted_version_1(case)
    assert isinstance(loaded[0], Submitted) and loaded[0].policy_version == 1
    assert verify_chain(loaded) == verify_chain(events(case))
    replayed = None
    for event in loaded:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Case) and replayed.policy_version == 1


def test_a_case_snapshot_from_before_policy_versions_is_read_under_version_1() -> None:
    case = Case.submit(
        load_policy_book().current["bigben"],
        by(CONSUMER, MONDAY),
        store_id="s1",
        consumer_id="c1",
        kind="complaint",
        order=order("50.00", "EUR"),
        description="late",
        calendar=calendar_of("bigben"),
        certified=False,
    )
    snapshot = Case.Snapshot.take(case)
    state = dict(snapshot.state)
    assert state.pop("class_version") == 2
    del state["policy_version"]
    old = replace(snapshot, state=state)  # type: ignore[misc]
    assert old.mutate(None).policy_version == 1  # type: ignore[attr-defined]
