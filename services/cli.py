"""The `redress` command: every process and operator task."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from services.notifier.cli import notifier_app
from services.projector.cli import projections_app, projector
from services.scheduler.cli import scheduler_app
from services.settings import Settings
from services.translator.cli import translator

if TYPE_CHECKING:
    from services.case_api.auth import KeyStore

T = TypeVar("T")

app = typer.Typer(help="Redress: event-sourced after-sales case management.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(projections_app, name="projections")
app.command("projector")(projector)
app.add_typer(notifier_app, name="notifier")
app.command("translator")(translator)
console = Console()

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


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    demo: Annotated[bool, typer.Option(help="seed realistic cases on every platform")] = False,
) -> None:
    """Everything in one process: the embedded default."""
    from services.roles import background_roles

    settings = Settings()
    _prepare(settings)
    _announce(settings, host, port)
    if demo:
        _seed_demo(settings, f"http://{host}:{port}")
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


def _run_api(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from services.case_api.app import create_app
    from services.observability import configure_logging

    configure_logging()
    # SIGTERM drains: in-flight requests finish within the grace period, then the process exits.
    if workers > 1:  # each worker process builds its own app from the environment
        from services.api_workers import serve

        serve(host, port, workers)
    else:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_config=None,
            timeout_graceful_shutdown=25,
        )


def _announce(settings: Settings, host: str, port: int) -> None:
    url = f"http://{host}:{port}"
    console.print(f"[bold]Redress[/] on {url}  (database: {_safe_url(settings)})")
    console.print(f"  API docs: {url}/docs")
    console.print(
        f"  dashboard: {url}/dashboard?token=<an ops or staff token>  (make one: "
        "redress keys create --role ops --subject NAME)",
        soft_wrap=True,
    )
    token = _bootstrap_admin(settings)
    if token:
        console.print(f"  admin token (shown once, stored hashed): {token}", soft_wrap=True)
    elif settings.admin_token:
        console.print("  admin token: the value of REDRESS_ADMIN_TOKEN")
    console.print("  another admin key: redress keys create --role admin --subject NAME")


def _seed_demo(settings: Settings, url: str) -> None:
    from domain.money import ExchangeRates
    from services.application import Redress
    from services.demo import seed

    redress = Redress(
        env=settings.eventsourcing_env(), rates=ExchangeRates(settings.exchange_rates)
    )
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


def _bootstrap_admin(settings: Settings) -> str | None:
    """On a database with no admin key, make one and show it once."""

    async def ensure(keys: KeyStore) -> str | None:
        if await keys.has_admin():
            return None
        _key, token = await keys.create("admin", "bootstrap", [], datetime.now(UTC))
        return token

    return _with_keys(settings, ensure)


def _with_keys(settings: Settings, work: Callable[[KeyStore], Awaitable[T]]) -> T:
    """Run `work` on the key table, with an engine made for it and closed after."""
    from services.case_api.auth import KeyStore
    from services.db import async_engine

    async def run() -> T:
        engine = async_engine(settings)
        try:
            return await work(KeyStore(engine))
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


@app.command()
def audit(
    case_id: str,
    at: Annotated[datetime | None, typer.Option(help="state as of this ISO 8601 time")] = None,
) -> None:
    """Print a case's history and state as of a time, and verify its hash chain."""
    from domain.money import ExchangeRates
    from services.application import CaseNotFound, Redress

    settings = Settings()
    redress = Redress(
        env=settings.eventsourcing_env(), rates=ExchangeRates(settings.exchange_rates)
    )
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
    colour = "green" if verdict["valid"] else "red"
    console.print(
        f"hash chain [{colour}]{'valid' if verdict['valid'] else 'BROKEN'}[/] "
        f"over {verdict['events']} events, head {verdict['head_hash']}"
    )
    if not verdict["valid"]:
        raise typer.Exit(2)


def _safe_url(settings: Settings) -> str:
    url = settings.database_url
    if "@" in url:  # hide the password
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        url = f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def main() -> None:
    app()
