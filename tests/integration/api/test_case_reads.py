"""GET /v1/cases/{id} answers from memory only when the case has not moved: a write through
another API process is seen by the very next read (services.case_api.case_reads)."""

from __future__ import annotations

from conftest import Api, case_body, running_api

from services.case_api.settings import ApiSettings


def test_a_read_sees_a_write_made_through_another_process_at_once(api: Api) -> None:
    settings = ApiSettings.of(api.settings)
    store_id = api.store("biggrey")
    consumer = api.key("consumer", "reader-consumer")
    staff = api.key("staff", "reader-staff")
    filed = api.client(consumer).post("/v1/cases", json=case_body("biggrey", store_id, "complaint"))
    assert filed.status_code == 201, filed.text
    path = f"/v1/cases/{filed.json()['id']}"
    with running_api(settings) as other:
        here, there = api.client(staff), other.client(staff)
        for _ in range(3):  # both processes now hold version 1 in memory
            assert here.get(path).headers["ETag"] == there.get(path).headers["ETag"] == '"1"'
        for n in range(2, 6):
            posted = there.post(f"{path}/messages", json={"body": f"note {n}"})
            assert posted.status_code == 200, posted.text
            seen = here.get(path)
            assert seen.status_code == 200
            assert seen.headers["ETag"] == f'"{n}"'
            assert seen.json()["version"] == n
            assert seen.json() == there.get(path).json()


def test_a_remembered_case_is_still_scoped_to_its_parties(api: Api) -> None:
    store_id = api.store("biggrey")
    owner = api.key("consumer", "reader-owner")
    filed = api.client(owner).post("/v1/cases", json=case_body("biggrey", store_id, "complaint"))
    path = f"/v1/cases/{filed.json()['id']}"
    assert api.client(owner).get(path).status_code == 200  # now in memory
    stranger = api.client(api.key("consumer", "reader-stranger"))
    assert stranger.get(path).status_code == 404
    assert api.client(api.key("store", stores=["another-store"])).get(path).status_code == 404
