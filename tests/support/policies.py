"""Policy directories as an operator keeps them: a copy of the shipped files, changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from domain.policies import PLATFORMS, parse_policy
from domain.policies.versions import SHIPPED


def copy_of_shipped(directory: Path) -> Path:
    directory.mkdir(parents=True)
    for name in [*(f"{p}.toml" for p in PLATFORMS), "versions.lock"]:
        shutil.copy(SHIPPED / name, directory / name)
    return directory


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def raise_version(directory: Path, platform: str, *changes: tuple[str, str]) -> int:
    """What an operator does: keep the old file in the archive, raise the version, change it.
    The new version (not locked yet)."""
    current = directory / f"{platform}.toml"
    version = parse_policy(current.name, current.read_text("utf-8")).version
    archive = directory / "archive" / platform
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copy(current, archive / f"v{version}.toml")
    edit(current, f"version = {version}", f"version = {version + 1}")
    for old, new in changes:
        edit(current, old, new)
    return version + 1
