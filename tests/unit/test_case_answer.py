"""`CasePublic` is the one definition of a case answer: `case_state` gives exactly its fields,
valid against it, OpenAPI documents each of them, and the dashboard's case page shows each
one it does not show elsewhere on the page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from support.builders import CONSUMER, MONDAY, STAFF, STORE, by, policy, submit

from domain.money import Money
from services.case_api import timeline
from services.case_api.app import api_schema
from services.case_api.deps import encode
from services.case_view import DISPLAY_ONLY, CasePublic, case_state, with_display

LATER = MONDAY + timedelta(hours=1)


def _busy_case() -> dict[str, object]:
    """A case with a message, a proposal, a refund and a return shipment."""
    case = submit("geli", "return_request")
    p = policy("geli")
    case.decide(p, by(STORE, LATER), "approve")
    case.ship_return(p, by(CONSUMER, LATER), "SF Express", "SF123")
    case.post_message(p, by(CONSUMER, LATER), "Sent today.", "en")
    case.refund(p, by(STAFF, LATER), Money(Decimal("10.00"), "USD"), "store")
    return case_state(case)


def test_the_state_holds_exactly_the_models_fields_and_validates_against_it() -> None:
    state = _busy_case()
    assert set(state) == set(CasePublic.model_fields) - DISPLAY_ONLY
    CasePublic.model_validate_json(encode(state))  # as the API sends it
    shown = with_display(state, "en")
    assert set(shown) == set(CasePublic.model_fields)
    CasePublic.model_validate_json(encode(shown))


def test_openapi_documents_every_field_of_a_case_answer() -> None:
    documented = api_schema()["components"]["schemas"]["CasePublic"]["properties"]
    assert set(documented) == set(CasePublic.model_fields)
    required = set(api_schema()["components"]["schemas"]["CasePublic"]["required"])
    assert required == set(CasePublic.model_fields) - DISPLAY_ONLY


def test_the_dashboards_case_page_shows_every_field_it_does_not_show_elsewhere() -> None:
    state = _busy_case()
    rows = {row["name"] for row in timeline.state_rows(state, None)}
    assert rows == set(CasePublic.model_fields) - DISPLAY_ONLY - timeline.STATE_SKIPPED
