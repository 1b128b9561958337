"""Platform policies as data: one TOML file per platform, validated at start-up."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from domain.errors import PolicyError
from domain.policies.schema import Policy

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


def parse_policy(name: str, text: str) -> Policy:
    """Parse and validate one policy file; errors name the file and the field."""
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
    stem = Path(name).stem
    if policy.platform != stem:
        raise PolicyError(f"{name}: platform: {policy.platform!r} does not match the file name")


def load_policies(directory: Path | None = None) -> MappingProxyType[str, Policy]:
    """Every platform's policy, from `directory` or the files shipped with the package."""
    loaded: dict[str, Policy] = {}
    for platform in PLATFORMS:
        filename = f"{platform}.toml"
        if directory is not None:
            path = directory / filename
            if not path.exists():
                raise PolicyError(f"{path}: missing policy file")
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
        loaded[platform] = parse_policy(filename, text)
    return MappingProxyType(loaded)


@lru_cache(maxsize=1)
def default_policies() -> MappingProxyType[str, Policy]:
    return load_policies()


__all__ = ["PLATFORMS", "Policy", "default_policies", "load_policies", "parse_policy"]
