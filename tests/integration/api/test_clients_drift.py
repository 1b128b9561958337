"""The committed clients (clients/) are what `make clients` makes from today's API: the
schema and the clients never drift apart."""

from __future__ import annotations

import filecmp
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

# npm's TypeScript compiler and a whole generation of the clients: seconds each.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = ROOT / "clients"
GENERATED = ("openapi.json", "python", "typescript/redress.d.ts")


def differences(left: Path, right: Path) -> list[str]:
    if left.is_file():
        return [] if filecmp.cmp(left, right, shallow=False) else [str(left.relative_to(CLIENTS))]
    compared = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str((left / n).relative_to(CLIENTS)) for n in compared.left_only + compared.right_only]
    found += [str((left / n).relative_to(CLIENTS)) for n in compared.diff_files]
    for name in compared.common_dirs:
        found += differences(left / name, right / name)
    return found


def test_the_committed_clients_match_the_api(tmp_path: Path) -> None:
    made = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_clients.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, f"make clients failed:\n{made.stderr}"
    drifted = [d for name in GENERATED for d in differences(CLIENTS / name, tmp_path / name)]
    assert not drifted, f"the clients drifted from the API; run `make clients`: {drifted}"


def test_the_readme_typescript_example_type_checks_against_the_types() -> None:
    spec = importlib.util.spec_from_file_location("make_clients", ROOT / "scripts/make_clients.py")
    assert spec is not None and spec.loader is not None
    make_clients = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_clients)
    make_clients.typescript_generator()  # installs the pinned packages when missing
    tsc = CLIENTS / "typescript" / "node_modules" / ".bin" / "tsc"
    checked = subprocess.run(
        [str(tsc), "-p", str(CLIENTS / "examples" / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
