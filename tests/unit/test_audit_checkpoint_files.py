"""Checkpoints kept outside come back in any of the shapes Redress gives them out: the file's
JSON lines, a saved API page, webhook bodies; the file's last position is found from its end."""

from __future__ import annotations

import io
import json
from pathlib import Path

from services.audit.cli import read_checkpoints
from services.audit.publish import envelope, last_position_in


def checkpoint(position: int) -> dict[str, object]:
    return {"position": position, "at": "2026-12-06T04:00:00.000000Z", "padding": "x" * 300}


def test_json_lines_an_api_page_and_webhook_bodies_are_all_read(tmp_path: Path) -> None:
    kept = [checkpoint(10), checkpoint(20)]
    lines = tmp_path / "kept.jsonl"
    lines.write_text("".join(json.dumps(c) + "\n" for c in kept))
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"items": kept, "next_cursor": None}))
    bodies = tmp_path / "webhooks.jsonl"
    bodies.write_text("".join(json.dumps(envelope(c)) + "\n" for c in kept))

    for path in (lines, page, bodies):
        assert read_checkpoints(path) == kept


def test_the_last_position_is_read_from_the_end_of_a_long_file() -> None:
    body = b"".join(json.dumps(checkpoint(n)).encode() + b"\n" for n in range(1, 500))
    assert last_position_in(io.BytesIO(body)) == 499
    assert last_position_in(io.BytesIO(b"")) == 0
    assert last_position_in(io.BytesIO(json.dumps(checkpoint(7)).encode() + b"\n")) == 7
