"""The error catalogue: every problem `type` the API answers with, in words a client can act on.

Each entry is served at `/problems/{slug}` (HTML) and listed at `GET /v1/problems` (JSON). A
refused business rule's slug is the rule's own name (`filing_window`); other problems use
kebab-case slugs. tests/unit/test_problem_catalogue.py checks that every slug the code raises
and every domain rule has an entry here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    when: str  # when the API answers with it
    instead: str  # what to send instead
    rule: bool = False  # a refused business rule: the body also carries `rule` = slug

    def as_json(self, type_uri: str) -> dict[str, Any]:
        return {"type": type_uri, **asdict(self)}


def _rule(slug: str, when: str, instead: str) -> ProblemType:
    return ProblemType(slug, "Rule Broken", 422, when, instead, rule=True)


RULES = (
    _rule(
        "filing_window",
        "The platform's time limit for filing this kind of case has passed (counted from "
        "delivery, purchase or the shipping promise, as the platform's policy says).",
        "Nothing can file this case late. Check the window in `GET /v1/platforms` before "
        "offering the form, and send the real dates (`delivered_at`, `purchased_at`).",
    ),
    _rule(
        "kind_not_offered",
        "The platform does not offer this `kind` of case.",
        "Send one of the kinds the platform lists under `kinds` in `GET /v1/platforms`.",
    ),
    _rule(
        "step_not_offered",
        "The platform's process has no such step (for example an escalation or a ruling the "
        "platform does not have).",
        "Use the steps the platform's policy lists; `GET /v1/platforms` shows them.",
    ),
    _rule(
        "unknown_store",
        "The `store_id` names no registered store on this platform.",
        "Register the store first (`POST /v1/stores`, admin), or send the id of one that is.",
    ),
    _rule(
        "declared_below_receipt",
        "A declared amount is below the amount on the receipt the policy compares it with.",
        "Declare at least the receipt's amount, or attach the receipt that matches.",
    ),
    _rule(
        "explanation_required",
        "The step needs a written reason (for example refusing a return) and none was sent.",
        "Send the step again with its `reason` or `explanation` field filled in.",
    ),
    _rule(
        "cap_exceeded",
        "An amount is above the platform's cap, or in another currency with no exchange rate "
        "configured to compare it with the cap.",
        "Send an amount within the cap (`GET /v1/platforms`), or ask the operator to set "
        "`REDRESS_EXCHANGE_RATES` for the currency.",
    ),
    _rule(
        "not_allowed_in_status",
        "The case's status does not allow this command (for example a message on a closed case).",
        "Read the case (`GET /v1/cases/{id}`) and send a command its `status` allows.",
    ),
    _rule(
        "not_yet_allowed",
        "A right the policy grants only after a deadline has passed, or a step that needs an "
        "earlier one first.",
        "Wait until the deadline named in the case's `deadlines` is due, or take the earlier "
        "step first.",
    ),
    _rule(
        "refund_exceeds_paid",
        "Refunds on the case would total more than the consumer paid, or a refund in another "
        "currency cannot be compared with the amount paid.",
        "Refund at most the amount paid less the refunds already made (the case's `refunds`).",
    ),
    _rule(
        "not_eligible",
        "The goods, plan or parcel are not covered for this request.",
        "Check the platform's eligibility in `GET /v1/platforms`; send the plan or category "
        "that covers the goods, if there is one.",
    ),
    _rule(
        "documents_missing",
        "A filing lacks documents its kind requires; the `detail` names them.",
        "Attach the named documents and file again.",
    ),
    _rule(
        "already_refunded",
        "A second return on an order whose earlier case ended with a refund.",
        "No second return is possible on that order; open another kind of case if the "
        "platform offers one.",
    ),
)

GENERAL = (
    ProblemType(
        "validation",
        "Invalid Request",
        422,
        "A field is missing, has the wrong type or format, or a value the policy reads is "
        "malformed; `errors` lists each field with its message.",
        "Correct the fields named in `errors[].field` and send the request again.",
    ),
    ProblemType(
        "bad-request",
        "Bad Request",
        400,
        "The body is not parseable JSON in UTF-8, or nests too deeply.",
        "Send a JSON object encoded in UTF-8 with `Content-Type: application/json`.",
    ),
    ProblemType(
        "unauthorized",
        "Unauthorized",
        401,
        "No bearer token, or one that is not a valid API key.",
        "Send `Authorization: Bearer rdk_…` with a key an admin created.",
    ),
    ProblemType(
        "forbidden",
        "Forbidden",
        403,
        "The key's role may not do this (for example a consumer key on an admin endpoint).",
        "Use a key whose role the endpoint lists.",
    ),
    ProblemType(
        "not-found",
        "Not Found",
        404,
        "The case, store, deadline or route does not exist, or lies outside the key's scope.",
        "Check the id, and that the key belongs to a party of the case.",
    ),
    ProblemType(
        "method-not-allowed",
        "Method Not Allowed",
        405,
        "The path exists but not with this HTTP method.",
        "Use a method the API documents for the path (see `/openapi.json`).",
    ),
    ProblemType(
        "conflict",
        "Conflict",
        409,
        "The case changed concurrently too often while the command was being recorded.",
        "Send the same request again with the same `Idempotency-Key`.",
    ),
    ProblemType(
        "store-exists",
        "Conflict",
        409,
        "A store with this id is already registered.",
        "Choose another id, or read the store with `GET /v1/stores/{id}`.",
    ),
    ProblemType(
        "idempotency-key-in-use",
        "Conflict",
        409,
        "A request with the same `Idempotency-Key` is still being processed.",
        "Wait for the first request to finish, then retry with the same key and body.",
    ),
    ProblemType(
        "stale-version",
        "Precondition Failed",
        412,
        "`If-Match` names a version of the case that is no longer its latest, or is not an "
        'ETag such as `"3"`; `current_version` gives the latest.',
        "Read the case again, decide again, and send its current ETag in `If-Match`.",
    ),
    ProblemType(
        "too-large",
        "Content Too Large",
        413,
        "The request body is larger than the API accepts (`REDRESS_MAX_BODY_BYTES`).",
        "Send a smaller body; attach large documents by reference.",
    ),
    ProblemType(
        "idempotency-key-reused",
        "Idempotency Key Reused",
        422,
        "The `Idempotency-Key` was used before with a different body.",
        "Use a fresh key for a new request; reuse a key only to retry the very same body.",
    ),
    ProblemType(
        "idempotency-secret-not-kept",
        "Already Done",
        409,
        "A replayed answer would contain a secret (a new API key or webhook secret) that is "
        "not kept for replays.",
        "Send the request with a fresh `Idempotency-Key` to receive a new secret.",
    ),
    ProblemType(
        "endpoint-disabled",
        "Conflict",
        409,
        "A delivery was retried on a webhook endpoint that is disabled (it answered 410, or "
        "failed for too long).",
        "Recover the endpoint first (`POST /v1/webhooks/{id}/recover`), then retry.",
    ),
    ProblemType(
        "rate-limited",
        "Too Many Requests",
        429,
        "The key sent more requests than its rate limit allows.",
        "Wait the seconds given in `Retry-After`, then retry.",
    ),
    ProblemType(
        "internal",
        "Internal Server Error",
        500,
        "An unexpected error on the server; it has been logged.",
        "Retry later with the same `Idempotency-Key`; report it if it persists.",
    ),
    ProblemType(
        "unavailable",
        "Service Unavailable",
        503,
        "The database cannot be reached or is overloaded.",
        "Retry after the seconds in `Retry-After`, with the same `Idempotency-Key`.",
    ),
    ProblemType(
        "lagging",
        "Service Unavailable",
        503,
        "`/readyz`: the read models are too far behind the event log.",
        "Route traffic to another replica until the projector catches up.",
    ),
    ProblemType(
        "http-error",
        "Error",
        400,
        "Any other HTTP error the framework raises; `status` and `detail` say which.",
        "Read `detail`; the request needs changing as it says.",
    ),
)

CATALOGUE: dict[str, ProblemType] = {entry.slug: entry for entry in (*RULES, *GENERAL)}
