"""Platform policies as data: one TOML file per platform and version, validated at start-up
(see `domain.policies.versions` for how versions are kept and locked)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.errors import PolicyError
from domain.policies.schema import Policy
from domain.policies.versions import (
    SHIPPED,
    PolicyBook,
    build_book,
    policy_files,
    read_lock,
    write_lock,
)

PLATFORMS = ("biggrey", "globalbuy", "geli", "bigben", "buyippee")

# Tokens a deadline rule may name in `start` / `cancel_on`, besides `timeout:<kind>`.
EVENT_TOKENS = frozenset(
    {
        "Submitted",
        "StoreResponded",
        "MessagePosted",
        "Reminded",
        "Warned",
        "Escalated",
        "StoreClosed",
        "ConsumerApproved",
        "ConsumerRejected",
        "AutoApproved",
        "Refunded",
        "Closed",
        "Withdrawn",
        "Suspended",
        "Suspended:judicial",
        "Suspended:negotiation",
        "Suspended:third_party",
        "Resumed",
        "Ruled",
        "Ruled:consumer",
        "Ruled:store",
        "SettlementRecorded",
        "SuspensionProofRecorded:court",
        "SuspensionProofRecorded:police",
        "StoreClosed:refund",
        "StoreClosed:replace",
        "StoreClosed:repair",
        "StoreClosed:reject",
        "StoreClosed:other",
        "DecisionMade:consumer_gave_up",
        "DiagnosisRecorded",
        "DiagnosisRecorded:return_needed",
        "DiagnosisRecorded:fixed_remotely",
        "DiagnosisRecorded:not_covered",
        "RepaymentRecorded",
        "RepaymentOverdue",
        "SuspensionProofRecorded",
        "DecisionMade",
        "DecisionMade:approve",
        "DecisionMade:refuse",
        "DecisionMade:refund_only",
        "DecisionMade:reship",
        "Refunded:store",
        "Refunded:platform",
        "ReturnShipped",
        "ReturnReceived",
        "ConsumerCloseAllowed",
        "PayoutConfirmed",
        "PayoutOverdue",
        "PayoutHeld",
    }
)


def parse_policy(name: str, text: str, platform: str | None = None) -> Policy:
    """Parse and validate one policy file of `platform` (by default the file's name); errors
    name the file and the field."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{name}: not valid TOML: {exc}") from None
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PolicyError(f"{name}: {problems}") from None
    _check_tokens(name, policy)
    if policy.platform != (platform or Path(name).stem):
        raise PolicyError(f"{name}: platform: {policy.platform!r} does not match the file name")
    return policy


def _check_tokens(name: str, policy: Policy) -> None:
    kinds = {rule.kind for rule in policy.deadlines}
    for index, rule in enumerate(policy.deadlines):
        for field in ("start", "cancel_on"):
            for token in getattr(rule, field):
                known = token in EVENT_TOKENS or (
                    token.startswith("timeout:") and token.removeprefix("timeout:") in kinds
                )
                if not known:
                    raise PolicyError(
                        f"{name}: deadlines.{index}.{field}: unknown event or timeout {token!r}"
                    )


def load_policy_book(
    directory: Path | None = None, lock: Mapping[str, Mapping[int, str]] | None = None
) -> PolicyBook:
    """Every version of every platform's policy, from `directory` or the shipped files; each
    file checked against `lock` (default: the directory's lock of versions)."""
    directory = directory or SHIPPED
    files = policy_files(directory, PLATFORMS)
    parsed = {
        file.path: parse_policy(str(file.path), file.text, platform)
        for platform, platform_files in files.items()
        for file in platform_files
    }
    return build_book(directory, files, parsed, read_lock(directory) if lock is None else lock)


def lock_policy_versions(directory: Path | None = None) -> list[tuple[str, int]]:
    """Lock the content of every version not locked yet (never changing a locked one); the
    (platform, version) pairs added. The whole directory must then load."""
    directory = directory or SHIPPED
    lock = read_lock(directory)
    added = []
    for platform, platform_files in policy_files(directory, PLATFORMS).items():
        for file in platform_files:
            version = parse_policy(str(file.path), file.text, platform).version
            if version not in lock.setdefault(platform, {}):
                lock[platform][version] = file.digest
                added.append((platform, version))
    load_policy_book(directory, lock)  # refuses what would not load, before writing
    if added:
        write_lock(directory, lock)
    return added


def load_policies(directory: Path | None = None) -> Mapping[str, Policy]:
    """Every platform's current policy, from `directory` or the files shipped with the package."""
    return load_policy_book(directory).current


@lru_cache(maxsize=8)
def default_policy_book(directory: Path | None = None) -> PolicyBook:
    """The book of `directory` (default: the shipped files), loaded once per process."""
    return load_policy_book(directory)


def default_policies() -> Mapping[str, Policy]:
    return default_policy_book().current


__all__ = [
    "PLATFORMS",
    "Policy",
    "PolicyBook",
    "default_policies",
    "default_policy_book",
    "load_policies",
    "load_policy_book",
    "lock_policy_versions",
    "parse_policy",
]
