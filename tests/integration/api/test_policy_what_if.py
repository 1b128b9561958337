"""What a policy change would move, before it is made: over real HTTP on both backends, and
with `redress policies what-if`. Nothing is recorded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.api_server import Api, case_body

from domain.policies import default_policies
from projections.registry import PROJECTIONS
from projections.tracking import follow
from services.application import Redress
from services.db import sync_engine

BIGGREY_FILE = Path(__file__).parents[3] / "domain" / "policies" / "biggrey.toml"


def three_work_days() -> str:
    text = BIGGREY_FILE.read_text(encoding="utf-8")
    first_rule = text.index('kind = "first_response"')
    at = text.index("after = { work_days = 2 }", first_rule)
    return text[:at] + "after = { work_days = 3 }" + text[at + len("after = { work_days = 2 }") :]


def project(api: Api) -> None:
    app, engine = Redress(env=api.settings.eventsourcing_env()), sync_engine(api.settings)
    try:
        follow(engine, app, PROJECTIONS)
    finally:
        engine.dispose()
        app.close()


def test_what_if_lists_the_open_cases_a_change_would_move_and_records_nothing(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer, store = api.as_role("consumer"), api.as_role("store", stores=[store_id])
    waiting = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    answered = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    store.post(f"/v1/cases/{answered.json()['id']}/respond", json={})
    project(api)
    before = consumer.get(f"/v1/cases/{waiting.json()['id']}").json()
    answer = api.admin.post("/v1/platforms/biggrey/what-if", json={"policy": three_work_days()})
    assert answer.status_code == 200, answer.text
    cases = {c["case_id"]: c["deadlines"] for c in answer.json()["cases"]}
    assert answered.json()["id"] not in cases  # nothing pending: nothing moves
    (moved,) = cases[waiting.json()["id"]]
    old = before["deadlines"][0]
    assert (moved["deadline_id"], moved["due_now"]) == (old["id"], old["due_at"])
    assert moved["due_then"] > moved["due_now"]  # one more full work day
    assert moved["overdue_then"] is False
    assert consumer.get(f"/v1/cases/{waiting.json()['id']}").json() == before
    refused = api.admin.post("/v1/platforms/biggrey/what-if", json={"policy": "platform = 1"})
    assert refused.status_code == 422
    staff = api.as_role("staff")
    assert (
        staff.post("/v1/platforms/biggrey/what-if", json={"policy": three_work_days()}).status_code
        == 403
    )


@pytest.mark.slow  # the `redress policies what-if` command as a process
def test_redress_policies_what_if_prints_the_moves(api: Api, tmp_path: Path) -> None:
    store_id = api.store("biggrey")
    api.as_role("consumer").post("/v1/cases", json=case_body("biggrey", store_id, "return_request"))
    project(api)
    new = tmp_path / "biggrey.toml"
    new.write_text(three_work_days(), encoding="utf-8")
    env = {**os.environ, "REDRESS_DATABASE_URL": api.settings.database_url}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "redress"), "policies", "what-if", str(new)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "open biggrey cases would change" in done.stdout
    assert default_policies()["biggrey"].deadlines[0].after.work_days == 2
