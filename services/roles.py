"""The long-running roles that `redress serve` runs beside the API, in one process.

Each role module provides a `Role`: started before the API serves, stopped (drained) after
it. In production each role runs as its own process instead (`redress scheduler`, ...).
"""

from __future__ import annotations

from typing import Protocol

from services.settings import Settings


class Role(Protocol):
    name: str

    def start(self) -> None:
        """Begin work in background threads; return at once."""

    def stop(self, timeout: float = 25.0) -> None:
        """Finish or release claimed work, then return."""


def background_roles(settings: Settings) -> list[Role]:
    """Every role `serve` runs in-process (each role module registers itself here)."""
    from services.notifier.runner import NotifierRole
    from services.projector.role import ProjectorRole

    roles: list[Role] = []
    roles.append(ProjectorRole(settings))
    roles.append(NotifierRole(settings))
    return roles
