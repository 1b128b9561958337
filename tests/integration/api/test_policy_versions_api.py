"""Policies versioned per case, over HTTP on both backends: a case filed under one version keeps
it after the policy changes and the service restarts; a new case follows the new version; a
policy changed without a raised version stops the service at start-up, naming the file."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.api_server import ADMIN_TOKEN, Api, case_body, recent, running_api
from support.policies import copy_of_shipped, edit, raise_version
from support.postgres import free_port
from support.processes import REDRESS

from domain.calendar import BusinessCalendar
from domain.policies import lock_policy_versions
from services.case_api.settings import ApiSettings

PARIS = BusinessCalendar("FR", "Europe/Paris")
REPLY = ("after = { work_hours = 24 }", "after = { work_hours = 48 }")
REFUND = ("after = { hours = 336 }", "after = { hours = 240 }")


def due(case: dict[str, Any], kind: str) -> datetime:
    [deadline] = [d for d in case["deadlines"] if d["kind"] == kind]
    return datetime.fromisoformat(deadline["due_at"])


def at(case: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(case[field])


class Parties:
    """Keys made once; they work across restarts (they live in the database)."""

    def __init__(self, api: Api) -> None:
        self.store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
        self.tokens = {
            "consumer": api.key("consumer"),
            "store": api.key("store", stores=[self.store_id]),
            "staff": api.key("staff"),
        }

    def on(self, api: Api, role: str) -> httpx.Client:
        return api.client(self.tokens[role])

    def file(self, api: Api) -> dict[str, Any]:
        body = case_body(
            "bigben", self.store_id, "return_request", order={"delivered_at": recent(48)}
        )
        answer = self.on(api, "consumer").post("/v1/cases", json=body)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def receive_return(self, api: Api, case: dict[str, Any]) -> dict[str, Any]:
        answer = self.on(api, "store").post(f"/v1/cases/{case['id']}/return-received", json={})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def test_a_case_keeps_its_policy_version_through_a_change_and_a_restart(
    backend_url: str, tmp_path: Path
) -> None:
    first = copy_of_shipped(tmp_path / "v1")
    settings = ApiSettings(
        database_url=backend_url,
        admin_token=ADMIN_TOKEN,
        db_pool_size=3,
        rate_limit_per_second=0,
        policy_dir=first,
    )
    with running_api(settings) as api:
        parties = Parties(api)
        old = parties.file(api)
        staff = parties.on(api, "staff")
        before = staff.get(f"/v1/cases/{old['id']}").json()
        history = staff.get(f"/v1/cases/{old['id']}/history").json()
    assert old["policy_version"] == 1
    assert due(old, "reply") == PARIS.work_hours_after(at(old, "created_at"), 24)

    second = copy_of_shipped(tmp_path / "v2")
    assert raise_version(second, "bigben", REPLY, REFUND) == 2
    assert lock_policy_versions(second) == [("bigben", 2)]
    with running_api(settings.model_copy(update={"policy_dir": second})) as api:
        staff = parties.on(api, "staff")
        # The old case replays identically under its own version.
        assert staff.get(f"/v1/cases/{old['id']}").json() == before
        assert staff.get(f"/v1/cases/{old['id']}/history").json() == history
        assert staff.get(f"/v1/cases/{old['id']}/verify").json()["valid"] is True
        # A new case follows the new version.
        new = parties.file(api)
        assert new["policy_version"] == 2
        assert due(new, "reply") == PARIS.work_hours_after(at(new, "created_at"), 48)
        # Deadlines armed after the restart follow each case's own version too.
        old_received = parties.receive_return(api, old)
        new_received = parties.receive_return(api, new)
        assert due(old_received, "refund") == at(old_received, "updated_at") + timedelta(hours=336)
        assert due(new_received, "refund") == at(new_received, "updated_at") + timedelta(hours=240)
        # The platforms endpoints show the version in force and the older one.
        policies = staff.get("/v1/platforms").json()
        assert (policies["bigben"]["version"], policies["geli"]["version"]) == (2, 1)
        assert staff.get("/v1/platforms/bigben/versions").json() == {
            "platform": "bigben",
            "current": 2,
            "versions": [1, 2],
        }
        older = staff.get("/v1/platforms/bigben/versions/1").json()
        assert older["version"] == 1
        assert older["deadlines"][0]["after"]["work_hours"] == "24"
        missing = staff.get("/v1/platforms/bigben/versions/3")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert staff.get("/v1/platforms/nowhere/versions/1").status_code == 422


@pytest.mark.slow  # a `redress api` process
def test_a_policy_changed_without_a_raised_version_stops_the_api_at_start_naming_the_file(
    tmp_path: Path,
) -> None:
    directory = copy_of_shipped(tmp_path / "policies")
    edit(directory / "bigben.toml", *REPLY)
    env = {
        **os.environ,
        "REDRESS_DATABASE_URL": f"sqlite:///{tmp_path / 'redress.db'}",
        "REDRESS_POLICY_DIR": str(directory),
        "COLUMNS": "400",
    }
    started = subprocess.run(
        [str(REDRESS), "api", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2, started.stderr
    assert f"{directory / 'bigben.toml'}: changed since version 1 was locked" in started.stderr
