"""Schemathesis against the app's own OpenAPI schema, over HTTP: no 5xx, ever, and every
error is problem+json.

The operations are driven with Hypothesis directly (schemathesis's pytest plugin does not
yet run under this pytest); each operation gets its own generated requests.
"""

from __future__ import annotations

import pytest
import schemathesis
from conftest import Api, case_body
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 40


@pytest.fixture(scope="module")
def tokens(api: Api) -> dict[str, str]:
    store_id = api.store("biggrey")
    consumer = api.key("consumer", "fuzz-consumer")
    api.client(consumer).post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    return {
        "staff": api.key("staff"),
        "consumer": consumer,
        "store": api.key("store", stores=[store_id]),
    }


def test_no_generated_request_makes_the_server_fail(api: Api, tokens: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            nonlocal sent
            for role in ("staff", "consumer"):
                response = case.call(
                    base_url=api.url, headers={"Authorization": f"Bearer {tokens[role]}"}
                )
                sent += 1
                assert response.status_code < 500, (case.method, case.path, response.text)
                if response.status_code >= 400:
                    assert response.headers["content-type"] == ["application/problem+json"], (
                        case.method,
                        case.path,
                        response.text,
                    )

        check()
    assert sent >= 1000, f"only {sent} requests were generated"
