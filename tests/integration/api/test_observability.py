"""Request ids, metrics, and logs without secrets."""

from __future__ import annotations

import logging

import pytest
from support.api_server import ADMIN_TOKEN, Api, case_body, running_api

from services.case_api.settings import ApiSettings
from services.observability import JsonFormatter, redact


def test_every_answer_carries_a_request_id_and_keeps_the_callers(api: Api) -> None:
    client = api.client()
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )


def test_metrics_count_requests_commands_and_events(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    consumer.post(f"/v1/cases/{case['id']}/approve")
    consumer.post(f"/v1/cases/{case['id']}/withdraw")
    text = api.client().get("/metrics").text
    assert 'redress_http_request_duration_seconds_count{method="POST",route="/v1/cases"' in text
    assert 'redress_commands_total{command="approve",outcome="not_allowed_in_status"}' in text
    assert 'redress_commands_total{command="withdraw",outcome="ok"}' in text
    assert 'redress_events_appended_total{type="Submitted"}' in text


@pytest.mark.parametrize(
    "secret",
    [
        "rdk_0123456789abcdef_AbCdEf-ghIJ_klmn",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "Bearer sometoken",
        "postgresql://redress:hunter2@db:5432/redress",
    ],
)
def test_log_lines_never_contain_secrets(secret: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "saw %s here", (secret,), None)
    line = JsonFormatter().format(record)
    for fragment in ("0123456789abcdef_AbCdEf", "MfKQ9r8G", "sometoken", "hunter2"):
        assert fragment not in line
    assert redact("nothing secret") == "nothing secret"


def test_readyz_fails_when_the_read_models_fall_too_far_behind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = ApiSettings(
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        admin_token=ADMIN_TOKEN,
        ready_max_projection_lag=2,
    )
    with running_api(settings) as api:
        assert api.client().get("/readyz").status_code == 200
        store_id = api.store("biggrey")  # no projector runs here: every event is unapplied
        consumer = api.as_role("consumer")
        for _ in range(2):
            consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
        lagging = api.client().get("/readyz")
        assert lagging.status_code == 503
        assert lagging.json()["projection_lag"] == 3
        assert "projector" in lagging.json()["detail"]
        assert "redress_projection_lag_events 3.0" in api.client().get("/metrics").text
