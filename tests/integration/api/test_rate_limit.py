"""Per-key rate limiting: 429 with Retry-After, other keys unaffected."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.api_server import ADMIN_TOKEN, Api, running_api

from services.case_api.rate_limit import FailureThrottle, RateLimiter
from services.case_api.settings import ApiSettings


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path: Path = tmp_path_factory.mktemp("limited") / "redress.db"
    settings = ApiSettings(
        database_url=f"sqlite:///{path}",
        admin_token=ADMIN_TOKEN,
        rate_limit_per_second=0.5,
        rate_limit_burst=5,
        auth_failures_per_minute=1,
        auth_failure_burst=4,
    )
    with running_api(settings) as api:
        yield api


def test_a_key_over_its_limit_gets_429_with_retry_after(limited: Api) -> None:
    token = limited.key("ops")  # the admin key spends one token here
    client = limited.client(token)
    answers = [client.get("/v1/platforms") for _ in range(8)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refused = answers[5]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    other = limited.client(limited.key("ops"))
    assert other.get("/v1/platforms").status_code == 200


def test_the_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=2, clock=lambda: now[0])
    assert limiter.retry_after("k") is None
    assert limiter.retry_after("k") is None
    assert limiter.retry_after("k") == 1
    now[0] += 0.5
    assert limiter.retry_after("k") is None
    assert limiter.retry_after("k") == 1
    assert RateLimiter(rate=0, burst=1).retry_after("k") is None


def test_a_rate_limited_command_runs_when_retried_with_its_idempotency_key(limited: Api) -> None:
    # 429 means "not executed, retry later": the answer must not be kept for the key, or the
    # retry the client was told to make would replay the 429 for the next 24 hours.
    client = limited.client(limited.key("admin", "idem-admin"))
    store = {"platform": "geli", "certified": True, "country": "CN", "timezone": "Asia/Shanghai"}
    answers = [
        client.post("/v1/stores", json={"id": f"rl-{n}", "name": f"Shop {n}", **store})
        for n in range(5)
    ]
    assert [a.status_code for a in answers] == [201] * 5
    body = {"id": "rl-retried", "name": "Retried", **store}
    headers = {"Idempotency-Key": "rl-retried-1"}
    refused = client.post("/v1/stores", json=body, headers=headers)
    assert refused.status_code == 429
    time.sleep(int(refused.headers["retry-after"]))
    retried = client.post("/v1/stores", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers


def test_failed_authentication_is_throttled_per_client_address(limited: Api) -> None:
    forged = limited.client("rdk_0123456789abcdef_forged")
    statuses = [forged.get("/v1/platforms").status_code for _ in range(12)]
    assert statuses[:4] == [401] * 4
    assert set(statuses[4:]) == {429}
    refused = forged.get("/v1/platforms")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    # A valid key from that address is refused too, until the address has waited.
    assert limited.client(ADMIN_TOKEN).get("/v1/platforms").status_code == 429


def test_failures_are_throttled_without_limiting_successes() -> None:
    now = [0.0]
    throttle = FailureThrottle(per_minute=60, burst=2, clock=lambda: now[0])
    for _ in range(5):
        assert throttle.retry_after("10.0.0.1") is None  # asking takes nothing
    throttle.failed("10.0.0.1")
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 1
    assert throttle.retry_after("10.0.0.2") is None
    now[0] += 1
    assert throttle.retry_after("10.0.0.1") is None
