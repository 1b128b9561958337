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
    from services.bootstrap import open_for_command
    from services.db import prepare, sync_engine
    from services.policy_changes import what_if

    try:
        new = parse_policy(policy_file.name, policy_file.read_text(encoding="utf-8"))
    except (OSError, PolicyError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    settings = Settings()
    prepare(settings)
    redress = open_for_command(settings)
    engine = sync_engine(settings, redress.connection_pool)
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


@policies_app.command("migrate")
def migrate_command(
    platform: Annotated[str, typer.Argument(help="the platform whose cases move")],
    to: Annotated[int, typer.Option("--to", help="the policy version they follow from now")],
    cases: Annotated[
        list[str] | None,
        typer.Option("--cases", help="`open` (every open case, the default) or case ids"),
    ] = None,
) -> None:
    """Move cases to another version of their platform's policy. Each records
    PolicyVersionChanged with its old and new due times; its past stays as it was."""
    from uuid import UUID

    from domain.actors import Actor, By
    from domain.errors import DomainError, PolicyError
    from services.application import CaseNotFound
    from services.bootstrap import open_for_command
    from services.db import prepare, sync_engine
    from services.policy_changes import open_cases

    settings = Settings()
    prepare(settings)
    redress = open_for_command(settings)
    engine = sync_engine(settings, redress.connection_pool)
    try:
        chosen = cases or ["open"]
        ids = open_cases(engine, platform) if chosen == ["open"] else [UUID(c) for c in chosen]
        table = Table("case", "deadline", "due before", "due after")
        moved_cases = 0
        for case_id in ids:
            by = By.at(Actor("admin", "redress-cli"), datetime.now(UTC))
            try:
                state = redress.change_policy_version(case_id, by, to)
            except (CaseNotFound, DomainError, PolicyError) as refusal:
                console.print(f"[yellow]{case_id}: {refusal}[/]")
                continue
            moved_cases += 1
            moved = redress.history(case_id)[state["version"] - 1]["data"]["moved"]
            for m in moved:
                after = m["due_after"].isoformat() if m["due_after"] else "(dropped)"
                table.add_row(str(case_id), m["deadline_id"], m["due_before"].isoformat(), after)
    finally:
        engine.dispose()
        redress.close()
    console.print(table)
    console.print(f"{moved_cases} {platform} cases now follow version {to}")
