"""Examples in the OpenAPI document: every request body (a filing per platform, since each
platform's filings carry different fields), every success answer, and every error answer,
whose description links the problem types (the error catalogue) it may carry.

Added by post-processing the generated document, keyed by component schema name, so the
request and response models (services.case_api.schemas) stay free of documentation data.
tests/unit/test_openapi_examples.py validates each request example against its model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

import domain.policies
from services.case_api.catalogue import CATALOGUE

EXAMPLE_HOST = "https://api.redress.example"
CASE_ID = "0f8e9c3a-5b1d-4c8e-9a47-2d6f1b3c4e5a"
AT = "2026-03-02T09:30:00+00:00"
SHIPPED_POLICY = Path(domain.policies.__file__).with_name("biggrey.toml")


def _order(amount: str, currency: str, **extra: str) -> dict[str, Any]:
    return {"reference": "ORD-10017", "amount": amount, "currency": currency, **extra}


def _filing(platform: str, store: str, kind: str, order: dict[str, Any], **fields: Any) -> Any:
    return {
        "platform": platform,
        "store_id": store,
        "kind": kind,
        "order": order,
        "description": "The hinge broke after a week.",
        **fields,
    }


# Filings differ per platform: each shows a kind the platform offers with the fields it needs
# (PLATFORMS.md).
CASE_FILINGS = {
    "biggrey": _filing(
        "biggrey",
        "nordic-audio",
        "warranty_claim",
        _order("120.00", "GBP", delivered_at="2026-02-20T14:00:00+00:00"),
        language="en",
    ),
    "globalbuy": _filing(
        "globalbuy",
        "shenzhen-gadgets",
        "seven_day_return",
        _order("399.00", "CNY", delivered_at="2026-02-27T03:00:00+00:00"),
        no_reason_return=True,
        language="zh",
    ),
    "geli": _filing(
        "geli",
        "geli-fresh",
        "return_request",
        _order("59.90", "CNY", delivered_at="2026-02-28T08:00:00+00:00"),
        goods_category="small_appliances",
    ),
    "bigben": _filing(
        "bigben",
        "bigben-shop",
        "return_request",
        _order("80.00", "EUR", delivered_at="2026-02-25T10:00:00+00:00"),
        withdrawal_form="uploads/withdrawal-1.pdf",
        language="de",
    ),
    "buyippee": _filing(
        "buyippee",
        "hk-parcels",
        "lost_parcel",
        _order("1000.00", "HKD", registered_at="2026-02-10T09:00:00+00:00"),
        plan="basic",
        declared_value="1000.00",
        documents=["purchase_record", "seller_shipping_email", "photos", "seller_correspondence"],
    ),
}

REQUESTS: dict[str, dict[str, Any]] = {
    "CaseCreate": {
        f"{platform}": {"summary": f"A filing on {platform}", "value": body}
        for platform, body in CASE_FILINGS.items()
    },
    "Respond": {"message": "Sorry to hear that; please send a photo of the hinge."},
    "MessageIn": {"body": "Here is the photo you asked for.", "language": "en"},
    "StoreClose": {"decision": "refund", "note": "Refunded in full.", "refund_amount": "120.00"},
    "Reject": {"explanation": "The replacement has the same fault."},
    "Escalate": {"reason": "No answer from the store for a week."},
    "Withdraw": {"reason": "The parcel arrived after all."},
    "RefundIn": {"amount": "40.00", "currency": "GBP", "payer": "store", "reason": "Partial"},
    "Decision": {"decision": "approve", "note": "Return approved; label attached."},
    "ReturnShipment": {"carrier": "Royal Mail", "waybill": "RM123456785GB"},
    "Diagnosis": {"outcome": "return_needed", "note": "The hinge must be replaced."},
    "Repayment": {"reference": "REPAY-2026-0042"},
    "Arbitration": {"reason": "The store and the consumer disagree on the damage."},
    "Suspend": {"reason": "judicial", "note": "Court case 2026/118"},
    "Ruling": {
        "in_favour_of": "consumer",
        "refund_amount": "120.00",
        "payer": "store",
        "note": "The fault is covered by the warranty.",
    },
    "Settlement": {"reference": "SETTLE-2026-0007"},
    "SuspensionProof": {"reference": "2026/118", "authority": "court"},
    "PayoutConfirmation": {"reference": "PAYOUT-2026-0310"},
    "Empty": {},
    "ApiKeyCreate": {
        "role": "store",
        "subject": "nordic-audio-backend",
        "store_ids": ["nordic-audio"],
    },
    "StoreCreate": {
        "id": "nordic-audio",
        "platform": "biggrey",
        "name": "Nordic Audio",
        "certified": True,
        "country": "GB",
        "timezone": "Europe/London",
        "language": "en",
    },
    "StoreWarning": {"reason": "Repeatedly answered after the deadline."},
    "Revocation": {"reason": "counterfeit_goods"},
    "Certification": {"evidence": "Audit report 2026-Q1"},
    "WebhookCreate": {
        "url": "https://shop.example/hooks/redress",
        "event_types": ["case.submitted", "case.refunded"],
        "store_ids": ["nordic-audio"],
    },
}

# Success answers: built from the answer's schema, with values a real answer would carry for
# fields of these names (an id, a time, money), so every documented answer shows its shape.
NAMED_VALUES: dict[str, Any] = {
    "id": CASE_ID,
    "case_id": CASE_ID,
    "store_id": "nordic-audio",
    "consumer_id": "shopper-4711",
    "platform": "biggrey",
    "currency": "GBP",
    "amount": "120.00",
    "reference": "ORD-10017",
    "version": 3,
    "policy_version": 1,
    "url": "https://shop.example/hooks/redress",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "token": "rdk_4f1c2b7e9a0d4e6f8b3a5c7d9e1f2a4b",
    "hash": "9b74c9897bac770ffc029102a200c5de3c5a0ee1d9bcfd2a4f1b1a0fd9f0e3b1",
    "head_hash": "9b74c9897bac770ffc029102a200c5de3c5a0ee1d9bcfd2a4f1b1a0fd9f0e3b1",
    "next_cursor": None,
    "kind": "warranty_claim",
    "status": "awaiting_store",
    "action": "remind",
    "payer": "store",
    "reason": "The store missed its deadline.",
    "note": "Refunded in full.",
    "language": "en",
    "description": "The hinge broke after a week.",
    "order": _order("120.00", "GBP", delivered_at="2026-02-20T14:00:00+00:00"),
    "resolution": None,
    "last_decision": "refund",
    "name": "Nordic Audio",
    "country": "GB",
    "timezone": "Europe/London",
    "role": "store",
    "subject": "nordic-audio-backend",
    "type": "case.submitted",
    "detail": "see the problem type's page",
}


# Fields whose meaning depends on the schema they are in (`Schema.field`): these win.
OWNED_VALUES: dict[str, Any] = {
    "DeadlinePublic.id": "first_response-1",
    "DeadlinePublic.due_at": "2026-03-04T09:30:00+00:00",
    "DeadlineExplanation.due_at": "2026-03-04T09:30:00+00:00",
    "DeadlinePublic.kind": "first_response",
    "PausedDeadline.id": "first_response-1",
    "PausedDeadline.kind": "first_response",
    "DeadlineAtRisk.kind": "first_response",
    "DeadlineAtRisk.deadline_id": "first_response-1",
    "DeadlineExplanation.deadline_id": "first_response-1",
    "DeadlineExplanation.kind": "first_response",
    "DeadlineExplanation.policy": "biggrey",
    "DeadlineExplanation.budget": "2 full work days",
    "DeadlineExplanation.row": "The store answers within 2 full work days of the filing.",
    "DeadlineExplanation.due_at_local": "2026-03-04T09:30:00+00:00",
    "DeadlineExplanation.outcome": "pending",
    "ExplainedSegment.reason": "work day",
    "HistoryEntry.type": "Submitted",
    "HistoryEntry.version": 1,
    "HistoryEntry.prev_hash": "0" * 64,
    "WebhookCreated.status": "active",
    "WebhookPublic.status": "active",
    "WebhookCreated.event_types": ["case.submitted", "case.refunded"],
    "WebhookPublic.event_types": ["case.submitted", "case.refunded"],
}
NONE_WHEN_FINE = {"disabled_at", "disabled_reason", "failing_since", "previous_secret_valid_until"}


def from_schema(
    schema: dict[str, Any],
    components: dict[str, Any],
    name: str = "",
    depth: int = 0,
    owner: str = "",
) -> Any:
    """An example value for `schema` (a field called `name` of the schema `owner`),
    following $refs."""
    if depth > 8:
        return None
    if "$ref" in schema:
        target = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(components[target], components, name, depth + 1, target)
    if "example" in schema:
        return schema["example"]
    if name in NONE_WHEN_FINE:
        return None
    if name in NAMED_VALUES and schema.get("type") != "array":
        return NAMED_VALUES[name]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return from_schema(options[0], components, name, depth + 1, owner)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            field: OWNED_VALUES.get(f"{owner}.{field}")
            if f"{owner}.{field}" in OWNED_VALUES
            else from_schema(sub, components, field, depth + 1)
            for field, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        item = from_schema(schema.get("items", {}), components, name.rstrip("s"), depth + 1)
        return [] if item is None else [item]
    if kind == "string":
        if schema.get("format") == "date-time" or name.endswith("_at"):
            return AT
        return name.replace("_", " ") if name else "text"
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return None


def problem_example(slug: str) -> dict[str, Any]:
    entry = CATALOGUE[slug]
    body: dict[str, Any] = {
        "type": f"{EXAMPLE_HOST}/problems/{slug}",
        "title": entry.title,
        "status": entry.status,
        "detail": entry.when,
    }
    if entry.rule:
        body["rule"] = slug
    if slug == "validation":
        body["errors"] = [
            {
                "field": "order.amount",
                "message": "String should match pattern",
                "type": "string_pattern_mismatch",
            }
        ]
    return body


def problem_types(status: int) -> list[str]:
    """The catalogue's problem types answered with `status` (the framework's generic
    `http-error` aside)."""
    return [s for s, e in CATALOGUE.items() if e.status == status and s != "http-error"]


def _document_errors(status: int, response: dict[str, Any]) -> None:
    slugs = problem_types(status)
    if not slugs:
        return
    links = ", ".join(f"[`{slug}`](/problems/{slug})" for slug in slugs)
    response["description"] = f"{response.get('description', '')}. Problem types: {links}"
    # Errors are served as problem+json only; FastAPI also lists the model under JSON.
    media = response.setdefault("content", {})
    schema = media.pop("application/json", {}).get("schema")
    content = media.setdefault("application/problem+json", {})
    if schema is not None:
        content.setdefault("schema", schema)
    content["examples"] = {
        slug: {"summary": CATALOGUE[slug].title, "value": problem_example(slug)} for slug in slugs
    }


def _request_examples(operation: dict[str, Any], components: dict[str, Any]) -> None:
    bodies = operation.get("requestBody", {}).get("content", {})
    if "application/toml" in bodies:  # a policy version (what-if): the shipped one, as is
        bodies["application/toml"]["example"] = SHIPPED_POLICY.read_text(encoding="utf-8")
    content = bodies.get("application/json")
    if content is None:
        return
    schema = content.get("schema", {})
    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", [])]
    name = next((r.rsplit("/", 1)[-1] for r in refs if r), None)
    if name in REQUESTS:
        found = REQUESTS[name]
        if name == "CaseCreate":
            content["examples"] = found
        else:
            content["example"] = found
    elif name is not None or schema:
        content["example"] = from_schema(schema, components)


PROMETHEUS_TEXT = (
    "# HELP redress_events_appended_total Events appended to the log, by type.\n"
    "# TYPE redress_events_appended_total counter\n"
    'redress_events_appended_total{type="Submitted"} 1042.0\n'
)


def add_examples(document: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _request_examples(operation, components)
            for code, response in operation.get("responses", {}).items():
                status = int(code)
                if status >= 400:
                    _document_errors(status, response)
                    continue
                for media, content in response.get("content", {}).items():
                    if "example" in content or "examples" in content:
                        continue
                    if media == "application/json":
                        content["example"] = from_schema(content.get("schema", {}), components)
                    elif media.startswith("text/plain"):
                        content["example"] = PROMETHEUS_TEXT  # /metrics: the exposition format
    return document


def install(app: FastAPI) -> None:
    """Add the examples to the document the app generates (once; it is cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_examples(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
