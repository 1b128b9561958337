"""`redress audit`: a case's history (`redress audit CASE_ID`, services.entrypoints.cli), and
the log checked against checkpoints kept elsewhere (`redress audit verify`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

console = Console()


class AuditGroup(TyperGroup):
    """Subcommands, and `redress audit CASE_ID` as before: anything that is not a subcommand's
    name is a case id for `case`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer vendors click's types
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["case", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


audit_app = typer.Typer(
    cls=AuditGroup,
    help="A case's history (`redress audit CASE_ID`); the log against signed checkpoints.",
    no_args_is_help=True,
)


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    """Checkpoints as JSON lines (the file, the webhooks' `data`), or one JSON document: a
    page of `GET /v1/audit/checkpoints` (`items`) or a list."""
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(document, dict):
        document = document.get("items", [document.get("data", document)])
    return [c.get("data", c) if c.get("type") == "audit.checkpoint" else c for c in document]


def public_key_text(value: str) -> str:
    """The key itself, or the contents of the file it names."""
    candidate = Path(value)
    if len(value) < 4096 and "\n" not in value and candidate.is_file():
        return candidate.read_text(encoding="utf-8")
    return value


@audit_app.command("verify")
def verify(
    checkpoints: Annotated[
        Path,
        typer.Option(
            "--checkpoints", exists=True, dir_okay=False, help="checkpoints kept elsewhere"
        ),
    ],
    public_key: Annotated[
        str,
        typer.Option(
            "--public-key", help="the signer's Ed25519 public key: base64 raw, PEM, or a file"
        ),
    ],
) -> None:
    """Check the live log against signed checkpoints kept outside the database: signatures,
    event counts, chain heads (Merkle root), order; name the first bad position."""
    from services.audit.signing import BadKey
    from services.audit.signing import public_key as load_key
    from services.audit.verify import verify as check
    from services.bootstrap import open_for_command
    from services.settings import Settings

    try:
        key = load_key(public_key_text(public_key))
        kept = read_checkpoints(checkpoints)
    except (BadKey, ValueError, KeyError, AttributeError) as refused:
        console.print(f"[red]cannot use the input[/]: {refused}")
        raise typer.Exit(2) from None
    if not kept:
        console.print(f"[red]no checkpoint in {checkpoints}[/]")
        raise typer.Exit(2)
    settings = Settings()
    redress = open_for_command(settings)
    try:
        report = check(redress, kept, key)
    finally:
        redress.close()
    _print(report)
    if not report.valid:
        raise typer.Exit(1)


def _print(report: Any) -> None:
    table = Table("position", "events", "root", "signed at", "verdict", title="checkpoints")
    faults = {f.upto or f.position: f for f in report.findings}
    for checkpoint in report.checkpoints:
        position = int(checkpoint["position"])
        matched = report.matched.get(position)
        verdict = (
            "[green]matches[/]"
            if matched
            else f"[red]{faults[position].kind}[/]"
            if position in faults
            else "[red]differs[/]"
            if matched is False
            else "[red]not verified[/]"
        )
        table.add_row(
            str(position),
            str(checkpoint["events"]),
            str(checkpoint["root"])[:16],
            str(checkpoint["at"]),
            verdict,
        )
    console.print(table)
    console.print(
        f"live log: {report.events} events up to position {report.last_position}, "
        f"{report.chains} hash chains"
    )
    if report.valid:
        console.print(f"[green]log verified[/] against {len(report.checkpoints)} checkpoints")
        return
    for finding in sorted(report.findings, key=lambda f: f.position):
        where = (
            f"position {finding.position}"
            if finding.upto is None or finding.upto == finding.position
            else f"positions {finding.position}..{finding.upto}"
        )
        console.print(f"[red]{finding.kind}[/] at {where}: {finding.detail}", soft_wrap=True)
    first = report.first_bad
    if first.kind == "bad_signature":
        console.print(f"[bold red]FORGED CHECKPOINT[/] at position {first.position}")
        return
    within = f" (somewhere up to {first.upto})" if first.upto not in (None, first.position) else ""
    console.print(
        f"[bold red]TAMPERED[/]: first bad position {first.position}{within}: {first.kind}"
    )


@audit_app.command("keygen")
def keygen() -> None:
    """Print a new Ed25519 key pair: the private seed for REDRESS_AUDIT_SIGNING_KEY and the
    public key to keep beside the checkpoints (both base64 of the raw bytes)."""
    from services.audit.signing import new_key

    private, public = new_key()
    typer.echo(f"REDRESS_AUDIT_SIGNING_KEY={private}")
    typer.echo(f"public key: {public}")
