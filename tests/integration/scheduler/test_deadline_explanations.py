"""Why a deadline is due when it is, on both backends: the counted segments add up to the
budget and name the holidays; an explanation reads the same at any later version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from support.scheduler_harness import STAFF, Harness, local, module_harness

from domain.explain import DeadlineUnknown

LONDON, SHANGHAI, PARIS = "Europe/London", "Asia/Shanghai", "Europe/Paris"


shared, h = module_harness()


def explain(h: Harness, case_id: UUID, kind: str, version: int | None = None) -> dict[str, Any]:
    state = h.app.get_case(case_id, version=version)
    deadline = next(d for d in state["deadlines"] if d["kind"] == kind)
    _parties, why = h.app.explain_deadline(case_id, deadline["id"], version=version)
    assert why["due_at"] == deadline["due_at"]
    return why


def counted(why: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in why["segments"] if s["counted"]]


def counted_time(why: dict[str, Any]) -> timedelta:
    return sum((s["to"] - s["from"] for s in counted(why)), timedelta())


def reasons(why: dict[str, Any]) -> list[str]:
    return [s["reason"] for s in why["segments"]]


def test_biggrey_two_work_days_across_easter_in_england(h: Harness) -> None:
    h.store("biggrey")
    case_id = h.submit("biggrey", "warranty_claim", local("2025-04-17 10:00", LONDON))
    why = explain(h, case_id, "first_response")
    assert (why["budget"], why["started_by"]["type"]) == ("2 full work days", "Submitted")
    assert why["due_at"] == local("2025-04-24 00:00", LONDON)
    assert len(counted(why)) == 2  # Tuesday 22 and Wednesday 23
    assert reasons(why)[:6] == [
        "day already begun",
        "holiday: Good Friday",
        "weekend",
        "weekend",
        "holiday: Easter Monday",
        "work day",
    ]
    assert "2 full work days" in why["row"]
    assert why["segments"][0]["from"] == why["started_at"]
    assert why["segments"][-1]["to"] == why["due_at"]


def test_globalbuy_seven_work_days_across_national_day_count_the_make_up_saturday(
    h: Harness,
) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2026-09-29 09:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy", "return_request", submitted, completed_at=submitted - timedelta(days=1)
    )
    h.act(case_id, STAFF, local("2026-09-30 10:00", SHANGHAI), "suspend", reason="judicial")
    why = explain(h, case_id, "auto_resume")
    assert why["budget"] == "7 full work days"
    assert len(counted(why)) == 7
    assert "make-up work day" in reasons(why)
    assert any("National Day" in r for r in reasons(why))


def test_geli_120_business_minutes_across_a_night_and_a_weekend(h: Harness) -> None:
    h.store("geli", country="CN", timezone=SHANGHAI)
    friday_evening = local("2025-06-06 21:30", SHANGHAI)
    case_id = h.submit(
        "geli",
        "return_request",
        friday_evening,
        delivered_at=friday_evening - timedelta(hours=3),
        goods_category="fresh_food",
    )
    why = explain(h, case_id, "review")
    assert why["budget"] == "120 business minutes"
    assert counted_time(why) == timedelta(minutes=120)
    assert why["due_at"] == local("2025-06-09 09:30", SHANGHAI)
    assert "outside business hours 08:00–22:00" in reasons(why)
    assert "weekend" in reasons(why)


def test_bigben_24_work_day_hours_from_friday_evening(h: Harness) -> None:
    h.store("bigben", country="FR", timezone=PARIS)
    case_id = h.submit("bigben", "complaint", local("2025-06-13 18:00", PARIS))
    why = explain(h, case_id, "reply")
    assert why["budget"] == "24 hours on work days"
    assert counted_time(why) == timedelta(hours=24)
    assert why["due_at"] == local("2025-06-16 18:00", PARIS)
    assert reasons(why).count("weekend") == 2


def test_a_globalbuy_suspension_of_3_days_is_not_counted(h: Harness) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy", "return_request", submitted, completed_at=submitted - timedelta(days=1)
    )
    h.act(case_id, STAFF, submitted + timedelta(hours=6), "suspend", reason="negotiation")
    h.act(case_id, STAFF, submitted + timedelta(days=3, hours=6), "resume")
    why = explain(h, case_id, "merchant_decision")
    assert counted_time(why) == timedelta(hours=48)
    paused = [s for s in why["segments"] if not s["counted"]]
    assert len(paused) == 1 and paused[0]["reason"].startswith("paused while suspended")
    assert paused[0]["to"] - paused[0]["from"] == timedelta(days=3)
    assert why["due_at"] == submitted + timedelta(days=3, hours=48)


def test_an_explanation_reads_the_same_at_every_later_version(h: Harness) -> None:
    h.store("biggrey")
    submitted = local("2025-04-17 10:00", LONDON)
    case_id = h.submit("biggrey", "warranty_claim", submitted)
    first = explain(h, case_id, "first_response")
    h.act(case_id, STAFF, submitted + timedelta(hours=1), "post_message", body="any news?")
    h.run_due(first["due_at"])  # the reminder fires: the deadline is now past
    _parties, later = h.app.explain_deadline(case_id, first["deadline_id"])
    _parties, at_one = h.app.explain_deadline(case_id, first["deadline_id"], version=1)
    assert later["segments"] == at_one["segments"] == first["segments"]
    assert later["outcome"].startswith("fired: Reminded")
    assert at_one["outcome"] == "pending"


def test_an_unknown_deadline_is_refused(h: Harness) -> None:
    h.store("biggrey")
    case_id = h.submit("biggrey", "warranty_claim", local("2025-04-17 10:00", LONDON))
    with pytest.raises(DeadlineUnknown):
        h.app.explain_deadline(case_id, "nothing-9")
