"""The generated Python client (clients/python) does what the README shows, against a real
server on both backends: file a case, subscribe a webhook, refund, verify a delivery's
signature."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.api_server import Api

from services.notifier.signing import signature_headers

CLIENTS = Path(__file__).resolve().parents[3] / "clients"
sys.path[:0] = [str(CLIENTS / "python"), str(CLIENTS / "examples")]

import merchant  # noqa: E402  (the README's example, over the generated client)


def test_the_readme_flow_through_the_generated_client(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API reads the notifier's settings from the environment on its first webhook call.
    monkeypatch.setenv("REDRESS_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1:*")
    store_id = api.store("biggrey")
    case = merchant.file_case(api.url, api.key("consumer"), store_id)
    assert (case.status, case.version) == ("awaiting_store", 1)
    store_key = api.key("store", stores=[store_id])
    endpoint = merchant.subscribe_webhook(api.url, store_key, "http://127.0.0.1:9/hooks")
    assert endpoint.secret.startswith("whsec_")
    refunded = merchant.refund_in_part(api.url, store_key, case.id)
    assert [r.amount for r in refunded.refunds] == ["40.00"]


def test_signature_verification_matches_standard_webhooks() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"type":"case.refunded"}'
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    headers = signature_headers("msg_1", body, at, [secret])  # what the notifier sends
    assert merchant.verified(secret, headers, body)
    assert not merchant.verified(secret, headers, body + b" ")
