"""Every case endpoint over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from support.api_server import Api, case_body, recent


def _file(
    api: Api, platform: str, kind: str, *, certified: bool = True, **extra: object
) -> tuple[dict, object, object, str]:
    store_id = api.store(platform, certified=certified)
    consumer = api.as_role("consumer")
    store = api.as_role("store", stores=[store_id])
    answer = consumer.post("/v1/cases", json=case_body(platform, store_id, kind, **extra))
    assert answer.status_code == 201, answer.text
    return answer.json(), consumer, store, store_id


def test_a_consumer_files_a_case_and_sees_its_deadlines(api: Api) -> None:
    case, consumer, _store, _ = _file(api, "biggrey", "warranty_claim")
    assert case["status"] == "awaiting_store"
    assert case["version"] == 1
    assert [d["kind"] for d in case["deadlines"]] == ["first_response"]
    again = consumer.get(f"/v1/cases/{case['id']}")
    assert again.status_code == 200
    assert again.headers["etag"] == '"1"'
    assert again.json()["description"] == case["description"]


def test_store_responds_closes_and_the_consumer_rejects_then_approves(api: Api) -> None:
    case, consumer, store, _ = _file(api, "biggrey", "return_request")
    path = f"/v1/cases/{case['id']}"
    responded = store.post(f"{path}/respond", json={"message": "We will look into it."})
    assert responded.json()["status"] == "in_progress"
    assert responded.json()["deadlines"] == []
    closed = store.post(f"{path}/close", json={"decision": "repair", "note": "Fixed."})
    assert closed.json()["status"] == "awaiting_consumer"
    blank = consumer.post(f"{path}/reject", json={"explanation": "   "})
    assert blank.status_code == 422
    assert blank.json()["rule"] == "explanation_required"
    rejected = consumer.post(f"{path}/reject", json={"explanation": "Still broken."})
    assert rejected.json()["status"] == "in_progress"
    assert [d["kind"] for d in rejected.json()["deadlines"]] == ["first_response"]
    store.post(f"{path}/close", json={"decision": "replace"})
    approved = consumer.post(f"{path}/approve")
    assert approved.json()["status"] == "closed"
    assert approved.json()["version"] == 6


def test_messages_from_both_parties_and_staff(api: Api) -> None:
    case, consumer, store, _ = _file(api, "bigben", "warranty_claim")
    path = f"/v1/cases/{case['id']}/messages"
    staff = api.as_role("staff")
    consumer.post(path, json={"body": "Bonjour, l'écran est cassé 😢", "language": "fr"})
    store.post(path, json={"body": "Nous regardons."})
    last = staff.post(path, json={"body": "Staff here."}).json()
    assert [m["author"]["role"] for m in last["messages"]] == ["consumer", "store", "staff"]
    assert last["messages"][0]["body"] == "Bonjour, l'écran est cassé 😢"


def test_consumer_escalates_where_the_policy_allows_it_and_not_elsewhere(api: Api) -> None:
    case, consumer, _store, _ = _file(api, "biggrey", "warranty_claim")
    escalated = consumer.post(f"/v1/cases/{case['id']}/escalate", json={"reason": "No reply"})
    assert escalated.json()["status"] == "escalated"
    other, consumer2, _s, _ = _file(api, "bigben", "complaint")
    refused = consumer2.post(f"/v1/cases/{other['id']}/escalate")
    assert refused.status_code == 422
    assert refused.json()["rule"] == "step_not_offered"
    staff = api.as_role("staff")
    assert staff.post(f"/v1/cases/{other['id']}/escalate").json()["status"] == "escalated"


def test_refunds_by_the_store_close_the_case_and_platform_payouts_respect_caps(api: Api) -> None:
    case, _consumer, store, _ = _file(api, "bigben", "warranty_claim")
    refunded = store.post(
        f"/v1/cases/{case['id']}/refunds",
        json={"amount": "120.00", "currency": "USD", "payer": "store"},
    )
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "closed"
    assert refunded.json()["refunds"][0]["amount"] == "120.00"
    claim, _c, _s, _ = _file(
        api,
        "buyippee",
        "lost_parcel",
        plan="basic",
        declared_value="1000.00",
        order={"amount": "1000.00", "currency": "HKD", "delivered_at": recent()},
    )
    staff = api.as_role("staff")
    too_much = staff.post(
        f"/v1/cases/{claim['id']}/refunds",
        json={"amount": "500.01", "currency": "HKD", "payer": "platform"},
    )
    assert too_much.status_code == 422
    assert too_much.json()["rule"] == "cap_exceeded"
    paid = staff.post(
        f"/v1/cases/{claim['id']}/refunds",
        json={"amount": "500.00", "currency": "HKD", "payer": "platform"},
    )
    assert paid.json()["refunds"][0]["payer"] == "platform"


def test_withdrawal_and_consumer_close_before_it_is_allowed(api: Api) -> None:
    case, consumer, _store, _ = _file(api, "biggrey", "complaint", certified=False)
    early = consumer.post(f"/v1/cases/{case['id']}/consumer-close")
    assert early.status_code == 422
    assert early.json()["rule"] == "not_yet_allowed"
    withdrawn = consumer.post(f"/v1/cases/{case['id']}/withdraw", json={"reason": "Sorted"})
    assert withdrawn.json()["status"] == "withdrawn"
    late = consumer.post(f"/v1/cases/{case['id']}/withdraw")
    assert late.status_code == 422
    assert late.json()["rule"] == "not_allowed_in_status"


def test_globalbuy_decision_refusal_and_arbitration(api: Api) -> None:
    case, consumer, store, _ = _file(
        api, "globalbuy", "return_request", order={"completed_at": recent()}
    )
    path = f"/v1/cases/{case['id']}"
    refused = store.post(f"{path}/decision", json={"decision": "refuse", "note": "Used item"})
    assert refused.json()["status"] == "awaiting_consumer"
    arbitrated = consumer.post(f"{path}/arbitration", json={"reason": "It was new"})
    assert arbitrated.json()["status"] == "escalated"
    history = consumer.get(f"{path}/history").json()["events"]
    assert history[-1]["type"] == "Escalated"
    assert history[-1]["data"]["reason"] == "arbitration"


def test_decision_is_not_offered_on_biggrey(api: Api) -> None:
    case, _consumer, store, _ = _file(api, "biggrey", "return_request")
    refused = store.post(f"/v1/cases/{case['id']}/decision", json={"decision": "approve"})
    assert refused.status_code == 422
    assert refused.json()["rule"] == "step_not_offered"


def test_geli_return_flow_shipment_then_receipt(api: Api) -> None:
    case, consumer, store, _ = _file(api, "geli", "return_request")
    path = f"/v1/cases/{case['id']}"
    approved = store.post(f"{path}/decision", json={"decision": "approve"}).json()
    assert [d["kind"] for d in approved["deadlines"]] == ["return_shipment"]
    shipped = consumer.post(
        f"{path}/return-shipment", json={"carrier": "SF Express", "waybill": "SF123"}
    ).json()
    assert [d["kind"] for d in shipped["deadlines"]] == ["return_processing"]
    received = store.post(f"{path}/return-received").json()
    assert sorted(d["kind"] for d in received["deadlines"]) == [
        "receipt_processing",
        "return_processing",
    ]


def test_staff_suspend_record_proof_and_resume_with_paused_deadlines(api: Api) -> None:
    case, _consumer, _store, _ = _file(
        api, "globalbuy", "refund_only", order={"completed_at": recent()}
    )
    staff = api.as_role("staff")
    path = f"/v1/cases/{case['id']}"
    suspended = staff.post(
        f"{path}/suspend", json={"reason": "judicial", "note": "Police report filed"}
    ).json()
    assert suspended["status"] == "suspended"
    assert [d["kind"] for d in suspended["paused_deadlines"]] == ["merchant_decision"]
    assert [d["kind"] for d in suspended["deadlines"]] == ["auto_resume"]
    proof = staff.post(
        f"{path}/suspension-proof", json={"reference": "CASE-42", "authority": "court"}
    ).json()
    assert proof["status"] == "suspended"
    assert proof["deadlines"] == []
    resumed = staff.post(f"{path}/resume").json()
    assert resumed["status"] == "awaiting_store"
    assert [d["kind"] for d in resumed["deadlines"]] == ["merchant_decision"]
    assert resumed["paused_deadlines"] == []


def test_staff_imports_an_open_case_with_its_original_submission_time(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    staff = api.as_role("staff")
    body = case_body(
        "bigben",
        store_id,
        "complaint",
        consumer_id="legacy-consumer-7",
        submitted_at="2026-11-20T17:00:00+00:00",
    )
    imported = staff.post("/v1/cases", json=body)
    assert imported.status_code == 201, imported.text
    case = imported.json()
    assert case["consumer_id"] == "legacy-consumer-7"
    assert case["created_at"] == "2026-11-20T17:00:00+00:00"
    # Friday 18:00 Paris + 24 work-hours → Monday 18:00 Paris (17:00 UTC).
    assert case["deadlines"][0]["due_at"] == "2026-11-23T17:00:00+00:00"


def test_filing_window_and_kind_are_checked(api: Api) -> None:
    store_id = api.store("globalbuy")
    consumer = api.as_role("consumer")
    late = consumer.post(
        "/v1/cases",
        json=case_body(
            "globalbuy", store_id, "return_request", order={"completed_at": recent(24 * 16)}
        ),
    )
    assert late.status_code == 422
    assert late.json()["rule"] == "filing_window"
    kind = consumer.post("/v1/cases", json=case_body("globalbuy", store_id, "lost_parcel"))
    assert kind.json()["rule"] == "kind_not_offered"
    unknown = consumer.post("/v1/cases", json=case_body("globalbuy", "no-such-store", "complaint"))
    assert unknown.json()["rule"] == "unknown_store"


def test_history_and_verify_show_the_hash_chain(api: Api) -> None:
    case, consumer, store, _ = _file(api, "biggrey", "warranty_claim")
    store.post(f"/v1/cases/{case['id']}/respond", json={})
    history = consumer.get(f"/v1/cases/{case['id']}/history").json()
    events = history["events"]
    assert [e["type"] for e in events] == ["Submitted", "StoreResponded"]
    assert events[0]["prev_hash"] == "0" * 64
    assert events[1]["prev_hash"] == events[0]["hash"]
    staff = api.as_role("staff")
    verdict = staff.get(f"/v1/cases/{case['id']}/verify").json()
    assert verdict == {"valid": True, "events": 2, "head_hash": events[1]["hash"]}


def test_point_in_time_reads_by_version_and_by_time(api: Api) -> None:
    case, consumer, store, _ = _file(api, "biggrey", "warranty_claim")
    path = f"/v1/cases/{case['id']}"
    store.post(f"{path}/respond", json={})
    store.post(f"{path}/close", json={"decision": "refund"})
    assert consumer.get(path, params={"version": 1}).json()["status"] == "awaiting_store"
    assert consumer.get(path, params={"version": 2}).json()["status"] == "in_progress"
    history = consumer.get(f"{path}/history").json()["events"]
    at = history[1]["recorded_at"]
    as_of = consumer.get(path, params={"at": at})
    assert as_of.json()["version"] == 2
    assert as_of.headers["etag"] == '"2"'
    before = consumer.get(path, params={"at": "2000-01-01T00:00:00+00:00"})
    assert before.status_code == 404


def test_list_filters_scope_and_cursor(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    consumer = api.as_role("consumer")
    ids = [
        consumer.post("/v1/cases", json=case_body("bigben", store_id, "complaint")).json()["id"]
        for _ in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = consumer.get("/v1/cases", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    store = api.as_role("store", stores=[store_id])
    store_page = store.get("/v1/cases", params={"store_id": store_id, "limit": 200}).json()
    assert {item["id"] for item in store_page["items"]} == set(ids)
    other = api.as_role("consumer")
    assert other.get("/v1/cases").json()["items"] == []
    ops = api.as_role("ops")
    filtered = ops.get(
        "/v1/cases", params={"platform": "bigben", "status": "awaiting_store", "store_id": store_id}
    ).json()
    assert len(filtered["items"]) == 5
    bad = ops.get("/v1/cases", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422


def test_list_items_name_their_resolution_and_filter_by_it(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    consumer = api.as_role("consumer")
    ended, going_on = (
        consumer.post("/v1/cases", json=case_body("bigben", store_id, "complaint")).json()["id"]
        for _ in range(2)
    )
    assert consumer.post(f"/v1/cases/{ended}/withdraw", json={}).status_code == 200
    listed = {item["id"]: item for item in consumer.get("/v1/cases").json()["items"]}
    assert (listed[ended]["resolution"], listed[going_on]["resolution"]) == ("withdrawn", None)
    withdrawn = consumer.get("/v1/cases", params={"resolution": "withdrawn"}).json()["items"]
    assert [item["id"] for item in withdrawn] == [ended]
    assert consumer.get("/v1/cases", params={"resolution": "agreed"}).json()["items"] == []
    bad = consumer.get("/v1/cases", params={"resolution": "won"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert "resolution" in bad.text


def test_stores_keys_platforms_and_health(api: Api) -> None:
    store_id = api.store("biggrey")
    staff = api.as_role("staff")
    record = staff.get(f"/v1/stores/{store_id}").json()
    assert record["certified"] is True and record["warnings"] == 0
    assert record["reapply_after"] is None
    own = api.as_role("store", stores=[store_id])
    assert own.get(f"/v1/stores/{store_id}").status_code == 200
    other = api.as_role("store", stores=["elsewhere"])
    assert other.get(f"/v1/stores/{store_id}").status_code == 404
    again = api.admin.post(
        "/v1/stores",
        json={
            "id": store_id,
            "platform": "biggrey",
            "name": "x",
            "country": "GB",
            "timezone": "Europe/London",
        },
    )
    assert again.status_code == 409
    policies = staff.get("/v1/platforms").json()
    assert set(policies) == {"biggrey", "globalbuy", "geli", "bigben", "buyippee"}
    client = api.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["projection_lag"] >= 0


def test_list_sorts_by_creation_or_update_in_either_direction(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    consumer = api.as_role("consumer")
    ids = [
        consumer.post("/v1/cases", json=case_body("bigben", store_id, "complaint")).json()["id"]
        for _ in range(4)
    ]
    consumer.post(f"/v1/cases/{ids[0]}/messages", json={"body": "bump"})

    def walk(sort: str) -> list[str]:
        seen, cursor = [], None
        while True:
            params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = consumer.get("/v1/cases", params=params).json()
            seen += [item["id"] for item in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                return seen

    assert walk("created_at") == ids
    assert walk("-created_at") == ids[::-1]
    assert walk("-updated_at")[0] == ids[0]
    assert walk("updated_at")[-1] == ids[0]
    first = consumer.get("/v1/cases", params={"limit": 1, "sort": "created_at"}).json()
    mixed = consumer.get(
        "/v1/cases", params={"sort": "-updated_at", "cursor": first["next_cursor"]}
    )
    assert mixed.status_code == 422
    assert consumer.get("/v1/cases", params={"sort": "kind"}).status_code == 422
