"""GET /v1/audit/checkpoints over HTTP, on SQLite and PostgreSQL: staff, ops and admins read
the signed checkpoints, oldest first and paged, each enough to verify on its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from support.api_server import Api, case_body

from services.application import Redress
from services.audit.checkpointer import Checkpointer
from services.audit.signing import Signer, new_key, public_key, signature_valid
from services.db import sync_engine


@pytest.fixture(scope="module")
def signed(api: Api) -> Iterator[str]:
    """Cases filed through the API, then checkpoints every 2 events; the public key."""
    store = api.store("geli")
    consumer = api.as_role("consumer", "checkpoint-consumer")
    for _ in range(3):
        answer = consumer.post("/v1/cases", json=case_body("geli", store, "return_request"))
        assert answer.status_code == 201, answer.text
    seed, public = new_key()
    app, engine = Redress(env=api.settings.eventsourcing_env()), sync_engine(api.settings)
    Checkpointer(app, engine, Signer.of(seed), lambda: datetime.now(UTC), every=2).run()
    engine.dispose()
    app.close()
    yield public


def test_checkpoints_are_for_staff_ops_and_admins(api: Api, signed: str) -> None:
    for role in ("staff", "ops"):
        assert api.as_role(role).get("/v1/audit/checkpoints").status_code == 200
    assert api.admin.get("/v1/audit/checkpoints").status_code == 200
    refused = api.as_role("consumer").get("/v1/audit/checkpoints")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert api.client().get("/v1/audit/checkpoints").status_code == 401


def test_each_checkpoint_listed_verifies_with_the_public_key(api: Api, signed: str) -> None:
    page = api.as_role("staff").get("/v1/audit/checkpoints").json()

    positions = [c["position"] for c in page["items"]]
    assert positions == sorted(positions) and len(positions) == 2  # 4 events: 2 checkpoints
    assert page["next_cursor"] is None
    for checkpoint in page["items"]:
        assert signature_valid(public_key(signed), checkpoint)
        assert checkpoint["algorithm"] == "ed25519" and len(checkpoint["root"]) == 64


def test_checkpoints_are_paged_after_a_position(api: Api, signed: str) -> None:
    staff = api.as_role("staff")
    first = staff.get("/v1/audit/checkpoints", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"] == str(first["items"][0]["position"])
    rest = staff.get("/v1/audit/checkpoints", params={"after": first["next_cursor"]}).json()
    assert [c["position"] for c in rest["items"]] > [first["items"][0]["position"]]
    bad = staff.get("/v1/audit/checkpoints", params={"after": "-1"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
