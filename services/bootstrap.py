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
