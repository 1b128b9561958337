"""The composition root of the use cases: every process, command and benchmark opens the
application here, from its settings."""

from __future__ import annotations

from collections.abc import Mapping

from domain.money import ExchangeRates
from services.application import Redress
from services.settings import Settings


def open_redress(settings: Settings, env: Mapping[str, str] | None = None) -> Redress:
    """The application on the settings' database, policies and exchange rates. `env`: more
    of the eventsourcing library's settings, over the ones the settings give (a pool size, a
    transcoder). The database must be migrated first (services.db.prepare): no table is
    created here."""
    return Redress(
        env={**settings.eventsourcing_env(), **(env or {})},
        rates=ExchangeRates(settings.exchange_rates),
        policies=settings.policy_book(),
    )


def open_for_command(settings: Settings, env: Mapping[str, str] | None = None) -> Redress:
    """The application for a one-shot command (`redress audit case`, `audit verify`, a policy
    what-if): its PostgreSQL pool opens one connection and grows on demand up to the
    settings' size. A long-running process fills its pool at start, in background threads,
    and a command that makes a few reads would pay for that filling while it reads (seen as
    several milliseconds of a 60 ms audit) and hold connections the server could give others."""
    grow = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": str(settings.db_pool_size - 1)}
    return open_redress(settings, {**grow, **(env or {})})
