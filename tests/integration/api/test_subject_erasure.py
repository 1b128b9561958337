"""Erasing a data subject over real HTTP, on SQLite and PostgreSQL: afterwards every reader
shows "[erased]" in place of each personal text, the hash chains still verify, the database
holds none of the texts in any form, and the case goes on (ruled, refunded)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from support.api_server import Api, case_body
from support.database_bytes import database_bytes, leaks
from typer.testing import CliRunner

from services.entrypoints import cli


def _secrets() -> dict[str, str]:
    tag = uuid4().hex[:12]
    return {
        name: f"SECRET-{name}-{tag}"
        for name in ("description", "message", "bank", "reply", "staff_note", "form")
    }


def _file_and_talk(api: Api, secrets: dict[str, str]) -> tuple[str, str, httpx.Client]:
    """A Biggrey complaint (escalated at filing: staff rule on it) and a warranty claim, by
    one consumer; messages from every party. (case path, subject id,
    the consumer)."""
    consumer = api.as_role("consumer")
    store_id = api.store("biggrey")
    store = api.as_role("store", stores=[store_id])
    body = {**case_body("biggrey", store_id, "complaint"), "description": secrets["description"]}
    filed = consumer.post("/v1/cases", json=body, headers={"Idempotency-Key": uuid4().hex})
    assert filed.status_code == 201, filed.text
    path = f"/v1/cases/{filed.json()['id']}"
    said = [
        consumer.post(f"{path}/messages", json={"body": secrets["message"]}),
        consumer.post(f"{path}/messages", json={"body": f"IBAN {secrets['bank']}"}),
        store.post(f"{path}/respond", json={"message": secrets["reply"]}),
        api.as_role("staff").post(f"{path}/messages", json={"body": secrets["staff_note"]}),
    ]
    assert all(answer.status_code == 200 for answer in said), [a.text for a in said]
    # A subject is a consumer on one platform: their other case there is theirs too.
    other = {**case_body("biggrey", store_id, "warranty_claim"), "description": secrets["form"]}
    answer = consumer.post("/v1/cases", json=other)
    assert answer.status_code == 201, answer.text
    return path, filed.json()["subject_id"], consumer


def _leaks(text: str | bytes, secrets: dict[str, str]) -> list[str]:
    return leaks(text, list(secrets.values()))


def _database_bytes(api: Api, tmp_path: Path) -> bytes:
    return database_bytes(api.settings, tmp_path)


def _audit(api: Api, case_id: str, at: str | None = None) -> str:
    args = ["audit", case_id, *(["--at", at] if at else [])]
    env = {"REDRESS_DATABASE_URL": api.settings.database_url}
    result = CliRunner().invoke(cli.app, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_an_erased_subject_reads_erased_everywhere_and_the_case_goes_on(
    api: Api, tmp_path: Path
) -> None:
    secrets = _secrets()
    path, subject_id, consumer = _file_and_talk(api, secrets)
    staff = api.as_role("staff")
    case_id = path.rsplit("/", 1)[1]
    exported = staff.get(f"/v1/subjects/{subject_id}/export")
    assert exported.status_code == 200, exported.text
    assert len(exported.json()["cases"]) == 2
    assert set(_leaks(exported.text, secrets)) == set(secrets.values())
    # Copies outside the event log (the filing's idempotent answer) hold them until erased.
    assert _leaks(_database_bytes(api, tmp_path), secrets)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.01)

    erased = staff.post(f"/v1/subjects/{subject_id}/erasure", json={"reason": "GDPR art. 17"})
    assert erased.status_code == 200, erased.text
    assert case_id in erased.json()["cases"]

    case = staff.get(path).json()
    assert case["description"] == "[erased]"
    assert {m["body"] for m in case["messages"]} == {"[erased]"}
    history = staff.get(f"{path}/history").json()["events"]
    assert history[-1]["type"] == "SubjectErased"
    past = staff.get(path, params={"at": before}).json()
    reads = [
        staff.get(path).text,
        consumer.get(path).text,
        staff.get(f"{path}/history").text,
        staff.get(path, params={"at": before}).text,
        staff.get("/v1/events", params={"limit": 500}).text,
        staff.get(f"/v1/subjects/{subject_id}/export").text,
        _audit(api, case_id),
        _audit(api, case_id, before),
    ]
    assert [_leaks(read, secrets) for read in reads] == [[]] * len(reads)
    assert past["description"] == "[erased]"
    assert "[erased]" in _audit(api, case_id, before)
    assert staff.get(f"{path}/verify").json()["valid"] is True
    assert _leaks(_database_bytes(api, tmp_path), secrets) == []

    again = staff.post(f"/v1/subjects/{subject_id}/erasure", json={"reason": "again"})
    assert again.status_code == 200
    assert len(staff.get(f"{path}/history").json()["events"]) == len(history)

    ruling = {"in_favour_of": "consumer", "note": "goods were fake", "refund_amount": "120.00"}
    ruled = staff.post(f"{path}/ruling", json={**ruling, "payer": "platform"})
    assert ruled.status_code == 200, ruled.text
    assert ruled.json()["resolution"] == "ruled_for_consumer"
    assert ruled.json()["ruling"]["note"] == "goods were fake"  # written after the erasure
    assert ruled.json()["refunds"][0]["amount"] == "120.00"
    assert staff.get(f"{path}/verify").json()["valid"] is True


def test_erasure_and_export_answer_problems(api: Api) -> None:
    staff = api.as_role("staff")
    unknown = staff.post(f"/v1/subjects/{uuid4()}/erasure", json={"reason": "asked"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert staff.get(f"/v1/subjects/{uuid4()}/export").status_code == 404
    secrets = _secrets()
    _path, subject_id, consumer = _file_and_talk(api, secrets)
    refused = consumer.post(f"/v1/subjects/{subject_id}/erasure", json={"reason": "me"})
    assert refused.status_code == 403
    assert consumer.get(f"/v1/subjects/{subject_id}/export").status_code == 403
    blank = staff.post(f"/v1/subjects/{subject_id}/erasure", json={"reason": " "})
    assert blank.status_code == 422
