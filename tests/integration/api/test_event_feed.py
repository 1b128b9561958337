"""The event feed over HTTP, on both backends: CloudEvents in the caller's scope, paged by a
cursor over all history without gaps or repeats."""

from __future__ import annotations

from typing import Any

import httpx
from support.api_server import Api, case_body


def every_page(client: httpx.Client, limit: int, after: str = "0") -> list[list[dict[str, Any]]]:
    pages = []
    while True:
        answer = client.get("/v1/events", params={"after": after, "limit": limit})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append(page["items"])
        after = page["next_cursor"]
        if not page["has_more"]:
            return pages


def file_cases(api: Api, store_id: str, consumer: httpx.Client, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        filed = consumer.post("/v1/cases", json=case_body("geli", store_id, "return_request"))
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        posted = consumer.post(f"/v1/cases/{case_id}/messages", json={"body": "any news?"})
        assert posted.status_code == 200, posted.text
        ids.append(case_id)
    return ids


def test_pages_cover_the_whole_history_without_gaps_or_repeats(api: Api) -> None:
    store_id = api.store("geli")
    file_cases(api, store_id, api.as_role("consumer"), 6)
    staff = api.as_role("staff")

    whole = [e["id"] for page in every_page(staff, 500) for e in page]
    paged = every_page(staff, 3)
    assert all(len(page) <= 3 for page in paged)
    assert [e["id"] for page in paged for e in page] == whole
    assert len(set(whole)) == len(whole) >= 13  # store registration, 6 × (filed, message)


def test_events_are_cloudevents(api: Api) -> None:
    store_id = api.store("geli")
    consumer = api.as_role("consumer")
    [case_id] = file_cases(api, store_id, consumer, 1)

    events = [e for page in every_page(consumer, 100) for e in page]
    assert [e["type"] for e in events] == ["case.submitted", "case.message_posted"]
    submitted = events[0]
    assert submitted["specversion"] == "1.0"
    assert submitted["id"] == f"{case_id}:1"
    assert submitted["subject"] == case_id
    assert submitted["data"]["store_id"] == store_id
    assert submitted["data"]["type"] == "Submitted"
    assert submitted["time"].endswith("+00:00")


def test_the_event_that_ends_a_case_names_its_resolution(api: Api) -> None:
    store_id = api.store("geli")
    consumer = api.as_role("consumer")
    body = {**case_body("geli", store_id, "refund_only"), "refund_amount": "40.00"}
    case_id = consumer.post("/v1/cases", json=body).json()["id"]
    store = api.as_role("store", stores=[store_id])
    decided = store.post(f"/v1/cases/{case_id}/decision", json={"decision": "approve"})
    assert decided.json()["resolution"] == "refunded", decided.text

    events = [e for page in every_page(consumer, 100) for e in page if e["subject"] == case_id]
    assert [(e["type"], e["data"]["resolution"]) for e in events] == [
        ("case.submitted", None),
        ("case.decision_made", None),
        ("case.refunded", "refunded"),
    ]
    history = consumer.get(f"/v1/cases/{case_id}/history").json()["events"]
    assert [e["resolution"] for e in history] == [None, None, "refunded"]


def test_each_role_sees_its_own_scope(api: Api) -> None:
    mine, theirs = api.store("geli"), api.store("geli")
    alice, bob = api.as_role("consumer"), api.as_role("consumer")
    alice_cases = file_cases(api, mine, alice, 2)
    bob_cases = file_cases(api, theirs, bob, 1)

    def subjects(client: httpx.Client) -> set[str]:
        return {e["subject"] for page in every_page(client, 50) for e in page}

    assert subjects(alice) == set(alice_cases)
    assert subjects(bob) == set(bob_cases)
    store_sees = subjects(api.as_role("store", stores=[mine]))
    assert store_sees == {*alice_cases, mine}  # its cases and its store record
    assert {*alice_cases, *bob_cases, mine, theirs} <= subjects(api.as_role("staff"))
    # Admin and ops read no case (GET /v1/cases/{id} is 404 for them), so no case's events.
    for manager in (api.admin, api.as_role("ops")):
        seen = [e for page in every_page(manager, 50) for e in page]
        assert {mine, theirs} <= {e["subject"] for e in seen}
        assert not any(e["type"].startswith("case.") for e in seen)
        assert manager.get(f"/v1/cases/{alice_cases[0]}").status_code == 404


def test_a_bad_cursor_is_refused(api: Api) -> None:
    staff = api.as_role("staff")
    assert staff.get("/v1/events", params={"after": "abc"}).status_code == 422
    assert staff.get("/v1/events", params={"limit": 0}).status_code == 422
    far = staff.get("/v1/events", params={"after": "999999999"}).json()
    assert far == {"items": [], "next_cursor": "999999999", "has_more": False}
    assert httpx.get(f"{api.url}/v1/events").status_code == 401
