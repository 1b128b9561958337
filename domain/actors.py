"""Who acted, and when: every command carries one of these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

ROLES = ("consumer", "store", "staff", "ops", "admin", "system")


@dataclass(frozen=True)
class Actor:
    role: str
    id: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "id": self.id}


SCHEDULER = Actor("system", "scheduler")


@dataclass(frozen=True)
class By:
    """The actor, the logical time of the act, and the wall-clock time it was recorded."""

    actor: Actor
    occurred_at: datetime
    recorded_at: datetime

    def __post_init__(self) -> None:
        # Every stored instant is UTC; the offset a client sent is not part of the fact.
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))
        object.__setattr__(self, "recorded_at", self.recorded_at.astimezone(UTC))

    @classmethod
    def at(cls, actor: Actor, now: datetime) -> By:
        return cls(actor, now, now)
