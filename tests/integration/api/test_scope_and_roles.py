"""Who may do what: a role × endpoint matrix. Outside scope is 404; wrong role is 403."""

from __future__ import annotations

import pytest
from support.api_server import Api, case_body

READS = ["", "/history"]
# endpoint → (roles allowed, a valid body)
COMMANDS: dict[str, tuple[set[str], dict]] = {
    "/respond": ({"store"}, {}),
    "/messages": ({"consumer", "store", "staff"}, {"body": "hello"}),
    "/close": ({"store"}, {"decision": "other"}),
    "/approve": ({"consumer"}, {}),
    "/reject": ({"consumer"}, {"explanation": "no"}),
    "/escalate": ({"consumer", "staff"}, {}),
    "/refunds": ({"store", "staff"}, {"amount": "1.00", "currency": "USD", "payer": "store"}),
    "/withdraw": ({"consumer"}, {}),
    "/consumer-close": ({"consumer"}, {}),
    "/decision": ({"store"}, {"decision": "approve"}),
    "/return-shipment": ({"consumer"}, {"carrier": "DHL", "waybill": "1"}),
    "/return-received": ({"store"}, {}),
    "/arbitration": ({"consumer"}, {"reason": "x"}),
    "/suspend": ({"staff"}, {"reason": "judicial"}),
    "/suspension-proof": ({"staff"}, {"reference": "r", "authority": "court"}),
    "/resume": ({"staff"}, {}),
}
ROLES = ["consumer", "store", "staff", "ops", "admin"]


@pytest.fixture(scope="module")
def world(api: Api) -> dict:
    store_id = api.store("biggrey")
    owner = api.key("consumer", "owner-consumer")
    consumer = api.client(owner)
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    tokens = {
        "consumer": owner,
        "store": api.key("store", stores=[store_id]),
        "staff": api.key("staff"),
        "ops": api.key("ops"),
        "admin": api.key("admin"),
        "other_consumer": api.key("consumer"),
        "other_store": api.key("store", stores=["elsewhere"]),
    }
    return {"case": case["id"], "tokens": tokens}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READS)
def test_reading_a_case_needs_a_party_or_staff(api: Api, world: dict, role: str, path: str) -> None:
    answer = api.client(world["tokens"][role]).get(f"/v1/cases/{world['case']}{path}")
    expected = 200 if role in ("consumer", "store", "staff") else 404
    assert answer.status_code == expected, answer.text


@pytest.mark.parametrize("who", ["other_consumer", "other_store"])
@pytest.mark.parametrize("path", [*READS, "/verify", *COMMANDS])
def test_a_case_outside_the_callers_scope_is_404_on_every_endpoint(
    api: Api, world: dict, who: str, path: str
) -> None:
    client = api.client(world["tokens"][who])
    url = f"/v1/cases/{world['case']}{path}"
    answer = client.post(url, json=COMMANDS[path][1]) if path in COMMANDS else client.get(url)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


WRONG_ROLES = [
    (role, path) for path, (allowed, _) in COMMANDS.items() for role in ROLES if role not in allowed
]


@pytest.mark.parametrize(("role", "path"), WRONG_ROLES)
def test_a_command_by_the_wrong_role_is_403_and_records_nothing(
    api: Api, world: dict, role: str, path: str
) -> None:
    """(The allowed roles are exercised in test_case_endpoints.)"""
    body = COMMANDS[path][1]
    client = api.client(world["tokens"][role])
    before = api.client(world["tokens"]["staff"]).get(f"/v1/cases/{world['case']}").json()
    answer = client.post(f"/v1/cases/{world['case']}{path}", json=body)
    # ops and admin are not parties: to them the case is out of scope.
    assert answer.status_code == (404 if role in ("ops", "admin") else 403), answer.text
    after = api.client(world["tokens"]["staff"]).get(f"/v1/cases/{world['case']}").json()
    assert after["version"] == before["version"]


def test_verify_is_for_staff(api: Api, world: dict) -> None:
    url = f"/v1/cases/{world['case']}/verify"
    assert api.client(world["tokens"]["consumer"]).get(url).status_code == 403
    assert api.client(world["tokens"]["staff"]).get(url).status_code == 200


def test_keys_and_stores_are_for_admin(api: Api, world: dict) -> None:
    for role in ("consumer", "store", "staff", "ops"):
        client = api.client(world["tokens"][role])
        assert client.post("/v1/api-keys", json={"role": "ops", "subject": "x"}).status_code == 403
    consumer = api.client(world["tokens"]["consumer"])
    assert (
        consumer.post(
            "/v1/stores",
            json={
                "id": "s-x",
                "platform": "geli",
                "name": "n",
                "country": "CN",
                "timezone": "Asia/Shanghai",
            },
        ).status_code
        == 403
    )


def test_missing_or_bad_tokens_are_401_problems(api: Api, world: dict) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer rdk_0000_forged"},
    ):
        answer = api.client(**headers).get(f"/v1/cases/{world['case']}")
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"


def test_platform_payouts_are_recorded_by_staff_only(api: Api, world: dict) -> None:
    store = api.client(world["tokens"]["store"])
    answer = store.post(
        f"/v1/cases/{world['case']}/refunds",
        json={"amount": "1.00", "currency": "USD", "payer": "platform"},
    )
    assert answer.status_code == 403
