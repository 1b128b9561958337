"""`redress notifier`: follow the event log, deliver webhooks and mail, until stopped."""

from __future__ import annotations

import logging

import typer

# The heavy imports wait until the command runs, so `redress --help` stays fast.

notifier_app = typer.Typer(help="The notifier: webhooks with retries, and email.")


@notifier_app.callback(invoke_without_command=True)
def run(ctx: typer.Context) -> None:
    """Run the notifier until SIGTERM or Ctrl-C (any number may run on one PostgreSQL)."""
    if ctx.invoked_subcommand is not None:
        return
    import asyncio
    import signal

    from services.db import migrate, wait_for_database
    from services.notifier.runner import Notifier
    from services.notifier.settings import NotifierSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = NotifierSettings()
    wait_for_database(settings)
    migrate(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        notifier = Notifier(settings)
        typer.echo(f"notifier {notifier.worker} running")
        try:
            await notifier.run(stop)
        finally:
            await notifier.aclose()

    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
