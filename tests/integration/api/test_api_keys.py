"""API keys are listed and revoked, and a revoked key stops working at once in every process
(two API servers on one database here, each caching the keys it has checked)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.api_server import ADMIN_TOKEN, Api, running_api
from typer.testing import CliRunner

from services.case_api.settings import ApiSettings
from services.entrypoints import cli


@pytest.fixture(scope="module")
def other(api: Api) -> Iterator[Api]:
    """A second API process's worth of app (its own key cache) on the same database."""
    settings = ApiSettings.model_validate(api.settings.model_dump())
    with running_api(settings) as second:
        yield second


def _key(api: Api, role: str = "staff") -> tuple[str, str]:
    answer = api.admin.post("/v1/api-keys", json={"role": role, "subject": f"{role}-listed"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["token"]


def test_keys_are_listed_without_their_tokens(api: Api) -> None:
    key_id, token = _key(api)
    answer = api.admin.get("/v1/api-keys", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    listed = {k["id"]: k for k in answer.json()["items"]}
    assert listed[key_id]["role"] == "staff" and listed[key_id]["revoked_at"] is None
    assert token not in answer.text and "token" not in listed[key_id]


def test_listing_pages_by_id(api: Api) -> None:
    for _ in range(3):
        _key(api)
    first = api.admin.get("/v1/api-keys", params={"limit": 2}).json()
    second = api.admin.get("/v1/api-keys", params={"limit": 2, "after": first["next_cursor"]})
    assert second.status_code == 200, second.text
    assert second.json()["items"][0]["id"] > first["items"][-1]["id"]


def test_only_admin_lists_or_revokes(api: Api) -> None:
    key_id, token = _key(api)
    staff = api.client(token)
    assert staff.get("/v1/api-keys").status_code == 403
    assert staff.delete(f"/v1/api-keys/{key_id}").status_code == 403


@pytest.mark.parametrize("key_id", ["0123456789abcdef", "nope%00", "x" * 500])
def test_revoking_an_unknown_key_is_404(api: Api, key_id: str) -> None:
    answer = api.admin.delete(f"/v1/api-keys/{key_id}")
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_revoked_key_stops_at_once_in_every_process(api: Api, other: Api) -> None:
    key_id, token = _key(api)
    here, there = api.client(token), other.client(token)
    for client in (here, there, here, there):  # each process has checked and cached it
        assert client.get("/v1/cases").status_code == 200
    assert api.admin.delete(f"/v1/api-keys/{key_id}").status_code == 204
    assert here.get("/v1/cases").status_code == 401  # the revoking process: at once
    # The other process hears of it by NOTIFY as the revocation commits: the next request
    # normally sees it; on a loaded machine the notice may take a moment (never the old 30 s).
    assert _until_refused(there), "the other process still accepted the revoked key"
    revoked = [k for k in api.admin.get("/v1/api-keys").json()["items"] if k["id"] == key_id]
    assert revoked[0]["revoked_at"] is not None
    assert api.admin.delete(f"/v1/api-keys/{key_id}").status_code == 204  # again: still gone


def _until_refused(client: httpx.Client, patience: float = 5.0) -> bool:
    deadline = time.monotonic() + patience
    while client.get("/v1/cases").status_code != 401:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_redress_keys_revoke_stops_a_key_at_once_in_every_process(
    api: Api, other: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_id, token = _key(api)
    here, there = api.client(token), other.client(token)
    assert here.get("/v1/cases").status_code == there.get("/v1/cases").status_code == 200
    monkeypatch.setenv("REDRESS_DATABASE_URL", api.settings.database_url)
    result = CliRunner().invoke(cli.app, ["keys", "revoke", key_id])
    assert result.exit_code == 0, result.output
    assert _until_refused(here) and _until_refused(there)
    listed = CliRunner().invoke(cli.app, ["keys", "list"])
    assert key_id in listed.output and token not in listed.output


def test_the_bootstrap_token_is_not_a_key_one_can_revoke(api: Api) -> None:
    assert api.admin.delete("/v1/api-keys/bootstrap").status_code == 404
    assert httpx.get(f"{api.url}/v1/cases", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def test_serve_mints_no_key_when_the_admin_token_is_set(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ApiSettings.model_validate(api.settings.model_dump())
    assert cli._bootstrap_admin(settings, tmp_path / "token") is None
    assert not (tmp_path / "token").exists()


def test_serve_writes_a_minted_key_to_a_private_file_not_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDRESS_ADMIN_TOKEN", raising=False)
    settings = ApiSettings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    cli._prepare(settings)
    cli._announce(settings, "127.0.0.1", 8000)
    said = capsys.readouterr()
    written = tmp_path / cli.BOOTSTRAP_TOKEN_FILE
    token = written.read_text().strip()
    assert token.startswith("rdk_")
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert str(cli.BOOTSTRAP_TOKEN_FILE) in said.out
    assert "rdk_" not in said.out + said.err
    # A second start finds the admin key and mints nothing more.
    written.unlink()
    cli._announce(settings, "127.0.0.1", 8000)
    assert not written.exists()
    assert "rdk_" not in capsys.readouterr().out
