"""Policy versions: a case follows the policy version it was filed under, for good.

A policy directory holds each platform's current policy (`<platform>.toml`, with its `version`),
the earlier versions that open or past cases were filed under (`archive/<platform>/v<N>.toml`),
and `versions.lock`: the content hash of every version. Loading refuses a file whose content
no longer matches the hash locked for its version (a change without a raised version), a
version not locked yet, and a locked earlier version whose archived file is missing. Each
refusal names the file.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from domain.errors import PolicyError
from domain.policies.schema import Policy

LOCK_FILE = "versions.lock"
ARCHIVE = "archive"
SHIPPED = Path(__file__).parent
LOCK_HEADER = """\
# The content hash (SHA-256) of every policy version. A changed policy needs a raised `version`,
# its earlier file kept under archive/<platform>/v<N>.toml; then `redress policies lock` adds
# the new version here. Existing lines never change.
"""


@dataclass(frozen=True)
class PolicyBook:
    """Every loaded version of every platform's policy."""

    current: Mapping[str, Policy]
    by_version: Mapping[tuple[str, int], Policy]
    directory: Path

    def get(self, platform: str, version: int) -> Policy:
        try:
            return self.by_version[(platform, version)]
        except KeyError:
            raise PolicyError(
                f"{self.directory}: no version {version} of the {platform} policy"
            ) from None

    def versions(self, platform: str) -> list[int]:
        return sorted(v for p, v in self.by_version if p == platform)


@dataclass(frozen=True)
class PolicyFile:
    path: Path
    text: str

    @property
    def digest(self) -> str:
        # Line endings do not count: a checkout on another system is the same policy.
        normalized = self.text.replace("\r\n", "\n")
        return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    return PolicyFile(Path(), text).digest


def read_lock(directory: Path) -> dict[str, dict[int, str]]:
    path = directory / LOCK_FILE
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return {p: {int(v): str(h) for v, h in hashes.items()} for p, hashes in raw.items()}
    except (tomllib.TOMLDecodeError, ValueError, AttributeError) as exc:
        raise PolicyError(f"{path}: not a valid lock of policy versions: {exc}") from None


def write_lock(directory: Path, lock: Mapping[str, Mapping[int, str]]) -> None:
    lines = [LOCK_HEADER]
    for platform in sorted(lock):
        lines.append(f"\n[{platform}]\n")
        lines += [f'{v} = "{h}"\n' for v, h in sorted(lock[platform].items())]
    (directory / LOCK_FILE).write_text("".join(lines), encoding="utf-8")


def policy_files(directory: Path, platforms: tuple[str, ...]) -> dict[str, list[PolicyFile]]:
    """Each platform's files, the current one first, then the archived ones."""
    found: dict[str, list[PolicyFile]] = {}
    for platform in platforms:
        current = directory / f"{platform}.toml"
        if not current.exists():
            raise PolicyError(f"{current}: missing policy file")
        archived = sorted((directory / ARCHIVE / platform).glob("v*.toml"))
        found[platform] = [
            PolicyFile(path, path.read_text(encoding="utf-8")) for path in [current, *archived]
        ]
    return found


def build_book(
    directory: Path,
    files: Mapping[str, list[PolicyFile]],
    parsed: Mapping[Path, Policy],
    lock: Mapping[str, Mapping[int, str]],
) -> PolicyBook:
    """Check every file against the lock and the archive; the book of every version."""
    current: dict[str, Policy] = {}
    by_version: dict[tuple[str, int], Policy] = {}
    for platform, platform_files in files.items():
        head = platform_files[0]
        latest = parsed[head.path]
        current[platform] = latest
        locked = lock.get(platform, {})
        for file in platform_files:
            policy = parsed[file.path]
            if file is not head:
                _check_archived(file.path, policy, latest, head.path)
            _check_locked(file, policy, locked.get(policy.version), directory)
            by_version[(platform, policy.version)] = policy
        for version in sorted(locked):
            if version > latest.version:
                raise PolicyError(
                    f"{head.path}: version {latest.version} is below version {version}, "
                    f"already locked: versions only go up"
                )
            if (platform, version) not in by_version:
                missing = directory / ARCHIVE / platform / f"v{version}.toml"
                raise PolicyError(
                    f"{missing}: missing; cases filed under version {version} of the "
                    f"{platform} policy follow it (keep the file as it was before the change)"
                )
    return PolicyBook(MappingProxyType(current), MappingProxyType(by_version), directory)


def _check_archived(path: Path, policy: Policy, latest: Policy, head: Path) -> None:
    if path.stem != f"v{policy.version}":
        raise PolicyError(f"{path}: holds version {policy.version}; name it v{policy.version}.toml")
    if policy.version >= latest.version:
        raise PolicyError(
            f"{path}: archived version {policy.version} is not older than {head} "
            f"(version {latest.version})"
        )


def _check_locked(file: PolicyFile, policy: Policy, locked: str | None, directory: Path) -> None:
    if locked is None:
        raise PolicyError(
            f"{file.path}: version {policy.version} is not in {directory / LOCK_FILE}; "
            f"after raising a policy's version, run `redress policies lock`"
        )
    if locked != file.digest:
        raise PolicyError(
            f"{file.path}: changed since version {policy.version} was locked; a changed "
            f"policy needs a raised `version` (and the old file kept under "
            f"{ARCHIVE}/{policy.platform}/v{policy.version}.toml)"
        )
