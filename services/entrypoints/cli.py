"""The `redress` command: every process and operator task."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from services.audit.cli import audit_app
from services.entrypoints.notifier_cli import notifier_app
from services.entrypoints.policy_cli import policies_app
from services.entrypoints.projector_cli import projections_app, projector
from services.entrypoints.scheduler_cli import scheduler_app
from services.entrypoints.translator_cli import translator
from services.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.case_api.auth import KeyStore
    from services.entrypoints.api_workers import Child
    from services.internal_http import ThreadedServer

T = TypeVar("T")

app = typer.Typer(help="Redress: event-sourced after-sales case management.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(projections_app, name="projections")
app.command("projector")(projector)
app.add_typer(notifier_app, name="notifier")
app.add_typer(policies_app, name="policies")
app.command("translator")(translator)
app.add_typer(audit_app, name="audit")
console = Console()


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"redress {package_version('redress')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Redress: event-sourced after-sales case management."""


Host = Annotated[str, typer.Option(help="interface to listen on")]
Port = Annotated[int, typer.Option(help="TCP port")]


def _prepare(settings: Settings) -> None:
    from services.db import prepare

    prepare(settings)


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    settings = Settings()
    _prepare(settings)
    console.print(f"[green]migrated[/] {_safe_url(settings)}")


ServeWorkers = Annotated[
    int,
    typer.Option(
        min=1,
        help="API processes. 1: the API and every background role in one process (the "
        "embedded default). N >= 2: the API in N processes and the background roles in one "
        "more, under one supervisor, for a machine with more cores",
    ),
]


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    demo: Annotated[bool, typer.Option(help="seed realistic cases on every platform")] = False,
    workers: ServeWorkers = 1,
) -> None:
    """Everything from one command: in one process (the embedded default), or with --workers N
    the API in N processes and the background roles in one more."""
    from services.entrypoints.roles import background_roles

    settings = Settings()
    _prepare(settings)
    _announce(settings, host, port)
    if demo:
        _seed_demo(settings, f"http://{host}:{port}")
    if workers > 1:
        from services.entrypoints.api_workers import Child
        from services.entrypoints.roles import roles_process

        _run_api(settings, host, port, workers, [Child("background roles", roles_process)])
        return
    roles = background_roles(settings)
    for role in roles:
        role.start()
    try:
        _run_api(settings, host, port)
    finally:
        for role in reversed(roles):
            role.stop()


Workers = Annotated[int, typer.Option(help="API worker processes (one per core is usual)")]


@app.command()
def api(host: Host = "0.0.0.0", port: Port = 8000, workers: Workers = 1) -> None:
    """The REST API alone (production role)."""
    from services.case_api.settings import ApiSettings

    settings = ApiSettings()
    _prepare(settings)
    _run_api(settings, host, port, workers)


def _run_api(
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    others: Sequence[Child] = (),
) -> None:
    """The API in this process, or in `workers` processes (with `others` beside them)."""
    import uvicorn

    from services.case_api.app import create_app
    from services.collector import freeze_startup
    from services.entrypoints.api_workers import GRACE_SECONDS, KEEP_ALIVE_SECONDS, serve
    from services.observability import configure_logging

    configure_logging(settings.log_level)
    # SIGTERM drains: in-flight requests finish within the grace period, then the process exits.
    if workers > 1:  # each worker process builds its own app from the environment
        serve(host, port, workers, settings.metrics_port, others)
        return
    app = create_app(settings)
    internal = _serve_internal(app, host, settings.metrics_port)
    freeze_startup()  # `serve`: the roles started before the API was built
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            server_header=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    finally:
        if internal is not None:
            internal.stop()


def _serve_internal(app: FastAPI, host: str, metrics_port: int | None) -> ThreadedServer | None:
    """One API process's internal port: its metrics, probes and docs (services.internal_http)."""
    if metrics_port is None:
        return None
    from services.case_api.routes.health import refresh_lag
    from services.internal_http import internal_app, serve_in_thread

    async def before_scrape() -> None:
        await refresh_lag(app.state.services)

    return serve_in_thread(internal_app(app.openapi, before_scrape), host, metrics_port)


def _announce(settings: Settings, host: str, port: int) -> None:
    url = f"http://{host}:{port}"
    console.print(f"[bold]Redress[/] on {url}  (database: {_safe_url(settings)})")
    console.print(f"  API docs: {url}/docs")
    console.print(
        f"  dashboard: {url}/dashboard?token=<an ops or staff token>  (make one: "
        "redress keys create --role ops --subject NAME)",
        soft_wrap=True,
    )
    minted = _bootstrap_admin(settings)
    if minted:
        console.print(
            f"  admin token: written once to {minted} (mode 0600); read it, store it in a "
            "secret manager, delete the file",
            soft_wrap=True,
        )
    elif settings.admin_token:
        console.print("  admin token: the value of REDRESS_ADMIN_TOKEN")
    console.print("  another admin key: redress keys create --role admin --subject NAME")


def _seed_demo(settings: Settings, url: str) -> None:
    from services.bootstrap import open_redress
    from services.entrypoints.demo import seed

    redress = open_redress(settings)
    try:
        filed = seed(redress, datetime.now(UTC))
    finally:
        redress.close()
    if filed:
        console.print(
            f"  demo: {filed} cases on all five platforms; the scheduler is catching "
            "up on their deadlines",
            soft_wrap=True,
        )
        token = _create_key(settings, "staff", "demo-staff")
        console.print(f"  demo staff token (dashboard, all cases): {token}", soft_wrap=True)
        console.print(f"  open the dashboard: {url}/dashboard?token={token}", soft_wrap=True)
    else:
        console.print("  demo: already seeded")


BOOTSTRAP_TOKEN_FILE = Path("var") / "bootstrap-admin-token"


def _bootstrap_admin(settings: Settings, path: Path = BOOTSTRAP_TOKEN_FILE) -> Path | None:
    """With no bootstrap token at all (no REDRESS_ADMIN_TOKEN, no admin key stored), make an
    admin key and write its token to a file only its owner can read: never to the console,
    where log collectors would keep it."""
    if settings.admin_token:
        return None

    async def ensure(keys: KeyStore) -> str | None:
        if await keys.has_admin():
            return None
        _key, token = await keys.create("admin", "bootstrap", [], datetime.now(UTC))
        return token

    token = _with_keys(settings, ensure)
    if token is None:
        return None
    _write_private(path, token)
    return path


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an older file may have had wider permissions
        os.write(descriptor, f"{text}\n".encode())
    finally:
        os.close(descriptor)


def _with_keys(settings: Settings, work: Callable[[KeyStore], Awaitable[T]]) -> T:
    """Run `work` on the key table, with an engine made for it and closed after."""
    from services.case_api.auth import KeyStore
    from services.case_api.revocations import revocations_for
    from services.db import async_engine

    async def run() -> T:
        engine = async_engine(settings)
        try:
            return await work(KeyStore(engine, revocations=revocations_for(settings)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="consumer | store | staff | ops | admin")],
    subject: Annotated[str, typer.Option(help="who the key belongs to")],
    store: Annotated[list[str] | None, typer.Option(help="a store id in scope (repeat)")] = None,
) -> None:
    """Create an API key and print its token once."""
    from services.case_api.auth import ROLES

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    settings = Settings()
    _prepare(settings)

    typer.echo(_create_key(settings, role, subject, store or []))


def _create_key(
    settings: Settings, role: str, subject: str, stores: list[str] | None = None
) -> str:
    async def create(keys: KeyStore) -> str:
        _key, token = await keys.create(role, subject, stores or [], datetime.now(UTC))
        return token

    return _with_keys(settings, create)


@keys_app.command("list")
def keys_list() -> None:
    """Every API key (never a token): id, role, subject, stores, created, revoked."""
    settings = Settings()
    _prepare(settings)

    async def listed(keys: KeyStore) -> list[dict[str, Any]]:
        return await keys.listed(limit=100_000)

    typer.echo("id\trole\tsubject\tstores\tcreated_at\trevoked_at")  # tab-separated
    for key in _with_keys(settings, listed):
        revoked = key["revoked_at"].isoformat() if key["revoked_at"] else "-"
        stores = ",".join(key["store_ids"]) or "-"
        typer.echo(
            f"{key['id']}\t{key['role']}\t{key['subject']}\t{stores}\t"
            f"{key['created_at'].isoformat()}\t{revoked}"
        )


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id (`rdk_<id>_…`)")]) -> None:
    """Revoke a key: it stops working at once in every API process."""
    settings = Settings()
    _prepare(settings)

    async def revoke(keys: KeyStore) -> bool:
        return await keys.revoke(key_id, datetime.now(UTC))

    if not _with_keys(settings, revoke):
        console.print(f"[red]no API key {key_id}[/]")
        raise typer.Exit(1)
    console.print(f"revoked {key_id}")


@audit_app.command("case")
def audit(
    case_id: str,
    at: Annotated[datetime | None, typer.Option(help="state as of this ISO 8601 time")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="also explain each deadline of that state")
    ] = False,
) -> None:
    """Print a case's history and state as of a time, and verify its hash chain."""
    from services.application import CaseNotFound
    from services.bootstrap import open_for_command

    settings = Settings()
    _prepare(settings)
    redress = open_for_command(settings)
    try:
        uuid = UUID(case_id)
        when = at.replace(tzinfo=UTC) if at and at.tzinfo is None else at
        state = redress.get_case(uuid, at=when)
        history = redress.history(uuid)
        verdict = redress.verify(uuid)
    except (ValueError, CaseNotFound):
        console.print(f"[red]no case {case_id}[/]")
        raise typer.Exit(1) from None
    table = Table("v", "type", "occurred_at", "actor", "hash")
    for entry in history:
        if entry["version"] <= state["version"]:
            table.add_row(
                str(entry["version"]),
                entry["type"],
                entry["occurred_at"].isoformat(),
                f"{entry['actor']['role']}:{entry['actor']['id']}",
                entry["hash"][:16],
            )
    console.print(table)
    console.print(
        f"status [bold]{state['status']}[/] at version {state['version']}; "
        f"deadlines: {[d['kind'] for d in state['deadlines']]}"
    )
    # Personal texts as every reader shows them ("[erased]" once the subject is erased).
    console.print(f"description: {state['description']}", markup=False)
    for message in state["messages"]:
        console.print(f"message {message['id']}: {message['body']}", markup=False)
    if explain:
        _print_explanations(redress, uuid, state)
    colour = "green" if verdict["valid"] else "red"
    console.print(
        f"hash chain [{colour}]{'valid' if verdict['valid'] else 'BROKEN'}[/] "
        f"over {verdict['events']} events, head {verdict['head_hash']}"
    )
    if not verdict["valid"]:
        raise typer.Exit(2)


def _print_explanations(redress: Any, case_id: UUID, state: dict[str, Any]) -> None:
    """Each pending deadline of `state`: its row, budget and the stretches of time."""
    for deadline in state["deadlines"]:
        _parties, why = redress.explain_deadline(case_id, deadline["id"], version=state["version"])
        console.print(
            f"\n[bold]{why['kind']}[/] due {why['due_at_local']} ({why['budget']} from "
            f"{why['started_by']['type']} at {why['started_at'].isoformat()}): {why['row']}"
        )
        segments = Table("from", "to", "counted", "reason")
        for segment in why["segments"]:
            segments.add_row(
                segment["from"].isoformat(),
                segment["to"].isoformat(),
                "yes" if segment["counted"] else "no",
                segment["reason"],
            )
        console.print(segments)


PolicyDir = Annotated[
    Path | None,
    typer.Option("--dir", help="a policy directory (default: REDRESS_POLICY_DIR, else shipped)"),
]


@policies_app.command("check")
def policies_check(directory: PolicyDir = None) -> None:
    """Load every policy version as the services do at start-up; name any file that fails."""
    from domain.policies import load_policy_book

    book = load_policy_book(directory or Settings().policy_dir)
    for platform, policy in book.current.items():
        versions = ", ".join(str(v) for v in book.versions(platform))
        console.print(f"{platform}: version {policy.version} in force (loaded: {versions})")


@policies_app.command("lock")
def policies_lock(directory: PolicyDir = None) -> None:
    """Record the content hash of every policy version not locked yet (after raising a
    version); a locked version's hash never changes."""
    from domain.policies import lock_policy_versions

    added = lock_policy_versions(directory or Settings().policy_dir)
    for platform, version in added:
        console.print(f"locked {platform} version {version}")
    if not added:
        console.print("every version was already locked")


def _safe_url(settings: Settings) -> str:
    url = settings.database_url
    if "@" in url:  # hide the password
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        url = f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def main() -> None:
    from domain.errors import PolicyError

    try:
        app()
    except PolicyError as refused:  # a policy file that must not run: say which, and stop
        Console(stderr=True).print(f"[red]policy error[/]: {refused}", soft_wrap=True)
        raise SystemExit(2) from None
