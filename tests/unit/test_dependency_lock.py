"""The locks agree with pyproject.toml: every pin there is the version both locks install (a pin
bumped without `make lock` fails here), every locked package carries hashes, and make, CI and
the image install from a lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = PYPROJECT["project"]["dependencies"]
DEV = PYPROJECT["project"]["optional-dependencies"]["dev"]
LOCKS = {"requirements.lock": RUNTIME, "requirements-dev.lock": RUNTIME + DEV}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"not pinned with ==: {requirement}"
        found[normal(match[1])] = match[2]
    return found


def locked(lock: str) -> dict[str, tuple[str, int]]:
    """name: (version, number of hashes) of every package the lock installs."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        if match := PIN.match(block):
            entries[normal(match[1])] = (match[2], block.count("--hash=sha256:"))
    return entries


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_pin_of_pyproject_is_what_the_lock_installs(lock: str) -> None:
    entries = locked(lock)
    wrong = {
        name: (version, entries.get(name, ("absent", 0))[0])
        for name, version in pins(LOCKS[lock]).items()
        if entries.get(name, ("absent", 0))[0] != version
    }
    assert not wrong, f"pyproject.toml vs {lock} (run `make lock`): {wrong}"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_has_its_hashes(lock: str) -> None:
    entries = locked(lock)
    assert entries
    assert not [name for name, (_, hashes) in entries.items() if hashes == 0]


def test_the_client_generator_is_locked_apart_with_hashes() -> None:
    wanted = [
        line
        for line in (ROOT / "clients" / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    entries = locked("clients/requirements.lock")
    assert {name: entries.get(name, ("absent", 0))[0] for name in pins(wanted)} == pins(wanted)
    assert not [name for name, (_, hashes) in entries.items() if hashes == 0]


def test_the_runtime_lock_holds_no_test_tool() -> None:
    runtime = set(locked("requirements.lock"))
    tools = {"pytest", "hypothesis", "schemathesis", "playwright", "httpx", "aiosmtpd", "deptry"}
    assert tools <= set(pins(DEV))
    assert not tools & runtime


def test_make_ci_and_the_image_install_from_a_lock_and_the_project_without_dependencies() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps /wheels/*.whl" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert not {"requirements.lock", "*.lock"} & set(ignored)
