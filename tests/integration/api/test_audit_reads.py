"""History and past states come from memory only while the case has not moved: a write
through another API process is in the very next audit read (services.case_api.audit_reads)."""

from __future__ import annotations

from support.api_server import Api, case_body, running_api

from services.case_api.settings import ApiSettings


def test_a_history_read_sees_a_write_made_through_another_process_at_once(api: Api) -> None:
    settings = ApiSettings.of(api.settings)
    store_id = api.store("biggrey")
    consumer = api.key("consumer", "audit-consumer")
    staff = api.key("staff", "audit-staff")
    filed = api.client(consumer).post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    )
    path = f"/v1/cases/{filed.json()['id']}"
    with running_api(settings) as other:
        here, there = api.client(staff), other.client(staff)
        for _ in range(2):  # both processes now keep the one-event history
            assert len(here.get(f"{path}/history").json()["events"]) == 1
            assert len(there.get(f"{path}/history").json()["events"]) == 1
        for n in range(2, 5):
            posted = there.post(f"{path}/messages", json={"body": f"note {n}"})
            assert posted.status_code == 200, posted.text
            history = here.get(f"{path}/history")
            assert history.status_code == 200
            assert [e["version"] for e in history.json()["events"]] == list(range(1, n + 1))
            assert history.json() == there.get(f"{path}/history").json()
    with running_api(settings) as fresh:  # nothing kept: the application's own answer
        assert fresh.client(staff).get(f"{path}/history").json() == history.json()


def test_a_kept_past_state_is_the_applications_and_still_scoped(api: Api) -> None:
    settings = ApiSettings.of(api.settings)
    store_id = api.store("biggrey")
    owner = api.key("consumer", "audit-owner")
    filed = api.client(owner).post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    )
    path = f"/v1/cases/{filed.json()['id']}"
    for n in range(2, 4):
        api.client(owner).post(f"{path}/messages", json={"body": f"note {n}"})
    kept = [api.client(owner).get(path, params={"version": 2}) for _ in range(2)]
    assert kept[0].json() == kept[1].json()
    assert kept[1].headers["ETag"] == '"2"' and kept[1].json()["version"] == 2
    with running_api(settings) as fresh:
        assert fresh.client(owner).get(path, params={"version": 2}).json() == kept[1].json()
    stranger = api.client(api.key("consumer", "audit-stranger"))
    assert stranger.get(path, params={"version": 2}).status_code == 404
    assert stranger.get(f"{path}/history").status_code == 404
    beyond = api.client(owner).get(path, params={"version": 99})
    assert beyond.status_code == 200 and beyond.headers["ETag"] == '"3"'
