"""The error catalogue covers every problem the code can answer with."""

from __future__ import annotations

import re
from pathlib import Path

import domain.errors as errors
from services.case_api.catalogue import CATALOGUE
from services.case_api.problems import HTTP_PROBLEMS, request_base

ROOT = Path(__file__).resolve().parents[2]


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_business_rule_has_a_page() -> None:
    rules = {c.rule for c in _subclasses(errors.DomainError) if c is not errors.InvalidField}
    assert rules - set(CATALOGUE) == set()
    assert {e.slug for e in CATALOGUE.values() if e.rule} == rules


def test_every_slug_raised_in_the_code_has_a_page() -> None:
    raised = set()
    for source in (ROOT / "services").rglob("*.py"):
        raised |= set(re.findall(r'slug="([^"]+)"', source.read_text(encoding="utf-8")))
    raised |= {slug for _, slug in HTTP_PROBLEMS.values()}
    assert raised, "the scan found no slugs"
    assert raised - set(CATALOGUE) == set()


def test_every_entry_says_when_and_what_instead() -> None:
    for entry in CATALOGUE.values():
        assert entry.when.endswith(".") and entry.instead.endswith("."), entry.slug
        assert 400 <= entry.status < 600


def test_type_uris_use_the_requests_host_and_refuse_a_forged_one() -> None:
    def scope(host: bytes) -> dict[str, object]:
        return {"type": "http", "scheme": "https", "headers": [(b"host", host)]}

    assert request_base(scope(b"api.example.com:8443")) == "https://api.example.com:8443"
    assert request_base(scope(b"[::1]:8000")) == "https://[::1]:8000"
    assert request_base(scope(b"evil.example/<script>")) == "http://localhost"
