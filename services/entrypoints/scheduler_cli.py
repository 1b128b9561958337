"""`redress scheduler` (runs until stopped) and `redress scheduler run-due` (one sweep)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from services.scheduler.settings import SchedulerSettings

# The heavy imports (eventsourcing, SQLAlchemy, APScheduler) wait until a command runs, so
# `redress --help` stays fast.

scheduler_app = typer.Typer(help="The deadline scheduler: turns missed deadlines into timeouts.")

Now = Annotated[
    str | None,
    typer.Option(help="fire what is due at or before this ISO 8601 instant (default: now)"),
]


def _prepare() -> SchedulerSettings:
    from services.db import prepare

    settings = SchedulerSettings()
    prepare(settings)
    return settings


@scheduler_app.callback(invoke_without_command=True)
def run(ctx: typer.Context) -> None:
    """Run the scheduler until SIGTERM or Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    from services.entrypoints.roles import run_until_signalled
    from services.scheduler.role import SchedulerRole

    settings = _prepare()
    run_until_signalled(
        SchedulerRole(settings),
        settings,
        f"scheduler running (every {settings.scheduler_interval:g} s)",
    )


@scheduler_app.command("run-due")
def run_due(now: Now = None) -> None:
    """Fire every deadline due at or before --now, chains included; print how many fired."""
    from services.scheduler import bootstrap
    from services.scheduler.runner import utc_now

    until = _instant(now) if now else utc_now()
    settings = _prepare()
    with bootstrap.sweeper(settings) as sweeper:
        report = sweeper.run_due(until)
    typer.echo(f"fired {report.fired}")
    if report.failed:
        typer.echo(f"{report.failed} timeouts failed; they stay pending (see the log)", err=True)
        raise typer.Exit(1)


@scheduler_app.command("rebuild")
def rebuild() -> None:
    """Drop the deadline index and build it again from the event log."""
    from services.scheduler import bootstrap, index

    settings = _prepare()
    with bootstrap.sweeper(settings) as sweeper:
        read = index.rebuild(sweeper.engine, sweeper.app)
        pending = index.pending_count(sweeper.engine)
    typer.echo(f"read {read} events; {pending} deadlines pending")


def _instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"not an ISO 8601 instant: {value!r}", param_hint="--now"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
