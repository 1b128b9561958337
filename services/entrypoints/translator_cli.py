"""`redress translator`: translate case texts until stopped."""

from __future__ import annotations

from services.translator.settings import TranslatorSettings

# The heavy imports (eventsourcing, SQLAlchemy, aiohttp) wait until the command runs.


def translator() -> None:
    """Translate every text a party writes for the other, until SIGTERM or Ctrl-C."""
    from services.db import prepare
    from services.entrypoints.roles import run_until_signalled
    from services.translator.role import TranslatorRole

    settings = TranslatorSettings()
    prepare(settings)
    run_until_signalled(
        TranslatorRole(settings), settings, f"translator running (engine: {settings.translator})"
    )
