"""The README's Python example: file a case, subscribe a webhook, refund, verify a delivery.
tests/integration/api/test_generated_clients.py runs it against a real server."""

from __future__ import annotations

import base64
import hashlib
import hmac

from redress_client import AuthenticatedClient
from redress_client.api.case_commands import refund_v1_cases_case_id_refunds_post as refund
from redress_client.api.cases import submit_case_v1_cases_post as submit_case
from redress_client.api.webhooks import subscribe_v1_webhooks_post as subscribe
from redress_client.models import CaseCreate, CasePublic, RefundIn, WebhookCreate, WebhookCreated


def file_case(base_url: str, consumer_key: str, store_id: str) -> CasePublic:
    body = CaseCreate.from_dict(
        {
            "platform": "biggrey",
            "store_id": store_id,
            "kind": "warranty_claim",
            "order": {"reference": "ORD-10017", "amount": "120.00", "currency": "GBP"},
            "description": "The hinge broke after a week.",
        }
    )
    with AuthenticatedClient(base_url=base_url, token=consumer_key) as consumer:
        case = submit_case.sync(client=consumer, body=body)
    assert isinstance(case, CasePublic), case  # else a ProblemDetails: see its `type` page
    return case


def subscribe_webhook(base_url: str, store_key: str, url: str) -> WebhookCreated:
    body = WebhookCreate.from_dict({"url": url, "event_types": ["case.submitted", "case.refunded"]})
    with AuthenticatedClient(base_url=base_url, token=store_key) as store:
        endpoint = subscribe.sync(client=store, body=body)
    assert isinstance(endpoint, WebhookCreated), endpoint
    return endpoint  # endpoint.secret (whsec_…) is shown once: keep it


def refund_in_part(base_url: str, store_key: str, case_id: str) -> CasePublic:
    body = RefundIn.from_dict({"amount": "40.00", "currency": "GBP", "payer": "store"})
    with AuthenticatedClient(base_url=base_url, token=store_key) as store:
        case = refund.sync(case_id, client=store, body=body)
    assert isinstance(case, CasePublic), case
    return case


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(f"v1,{expected}", sig) for sig in headers["webhook-signature"].split()
    )
