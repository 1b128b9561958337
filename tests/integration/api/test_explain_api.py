"""GET /v1/cases/{id}/deadlines/{deadline_id}/explain over real HTTP, on both backends."""

from __future__ import annotations

from support.api_server import Api, case_body


def test_a_party_reads_why_a_deadline_is_due_and_others_get_404(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    deadline = case["deadlines"][0]
    path = f"/v1/cases/{case['id']}/deadlines/{deadline['id']}/explain"
    why = consumer.get(path)
    assert why.status_code == 200, why.text
    body = why.json()
    assert (body["kind"], body["budget"]) == ("first_response", "2 full work days")
    assert body["due_at"] == deadline["due_at"]
    assert sum(s["counted"] for s in body["segments"]) == 2
    assert api.as_role("store", stores=[store_id]).get(path).status_code == 200
    assert api.as_role("consumer", "someone-else").get(path).status_code == 404
    missing = consumer.get(f"/v1/cases/{case['id']}/deadlines/nothing-1/explain")
    assert missing.status_code == 404
    assert consumer.get(f"{path}?version=1").json()["segments"] == body["segments"]
