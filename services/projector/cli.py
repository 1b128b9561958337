"""`redress projector` (runs until stopped), `redress projections rebuild [NAME]` and
`redress projections status`."""

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
    from services.db import migrate, wait_for_database

    settings = ProjectorSettings()
    wait_for_database(settings)
    migrate(settings)
    return settings


def projector() -> None:
    """Keep every read model in step with the event log, until SIGTERM or Ctrl-C."""
    from services.projector.role import ProjectorRole
    from services.roles import run_until_signalled

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


@projections_app.command("rebuild")
def rebuild(name: Name = None) -> None:
    """Rebuild read models from the log into shadow tables, then swap them in.

    Safe while the API and the projector run: they use the old tables until the swap.
    """
    from projections.rebuild import rebuild as run
    from projections.registry import UnknownProjection, named
    from services.projector.bootstrap import plumbing

    try:
        chosen = named(None if name is None else [name])
    except UnknownProjection as unknown:
        raise typer.BadParameter(str(unknown), param_hint="NAME") from None
    settings = _prepare()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    label = ", ".join(p.name for p in chosen)
    with plumbing(settings) as wired, Progress(*columns, console=console) as progress:
        task = progress.add_task(f"rebuilding {label}", total=None)
        at = run(
            wired.engine,
            wired.app,
            chosen,
            progress=lambda done, head: progress.update(task, completed=done, total=head),
        )
        progress.update(task, completed=at, total=max(at, 1))
    console.print(f"[green]rebuilt[/] {label} up to position {at}")


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
