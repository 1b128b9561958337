"""GET /v1/cases/{id} answers from memory only when the case has not moved: a write through
another API process is seen by the very next read (services.case_api.case_reads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from prometheus_client import REGISTRY
from support.api_server import Api, case_body, running_api

from services.case_api.settings import ApiSettings


def test_a_read_sees_a_write_made_through_another_process_at_once(api: Api) -> None:
    settings = ApiSettings.of(api.settings)
    store_id = api.store("biggrey")
    consumer = api.key("consumer", "reader-consumer")
    staff = api.key("staff", "reader-staff")
    filed = api.client(consumer).post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    )
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


def test_reads_arriving_together_each_see_their_own_case_as_last_written(api: Api) -> None:
    """Reads that ask in one turn of the event loop share one version lookup
    (services.case_api.version_lookups): each still answers its own case, at the version
    another process wrote last."""
    settings = ApiSettings.of(api.settings)
    store_id = api.store("biggrey")
    consumer = api.key("consumer", "together-consumer")
    staff = api.key("staff", "together-staff")
    body = case_body("biggrey", store_id, "warranty_claim")
    paths = [
        f"/v1/cases/{api.client(consumer).post('/v1/cases', json=body).json()['id']}"
        for _ in range(6)
    ]
    here = api.client(staff)
    assert all(here.get(path).json()["version"] == 1 for path in paths)  # held in memory
    with running_api(settings) as other:
        there = other.client(staff)
        for n, path in enumerate(paths):
            for _ in range(n % 3):
                assert there.post(f"{path}/messages", json={"body": "more"}).status_code == 200
    expected = {path: 1 + n % 3 for n, path in enumerate(paths)}

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda path: (path, here.get(path)), paths * 4))

    for path, answer in answers:
        assert answer.status_code == 200
        assert f"/v1/cases/{answer.json()['id']}" == path
        assert answer.json()["version"] == expected[path]
        assert answer.headers["ETag"] == f'"{expected[path]}"'


def test_a_remembered_case_is_still_scoped_to_its_parties(api: Api) -> None:
    store_id = api.store("biggrey")
    owner = api.key("consumer", "reader-owner")
    filed = api.client(owner).post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    )
    path = f"/v1/cases/{filed.json()['id']}"
    assert api.client(owner).get(path).status_code == 200  # now in memory
    stranger = api.client(api.key("consumer", "reader-stranger"))
    assert stranger.get(path).status_code == 404
    assert api.client(api.key("store", stores=["another-store"])).get(path).status_code == 404


def test_the_hot_path_answers_exactly_as_the_route_does(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer = api.client(api.key("consumer", "reader-same"))
    filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    path = f"/v1/cases/{filed.json()['id']}"
    consumer.post(f"{path}/messages", json={"body": "a second event"})
    hot = consumer.get(path)  # served in front of FastAPI (services.case_api.hot_path)
    routed = consumer.get(path, params={"version": 2})  # a query string: the FastAPI route
    assert hot.status_code == routed.status_code == 200
    assert hot.json() == routed.json()
    for header in ("content-type", "etag", "x-request-id"):
        assert header in hot.headers
    assert hot.headers["etag"] == routed.headers["etag"] == '"2"'
    assert hot.headers["content-type"] == routed.headers["content-type"]
    metrics = api.admin.get("/metrics").text
    assert 'route="/v1/cases/{case_id}"' in metrics


def test_refusals_on_the_hot_path_come_from_the_route(api: Api) -> None:
    store_id = api.store("biggrey")
    owner = api.client(api.key("consumer", "reader-refusals"))
    filed = owner.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    path = f"/v1/cases/{filed.json()['id']}"
    for client, status in (
        (api.client(), 401),
        (api.client("rdk_unknown_key"), 401),
        (api.client(api.key("consumer", "reader-other")), 404),
    ):
        answer = client.get(path)
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
    missing = owner.get("/v1/cases/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_process_that_filed_a_case_answers_its_first_read_from_memory(api: Api) -> None:
    """A filing keeps the answer it gave: the first read is those very bytes, with no build
    (on PostgreSQL: on SQLite every read is built, there being no version lookup)."""
    store_id = api.store("biggrey")
    consumer = api.client(api.key("consumer", "reader-filer"))
    filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    assert filed.status_code == 201, filed.text
    built = _built()

    read = consumer.get(f"/v1/cases/{filed.json()['id']}")

    assert read.status_code == 200
    assert read.content == filed.content and read.headers["ETag"] == filed.headers["ETag"]
    assert _built() == built + (1 if api.settings.is_sqlite else 0)


def _built() -> float:
    """Case reads built so far by the API in this process (services.case_api.case_reads)."""
    return REGISTRY.get_sample_value("redress_case_reads_built_total") or 0.0
