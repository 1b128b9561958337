"""`redress notifier`: follow the event log, deliver webhooks and mail, until stopped."""

from __future__ import annotations

import typer

# The heavy imports wait until the command runs, so `redress --help` stays fast.

notifier_app = typer.Typer(help="The notifier: webhooks with retries, and email.")


@notifier_app.callback(invoke_without_command=True)
def run(ctx: typer.Context) -> None:
    """Run the notifier until SIGTERM or Ctrl-C (any number may run on one PostgreSQL); with
    REDRESS_AUDIT_SIGNING_KEY set, it also signs checkpoints of the log (services.audit)."""
    if ctx.invoked_subcommand is not None:
        return
    from services.audit.role import CheckpointRole
    from services.db import prepare
    from services.entrypoints.roles import Together, run_until_signalled
    from services.notifier.runner import NotifierRole
    from services.notifier.settings import NotifierSettings

    settings = NotifierSettings()
    prepare(settings)
    role = Together(NotifierRole(settings), CheckpointRole(settings))
    run_until_signalled(role, settings, f"notifier running ({settings.notifier_workers} loops)")
