"""Strict input: what the README promises a client may send, and a 422 (never a 500) for the
rest; instants out of range are refused, and scope is checked before any time is handled."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from support.api_server import Api, case_body


@pytest.fixture(scope="module")
def store_id(api: Api) -> str:
    return api.store("biggrey")


@pytest.fixture(scope="module")
def consumer(api: Api) -> httpx.Client:
    return api.as_role("consumer")


@pytest.fixture(scope="module")
def staff(api: Api) -> httpx.Client:
    return api.as_role("staff")


@pytest.fixture(scope="module")
def case(consumer: httpx.Client, store_id: str) -> dict[str, Any]:
    created = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "complaint"))
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def _refused(answer: httpx.Response, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    if field is not None:
        assert any(field in e["field"] for e in problem["errors"]), problem
    return problem


def _filed(client: httpx.Client, store_id: str, **extra: Any) -> httpx.Response:
    return client.post("/v1/cases", json=case_body("biggrey", store_id, "complaint", **extra))


# -- item 1: instants ---------------------------------------------------------------------------

FAR = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("at", FAR)
def test_an_at_out_of_range_tells_no_one_which_ids_exist(
    api: Api, case: dict[str, Any], at: str
) -> None:
    stranger = api.as_role("consumer")
    unknown = stranger.get("/v1/cases/00000000-0000-4000-8000-000000000000", params={"at": at})
    foreign = stranger.get(f"/v1/cases/{case['id']}", params={"at": at})
    assert unknown.status_code == foreign.status_code == 404, (unknown.text, foreign.text)
    assert unknown.json()["title"] == foreign.json()["title"]


@pytest.mark.parametrize("at", [*FAR, "1700000000", "2026-01-01T00:00:00", "yesterday"])
def test_the_caller_gets_422_for_an_at_out_of_range(
    consumer: httpx.Client, case: dict[str, Any], at: str
) -> None:
    _refused(consumer.get(f"/v1/cases/{case['id']}", params={"at": at}), "at")


def test_an_at_in_range_still_reads_the_past(consumer: httpx.Client, case: dict[str, Any]) -> None:
    answer = consumer.get(f"/v1/cases/{case['id']}", params={"at": "2099-12-31T00:00:00+00:00"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == case["version"]


@pytest.mark.parametrize("field", ["completed_at", "delivered_at"])
@pytest.mark.parametrize("when", [*FAR, 1700000000, "1700000000"])
def test_order_instants_out_of_range_or_not_iso_are_422(
    consumer: httpx.Client, store_id: str, field: str, when: object
) -> None:
    _refused(_filed(consumer, store_id, order={field: when}), field)


@pytest.mark.parametrize("when", [*FAR, 0])
def test_a_staff_import_from_year_one_is_422(
    staff: httpx.Client, store_id: str, when: object
) -> None:
    answer = _filed(staff, store_id, consumer_id="imported-1", submitted_at=when)
    _refused(answer, "submitted_at")


@pytest.mark.parametrize("since", FAR)
def test_webhook_recover_since_out_of_range_is_422(api: Api, since: str) -> None:
    admin = api.admin
    answer = admin.post("/v1/webhooks/1/recover", params={"since": since})
    _refused(answer, "since")


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("-created_at|9999-12-31T23:59:59-05:00|00000000-0000-4000-8000-000000000000"),
        _cursor("-created_at|0001-01-01T00:00:00+14:00|00000000-0000-4000-8000-000000000000"),
        _cursor("-created_at|2026-01-01T00:00:00+00:00|\x00"),
        _cursor("-created_at|2026-01-01T00:00:00|00000000-0000-4000-8000-000000000000"),
        _cursor("-created_at|2026-01-01T00:00:00+00:00|not-a-case"),
        "\x00",
        "%%%",
        _cursor("\xff"),
    ],
)
def test_crafted_or_malformed_list_cursors_are_422(staff: httpx.Client, cursor: str) -> None:
    _refused(staff.get("/v1/cases", params={"cursor": cursor}), "cursor")


def test_a_cursor_given_out_still_pages(
    staff: httpx.Client, consumer: httpx.Client, store_id: str
) -> None:
    for _ in range(3):
        assert _filed(consumer, store_id).status_code == 201
    first = staff.get("/v1/cases", params={"limit": 1}).json()
    second = staff.get("/v1/cases", params={"limit": 1, "cursor": first["next_cursor"]})
    assert second.status_code == 200, second.text
    assert second.json()["items"][0]["id"] != first["items"][0]["id"]


# -- item 6: strict input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("100.50", "JPY"), ("100.5", "KRW"), ("1.001", "USD"), ("1.0001", "KWD")],
)
def test_amounts_keep_within_the_currencys_decimal_places(
    consumer: httpx.Client, store_id: str, amount: str, currency: str
) -> None:
    _refused(_filed(consumer, store_id, order={"amount": amount, "currency": currency}), "order")


def test_whole_yen_and_three_place_dinars_are_fine(consumer: httpx.Client, store_id: str) -> None:
    assert _filed(consumer, store_id, order={"amount": "100", "currency": "JPY"}).status_code == 201
    answer = _filed(consumer, store_id, order={"amount": "1.005", "currency": "BHD"})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "XTS", "XAU", "DEM"])
def test_only_iso_4217_currencies_in_use(
    consumer: httpx.Client, store_id: str, currency: str
) -> None:
    _refused(_filed(consumer, store_id, order={"currency": currency}), "currency")


@pytest.mark.parametrize(
    ("field", "value"),
    [("shelf_life_days", "30"), ("shelf_life_days", 30.0), ("shelf_life_days", True)],
)
def test_integers_are_strict(
    consumer: httpx.Client, store_id: str, field: str, value: object
) -> None:
    _refused(_filed(consumer, store_id, **{field: value}), field)


@pytest.mark.parametrize("certified", ["true", 1, "yes"])
def test_booleans_are_strict(api: Api, certified: object) -> None:
    answer = api.admin.post(
        "/v1/stores",
        json={
            "id": "strict-bool-store",
            "platform": "biggrey",
            "name": "Strict",
            "certified": certified,
            "country": "GB",
            "timezone": "Europe/London",
        },
    )
    _refused(answer, "certified")


@pytest.mark.parametrize("language", ["en-" + "abcdefgh-" * 4 + "x", "en_GB", "e", "en--GB"])
def test_language_tags_are_bcp_47_and_at_most_35_characters(
    consumer: httpx.Client, store_id: str, language: str
) -> None:
    _refused(_filed(consumer, store_id, language=language), "language")


@pytest.mark.parametrize("language", ["en", "zh-Hant-TW", "de-CH-1901", "sr-Latn-RS"])
def test_real_language_tags_pass(consumer: httpx.Client, store_id: str, language: str) -> None:
    assert _filed(consumer, store_id, language=language).status_code == 201


@pytest.mark.parametrize("text", ["a\x07b", "a\x1bb", "a\x85b", "a\u202eb", "a\u2066b"])
def test_no_controls_or_bidi_overrides_in_text(
    consumer: httpx.Client, store_id: str, case: dict[str, Any], text: str
) -> None:
    _refused(_filed(consumer, store_id, description=text), "description")
    _refused(_filed(consumer, store_id, order={"reference": text}), "reference")
    answer = consumer.post(f"/v1/cases/{case['id']}/messages", json={"body": text})
    _refused(answer, "body")


def test_messages_keep_their_newlines(consumer: httpx.Client, case: dict[str, Any]) -> None:
    text = "Hello,\n\tthe hinge broke.\r\nThanks"
    answer = consumer.post(f"/v1/cases/{case['id']}/messages", json={"body": text})
    assert answer.status_code == 200, answer.text
    assert answer.json()["messages"][-1]["body"] == text


def test_duplicate_json_keys_are_refused_and_record_nothing(
    consumer: httpx.Client, case: dict[str, Any]
) -> None:
    before = consumer.get(f"/v1/cases/{case['id']}").json()["version"]
    answer = consumer.post(
        f"/v1/cases/{case['id']}/messages",
        content=b'{"body": "one", "body": "two"}',
        headers={"content-type": "application/json"},
    )
    assert "body" in _refused(answer)["detail"]
    assert consumer.get(f"/v1/cases/{case['id']}").json()["version"] == before


def test_duplicate_keys_in_a_nested_object_are_refused(
    consumer: httpx.Client, store_id: str
) -> None:
    order = '{"reference": "r", "amount": "1", "currency": "USD", "currency": "JPY"}'
    body = (
        f'{{"platform": "biggrey", "store_id": "{store_id}", "kind": "complaint", '
        f'"description": "x", "order": {order}}}'
    )
    answer = consumer.post(
        "/v1/cases", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert "currency" in _refused(answer)["detail"]


@pytest.mark.parametrize("blank", [" ", "\n\t ", "\u3000"])
def test_whitespace_only_required_text_is_refused(
    consumer: httpx.Client, store_id: str, case: dict[str, Any], blank: str
) -> None:
    _refused(_filed(consumer, store_id, description=blank), "description")
    answer = consumer.post(f"/v1/cases/{case['id']}/messages", json={"body": blank})
    _refused(answer, "body")


@pytest.mark.parametrize(
    ("country", "subdivision", "field"),
    [("ZZ", None, "country"), ("GB", "XX", "subdivision"), ("US", "ENG", "subdivision")],
)
def test_store_country_and_subdivision_need_a_holiday_calendar(
    api: Api, country: str, subdivision: str | None, field: str
) -> None:
    body: dict[str, Any] = {
        "id": f"calendar-{country}-{subdivision}",
        "platform": "biggrey",
        "name": "Calendar",
        "country": country,
        "timezone": "Europe/London",
    }
    if subdivision is not None:
        body["subdivision"] = subdivision
    _refused(api.admin.post("/v1/stores", json=body), field)


def test_a_known_subdivision_registers(api: Api) -> None:
    body = {
        "id": "calendar-gb-sct",
        "platform": "biggrey",
        "name": "Calendar",
        "country": "GB",
        "subdivision": "SCT",
        "timezone": "Europe/London",
    }
    assert api.admin.post("/v1/stores", json=body).status_code == 201


@pytest.mark.parametrize(
    "if_match",
    [b'"' + b"9" * 40 + b'"', b"9" * 5000, b'W/"1"', '"²"'.encode("latin-1"), b'"1", "2"', b"-1"],
)
def test_odd_if_match_values_are_412_not_500(
    consumer: httpx.Client, case: dict[str, Any], if_match: bytes
) -> None:
    answer = consumer.post(
        f"/v1/cases/{case['id']}/messages", json={"body": "hi"}, headers={"If-Match": if_match}
    )
    assert answer.status_code == 412, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("cursor", [_cursor("\x00"), _cursor("a\x00b"), "AA==", "%00"])
def test_store_scorecard_cursors_with_nul_are_422(staff: httpx.Client, cursor: str) -> None:
    _refused(staff.get("/v1/stats/stores", params={"cursor": cursor}), "cursor")
