"""`redress projector` (runs until stopped), `redress projections rebuild [NAME]`,
`redress projections status`, and the parked events: `redress projections parked` and
`redress projections retry [NOTIFICATION_ID]`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from services.projector.settings import ProjectorSettings

# The heavy imports (eventsourcing, SQLAlchemy) wait until a command runs, so `redress --help`
# stays fast.

projections_app = typer.Typer(help="Read models: rebuild them from the log, see how far behind.")
console = Console()


def _prepare() -> ProjectorSettings:
    from services.db import prepare

    settings = ProjectorSettings()
    prepare(settings)
    return settings


def projector() -> None:
    """Keep every read model in step with the event log, until SIGTERM or Ctrl-C."""
    from services.entrypoints.roles import run_until_signalled
    from services.projector.role import ProjectorRole

    settings = _prepare()
    banner = f"projector running (polling every {settings.projector_interval:g} s)"
    run_until_signalled(ProjectorRole(settings), settings, banner)


class RateColumn(ProgressColumn):
    """Events per second: rich's recent estimate, else the average so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.elapsed:
            speed = task.completed / task.elapsed
        return Text(f"{speed or 0:,.0f} events/s", style="progress.data.speed")


Name = Annotated[str | None, typer.Argument(help="one read model (default: all of them)")]
Workers = Annotated[
    int,
    typer.Option(
        min=1,
        help="processes rebuilding side by side, each folding the events of its share of the "
        "cases and stores (PostgreSQL; SQLite rebuilds in one process)",
    ),
]
COLUMNS = (
    TextColumn("[bold]{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    RateColumn(),
    TimeElapsedColumn(),
    TextColumn("ETA"),
    TimeRemainingColumn(),
)


@projections_app.command("rebuild")
def rebuild(name: Name = None, workers: Workers = 1) -> None:
    """Rebuild read models from the log into shadow tables, then swap them in.

    Safe while the API and the projector run: they use the old tables until the swap.
    """
    from projections.registry import UnknownProjection, named
    from services.projector.parallel import rebuild_side_by_side

    try:
        chosen = named(None if name is None else [name])
    except UnknownProjection as unknown:
        raise typer.BadParameter(str(unknown), param_hint="NAME") from None
    settings = _prepare()
    tasks: dict[str, TaskID] = {}
    # Redrawn on each report, with no thread of its own: the rebuild's other processes are
    # forked only from a process with one thread (services.projector.parallel).
    with Progress(*COLUMNS, console=console, auto_refresh=False) as progress:

        def report(group: str, done: int, head: int) -> None:
            if group not in tasks:
                tasks[group] = progress.add_task(f"rebuilding {group}", total=None)
            progress.update(tasks[group], completed=done, total=head, refresh=True)

        reached = rebuild_side_by_side(settings, chosen, report, workers)
        for group, at in reached.items():
            report(group, at, max(at, 1))
    for group, at in reached.items():
        console.print(f"[green]rebuilt[/] {group} up to position {at}")


@projections_app.command("status")
def status() -> None:
    """Each read model's position and how far it is behind the log."""
    from projections.queries import position
    from projections.registry import NAMES
    from projections.tracking import head
    from services.projector.bootstrap import plumbing

    settings = _prepare()
    with plumbing(settings) as wired, wired.engine.connect() as connection:
        last = head(wired.app)
        table = Table("read model", "position", "behind")
        for name in NAMES:
            at = position(connection, [name])
            table.add_row(name, str(at), str(last - at))
    console.print(table)
    console.print(f"log head: {last}")


@projections_app.command("parked")
def parked() -> None:
    """Events a read model could not take: skipped so the rest flow on, kept to retry."""
    from projections import parking
    from services.projector.bootstrap import plumbing

    settings = _prepare()
    with plumbing(settings) as wired, wired.engine.connect() as connection:
        entries = parking.parked(connection)
    table = Table("read model", "notification", "aggregate", "version", "event", "error")
    for e in entries:
        table.add_row(
            e.projection,
            str(e.notification_id),
            e.originator_id,
            str(e.originator_version),
            e.topic.rsplit(":", 1)[-1],
            e.error,
        )
    console.print(table)
    console.print(f"{len(entries)} parked event(s)")


Notification = Annotated[
    int | None, typer.Argument(help="one parked event's notification id (default: all)")
]


@projections_app.command("retry")
def retry(notification_id: Notification = None) -> None:
    """Apply parked events again (after a fix); each that now goes in is unparked."""
    from projections.parking import retry_parked
    from projections.registry import PROJECTIONS
    from services.projector.bootstrap import plumbing

    settings = _prepare()
    with plumbing(settings) as wired:
        done, left = retry_parked(wired.engine, wired.app, PROJECTIONS, notification_id)
    console.print(f"applied {done}, still parked {left}")
    if left:
        raise typer.Exit(1)
