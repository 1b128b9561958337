"""The OpenAPI document's examples: every request body and documented answer has one, the
request examples are valid bodies for their models, and error answers link their problem
types."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from domain.policies import PLATFORMS
from services.case_api import schemas
from services.case_api.app import create_app
from services.case_api.openapi_examples import CASE_FILINGS, REQUESTS
from services.case_api.routes import webhooks
from services.case_api.settings import ApiSettings


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("openapi") / "redress.db"
    return create_app(ApiSettings(database_url=f"sqlite:///{path}")).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def model(name: str) -> type[BaseModel]:
    found = getattr(schemas, name, None) or getattr(webhooks, name)
    assert isinstance(found, type) and issubclass(found, BaseModel), name
    return found


def test_every_request_example_is_a_valid_body_for_its_model() -> None:
    for name, example in REQUESTS.items():
        values = [e["value"] for e in example.values()] if name == "CaseCreate" else [example]
        for value in values:
            model(name).model_validate(value)


def test_a_filing_example_for_every_platform() -> None:
    assert set(CASE_FILINGS) == set(PLATFORMS)
    assert {body["platform"] for body in CASE_FILINGS.values()} == set(PLATFORMS)


def test_every_body_and_answer_has_an_example(document: dict[str, Any]) -> None:
    for where, operation in operations(document):
        for media, body in operation.get("requestBody", {}).get("content", {}).items():
            assert "example" in body or "examples" in body, (where, media)
        for code, answer in operation["responses"].items():
            for media, content in answer.get("content", {}).items():
                assert "example" in content or "examples" in content, (where, code, media)


def test_error_answers_link_their_problem_types(document: dict[str, Any]) -> None:
    filing = next(op for where, op in operations(document) if where == "POST /v1/cases")
    refused = filing["responses"]["422"]
    assert "[`filing_window`](/problems/filing_window)" in refused["description"]
    examples = refused["content"]["application/problem+json"]["examples"]
    assert examples["filing_window"]["value"]["rule"] == "filing_window"
    for where, operation in operations(document):
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert "/problems/" in answer["description"], (where, code)
