"""Idempotency-Key (IETF draft semantics), ETag / If-Match, and concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from support.api_server import Api, case_body

from services.db import sync_engine


def test_twenty_identical_posts_racing_with_one_key_create_exactly_one_case(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    token = api.key("consumer")
    body = case_body("bigben", store_id, "complaint")

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=api.url, timeout=30) as client:
            return client.post(
                "/v1/cases",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race-1"},
            )

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    created = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    listed = api.client(token).get("/v1/cases").json()["items"]
    assert [item["id"] for item in listed] == list(created)
    replay = api.client(token).post("/v1/cases", json=body, headers={"Idempotency-Key": "race-1"})
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] in created


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    consumer = api.as_role("consumer")
    first = consumer.post(
        "/v1/cases",
        json=case_body("bigben", store_id, "complaint"),
        headers={"Idempotency-Key": "k-body"},
    )
    assert first.status_code == 201
    second = consumer.post(
        "/v1/cases",
        json=case_body("bigben", store_id, "warranty_claim"),
        headers={"Idempotency-Key": "k-body"},
    )
    assert second.status_code == 422
    assert second.headers["content-type"] == "application/problem+json"


def test_keys_are_scoped_to_the_caller(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    body = case_body("bigben", store_id, "complaint")
    one = api.as_role("consumer").post(
        "/v1/cases", json=body, headers={"Idempotency-Key": "shared"}
    )
    two = api.as_role("consumer").post(
        "/v1/cases", json=body, headers={"Idempotency-Key": "shared"}
    )
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]
    assert "idempotent-replayed" not in two.headers


def test_a_refused_command_is_replayed_not_rerun(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    url = f"/v1/cases/{case['id']}/approve"
    first = consumer.post(url, headers={"Idempotency-Key": "approve-1"})
    again = consumer.post(url, headers={"Idempotency-Key": "approve-1"})
    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_a_stale_if_match_is_412_and_records_nothing(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    url = f"/v1/cases/{case['id']}/messages"
    fresh = consumer.post(url, json={"body": "one"}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"2"'
    stale = consumer.post(url, json={"body": "two"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert consumer.get(f"/v1/cases/{case['id']}").json()["version"] == 2
    garbage = consumer.post(url, json={"body": "three"}, headers={"If-Match": "yesterday"})
    assert garbage.status_code == 412


def test_concurrent_commands_on_one_case_all_land(api: Api) -> None:
    store_id = api.store("biggrey")
    token = api.key("consumer")
    case = (
        api.client(token)
        .post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
        .json()
    )

    def post(n: int) -> int:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            return client.post(
                f"/v1/cases/{case['id']}/messages",
                json={"body": f"m{n}"},
                headers={"Authorization": f"Bearer {token}"},
            ).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(post, range(30)))
    assert statuses == [200] * 30  # honest contention is the server's to absorb: no 409
    final = api.client(token).get(f"/v1/cases/{case['id']}").json()
    assert final["version"] == 1 + 30
    assert sorted(m["body"] for m in final["messages"]) == sorted(f"m{n}" for n in range(30))


def test_an_answer_with_a_secret_shown_once_is_never_stored_for_replay(api: Api) -> None:
    admin = api.admin
    body = {"role": "ops", "subject": "once"}
    first = admin.post("/v1/api-keys", json=body, headers={"Idempotency-Key": "key-once"})
    assert first.status_code == 201
    assert first.headers["cache-control"] == "no-store"
    again = admin.post("/v1/api-keys", json=body, headers={"Idempotency-Key": "key-once"})
    assert again.status_code == 409
    assert first.json()["token"] not in again.text
    engine = sync_engine(api.settings)
    try:
        with engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT body FROM idempotency_keys").all()
    finally:
        engine.dispose()
    assert all(first.json()["token"] not in (row[0] or "") for row in stored)


def idempotency_rows(api: Api) -> int:
    engine = sync_engine(api.settings)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM idempotency_keys").scalar())
    finally:
        engine.dispose()


def test_unauthenticated_requests_claim_no_idempotency_key(api: Api) -> None:
    before = idempotency_rows(api)
    for n, headers in enumerate(
        [{}, {"Authorization": "Bearer rdk_0123456789abcdef_forged"}, {"Authorization": "x"}]
    ):
        answer = api.client(**headers).post(
            "/v1/cases", json={}, headers={"Idempotency-Key": f"anonymous-{n}"}
        )
        assert answer.status_code == 401
    too_long = api.client().post("/v1/cases", json={}, headers={"Idempotency-Key": "k" * 300})
    assert too_long.status_code == 401  # who asks comes first, then what they ask
    assert idempotency_rows(api) == before


def test_a_key_is_one_scope_however_the_authorization_scheme_is_spelled(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    token = api.key("consumer")
    body = case_body("bigben", store_id, "complaint")
    answers = [
        api.client(**{"Authorization": f"{scheme} {token}"}).post(
            "/v1/cases", json=body, headers={"Idempotency-Key": "spelling"}
        )
        for scheme in ("Bearer", "bearer", "BEARER")
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert [a.headers.get("idempotent-replayed") for a in answers] == [None, "true", "true"]
    assert len(api.client(token).get("/v1/cases").json()["items"]) == 1


def test_answers_committed_together_in_one_group_commit_each_replay_their_own(api: Api) -> None:
    store_id = api.store("biggrey")
    token = api.key("consumer")
    consumer = api.client(token)
    filing = case_body("biggrey", store_id, "warranty_claim")
    cases = [consumer.post("/v1/cases", json=filing).json()["id"] for _ in range(12)]

    def post(n: int) -> httpx.Response:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            return client.post(
                f"/v1/cases/{cases[n]}/messages",
                json={"body": f"m{n}"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"batch-{n}"},
            )

    with ThreadPoolExecutor(12) as pool:
        first = list(pool.map(post, range(12)))
    again = [post(n) for n in range(12)]
    assert [a.status_code for a in first] == [200] * 12
    for n, (one, replay) in enumerate(zip(first, again, strict=True)):
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json() == one.json() and replay.json()["messages"][-1]["body"] == f"m{n}"
        assert replay.headers["etag"] == one.headers["etag"] == '"2"'
