"""`redress policies …`: look at a policy change before making it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.settings import Settings

policies_app = typer.Typer(
    help="Policy files and their versions; what a change would move.", no_args_is_help=True
)
console = Console()


@policies_app.command("what-if")
def what_if_command(
    policy_file: Annotated[Path, typer.Argument(help="the new policy file (TOML)")],
) -> None:
    """List the open cases whose pending deadlines the new policy would move. Records
    nothing."""
    from domain.errors import PolicyError
    from domain.policies import parse_policy
    from services.application import Redress
    from services.db import sync_engine
    from services.policy_changes import what_if

    try:
        new = parse_policy(policy_file.name, policy_file.read_text(encoding="utf-8"))
    except (OSError, PolicyError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    settings = Settings()
    redress, engine = Redress(env=settings.eventsourcing_env()), sync_engine(settings)
    try:
        answer = what_if(redress, engine, new, datetime.now(UTC))
    finally:
        engine.dispose()
        redress.close()
    table = Table("case", "deadline", "due now", "due then", "overdue then")
    for case in answer["cases"]:
        for moved in case["deadlines"]:
            then = moved["due_then"]
            table.add_row(
                case["case_id"],
                moved["deadline_id"],
                moved["due_now"].isoformat(),
                then.isoformat() if then else "(no such row)",
                "yes" if moved["overdue_then"] else "no",
            )
    console.print(table)
    console.print(f"{len(answer['cases'])} open {new.platform} cases would change")
