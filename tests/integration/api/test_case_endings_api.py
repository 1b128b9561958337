"""How a case ends, over real HTTP on SQLite and PostgreSQL: rulings, settlements, bounded
refunds, store certificates. Every refusal answers problem+json naming its rule, and the case
(or store) version does not move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from support.api_server import Api, case_body, recent

from services.scheduler import bootstrap
from services.scheduler.settings import SchedulerSettings


def _file(api: Api, platform: str, kind: str, **extra: Any) -> tuple[str, Any, Any, str]:
    store_id = api.store(platform, certified=extra.pop("certified", True))
    consumer = api.as_role("consumer")
    store = api.as_role("store", stores=[store_id])
    answer = consumer.post("/v1/cases", json=case_body(platform, store_id, kind, **extra))
    assert answer.status_code == 201, answer.text
    return f"/v1/cases/{answer.json()['id']}", consumer, store, store_id


def _refused(client: httpx.Client, path: str, body: dict[str, Any], rule: str) -> None:
    """The command answers 422 with `rule`, and the case's version did not move."""
    case_path = path.rsplit("/", 1)[0]
    before = client.get(case_path).json()["version"]
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["rule"] == rule, answer.json()
    assert client.get(case_path).json()["version"] == before


def test_a_refund_above_the_amount_paid_is_refused_and_records_nothing(api: Api) -> None:
    path, _consumer, store, _ = _file(api, "bigben", "complaint")
    paid = api.as_role("staff").get(path).json()["order"]["amount"]
    over = {"amount": "1000.00", "currency": "USD", "payer": "store"}
    _refused(store, f"{path}/refunds", over, "refund_exceeds_paid")
    answer = store.post(f"{path}/refunds", json={**over, "amount": paid})
    assert answer.json()["resolution"] == "refunded"


def test_a_refund_only_request_cannot_ask_more_than_was_paid(api: Api) -> None:
    store_id = api.store("globalbuy")
    body = case_body(
        "globalbuy",
        store_id,
        "refund_only",
        refund_amount="120.01",
        order={"completed_at": recent()},
    )
    answer = api.as_role("consumer").post("/v1/cases", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["rule"] == "refund_exceeds_paid"


def test_staff_rule_for_the_store_on_an_escalated_case(api: Api) -> None:
    path, consumer, _store, _ = _file(api, "biggrey", "complaint")
    staff = api.as_role("staff")
    blank = staff.post(f"{path}/ruling", json={"in_favour_of": "store", "note": "  "})
    assert blank.status_code == 422  # a ruling gives its reasons: blank text is no note
    assert [e["field"] for e in blank.json()["errors"]] == ["note"], blank.json()
    ruled = staff.post(f"{path}/ruling", json={"in_favour_of": "store", "note": "mishandled"})
    assert ruled.status_code == 200, ruled.text
    assert (ruled.json()["status"], ruled.json()["resolution"]) == ("closed", "ruled_for_store")
    assert ruled.json()["ruling"]["note"] == "mishandled"
    history = staff.get(f"{path}/history").json()["events"]
    assert history[-1]["type"] == "Ruled"
    _refused(consumer, f"{path}/withdraw", {}, "not_allowed_in_status")
    assert consumer.post(f"{path}/messages", json={"body": "noted"}).status_code == 200


def test_staff_rule_for_the_consumer_with_an_amount(api: Api) -> None:
    path, _consumer, _store, _ = _file(api, "biggrey", "complaint")
    staff = api.as_role("staff")
    body = {"in_favour_of": "consumer", "note": "fake goods", "refund_amount": "120.00"}
    ruled = staff.post(f"{path}/ruling", json={**body, "payer": "platform"}).json()
    assert (ruled["resolution"], ruled["refunds"][0]["payer"]) == ("ruled_for_consumer", "platform")


def test_only_staff_rule_and_only_on_an_escalated_case(api: Api) -> None:
    path, _consumer, store, _ = _file(api, "biggrey", "warranty_claim")
    body = {"in_favour_of": "store", "note": "no"}
    assert store.post(f"{path}/ruling", json=body).status_code == 403
    _refused(api.as_role("staff"), f"{path}/ruling", body, "not_allowed_in_status")


def test_no_escalation_of_any_kind_for_a_non_certified_biggrey_store(api: Api) -> None:
    path, consumer, _store, _ = _file(api, "biggrey", "warranty_claim", certified=False)
    _refused(consumer, f"{path}/escalate", {}, "step_not_offered")
    _refused(api.as_role("staff"), f"{path}/escalate", {}, "step_not_offered")


def test_staff_record_an_internal_settlement_once(api: Api) -> None:
    path, _consumer, _store, _ = _file(api, "biggrey", "complaint")
    staff = api.as_role("staff")
    settled = staff.post(f"{path}/settlement", json={"reference": "S-2026-1"})
    assert settled.json()["settlement"]["reference"] == "S-2026-1"
    _refused(staff, f"{path}/settlement", {"reference": "again"}, "not_allowed_in_status")
    other, _c, _s, _ = _file(api, "globalbuy", "return_request", order={"completed_at": recent()})
    _refused(staff, f"{other}/settlement", {"reference": "S-1"}, "step_not_offered")


def test_third_party_suspension_on_biggrey(api: Api) -> None:
    path, _consumer, _store, _ = _file(api, "biggrey", "complaint")
    staff = api.as_role("staff")
    _refused(staff, f"{path}/suspend", {"reason": "judicial"}, "step_not_offered")
    paused = staff.post(f"{path}/suspend", json={"reason": "third_party", "note": "customs"})
    assert paused.json()["status"] == "suspended"
    assert paused.json()["deadlines"] == []  # no automatic resume on biggrey
    assert [d["kind"] for d in paused.json()["paused_deadlines"]] == ["protection"]
    assert staff.post(f"{path}/resume").json()["status"] == "escalated"


def test_store_certificate_commands(api: Api) -> None:
    store_id = api.store("biggrey", certified=True)
    staff, path = api.as_role("staff"), f"/v1/stores/{store_id}"
    for count in (1, 2):
        warned = staff.post(f"{path}/warnings", json={"reason": f"late answers {count}"})
        assert (warned.status_code, warned.json()["warnings"]) == (200, count)
    third = staff.post(f"{path}/warnings", json={"reason": "still late"}).json()
    assert (third["certified"], third["reapply_after"]) == (False, None)  # may re-apply at once
    granted = staff.post(f"{path}/certification", json={"evidence": "new support rota"}).json()
    assert (granted["certified"], granted["warnings"]) == (True, 0)
    revoked = staff.post(f"{path}/revocation", json={"reason": "sold replicas"}).json()
    assert (revoked["certified"], revoked["revocation_reason"]) == (False, "sold replicas")
    store = api.as_role("store", stores=[store_id])
    assert store.post(f"{path}/warnings", json={"reason": "x"}).status_code == 403
    assert staff.post("/v1/stores/nobody/warnings", json={"reason": "x"}).status_code == 404


def test_a_certificate_inside_a_12_month_bar_is_refused(api: Api) -> None:
    store_id = api.store("biggrey", certified=True)
    staff, store_path = api.as_role("staff"), f"/v1/stores/{store_id}"
    consumer = api.as_role("consumer")
    filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "complaint")).json()
    # Thirty days without agreement: the scheduler pays the protection, and the store, which
    # had no internal settlement, loses its certificate for 12 months.
    settings = SchedulerSettings(database_url=api.settings.database_url)
    with bootstrap.sweeper(settings) as sweeper:
        assert sweeper.run_due(datetime.now(UTC) + timedelta(days=31)).fired >= 1
    case = staff.get(f"/v1/cases/{filed['id']}").json()
    assert case["resolution"] == "protection_refund"
    barred = staff.get(store_path).json()
    assert (barred["certified"], barred["revocation_reason"]) == (
        False,
        "protection_payout_without_settlement",
    )
    answer = staff.post(f"{store_path}/certification", json={"evidence": "fixed everything"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["rule"] == "not_yet_allowed"
    assert staff.get(store_path).json()["version"] == barred["version"]


def test_a_store_registers_with_its_subdivision_and_language(api: Api) -> None:
    body = {
        "id": "glasgow-1",
        "platform": "biggrey",
        "name": "Glasgow shop",
        "certified": True,
        "country": "GB",
        "subdivision": "SCT",
        "timezone": "Europe/London",
        "language": "en-GB",
    }
    answer = api.admin.post("/v1/stores", json=body)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["subdivision"], answer.json()["language"]) == ("SCT", "en-GB")
