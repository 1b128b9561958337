"""The tests are sorted like the code (README, "Test"): helpers only in tests/support, test
modules with unique basenames (pytest imports them by basename), and no test module importing
from a conftest or from another test module."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SUPPORT = TESTS / "support"


def modules() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def test_test_module_basenames_are_unique() -> None:
    names = Counter(p.name for p in modules() if p.name.startswith("test_"))
    assert not [name for name, n in names.items() if n > 1]


def test_helpers_live_in_tests_support() -> None:
    strays = [
        str(p.relative_to(TESTS))
        for p in modules()
        if SUPPORT not in p.parents and not p.name.startswith("test_") and p.name != "conftest.py"
    ]
    assert not strays, "move these into tests/support"


def test_nothing_is_imported_from_a_conftest_or_a_test_module() -> None:
    wrong = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            last = [name.rsplit(".", 1)[-1] for name in names]
            if any(n == "conftest" or n.startswith("test_") for n in last):
                wrong.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not wrong
