"""A command changes a copy of the cached case (the repository deep-copies it). The copy
shares the case's messages, which are written once and never changed in place, and owns
everything else: whatever a command does to the copy, the cached case is as it was."""

from __future__ import annotations

import copy
from datetime import timedelta

from support.builders import CONSUMER, MONDAY, STAFF, STORE, by, events, policy, submit

from domain.case import Case
from domain.sealing import ERASED, Sealed, sealing

BIGGREY = policy("biggrey")


def _seal(text: str) -> Sealed:
    return Sealed(text, f"rs1.{'k' * 32}.{len(text)}")


def _case_with_messages(n: int) -> Case:
    with sealing(_seal):
        case = submit("biggrey", "warranty_claim")
        for i in range(n):
            at = MONDAY + timedelta(minutes=i + 1)
            case.post_message(BIGGREY, by(CONSUMER, at), f"message {i}")
    case.collect_events()  # as cached: nothing pending
    return case


def _everything(case: Case) -> dict[str, object]:
    """The case's state, compared by value (a deep copy of it, taken now)."""
    return copy.deepcopy({k: v for k, v in vars(case).items() if k != "messages"}) | {
        "messages": [dict(m) for m in case.messages]
    }


def test_a_copy_shares_each_message_but_not_the_list() -> None:
    cached = _case_with_messages(3)
    copied = copy.deepcopy(cached)
    assert copied is not cached and copied.messages is not cached.messages
    assert all(a is b for a, b in zip(copied.messages, cached.messages, strict=True))
    assert copied.deadlines is not cached.deadlines and copied.order is not cached.order
    assert copied.version == cached.version and copied.head_hash == cached.head_hash


def test_commands_on_the_copy_leave_the_cached_case_as_it_was() -> None:
    cached = _case_with_messages(3)
    before = _everything(cached)
    copied = copy.deepcopy(cached)
    later = MONDAY + timedelta(days=1)
    with sealing(_seal):
        copied.post_message(BIGGREY, by(STORE, later), "a reply")
        copied.erase_subject(BIGGREY, by(STAFF, later), "asked", ["k" * 32], {})
    assert [m["body"] for m in copied.messages] == [ERASED] * 4
    assert _everything(cached) == before
    assert [m["body"] for m in cached.messages] == ["message 0", "message 1", "message 2"]
    assert len(events(copied)) == 2 and cached.version == copied.version - 2
