"""The projector's composition root: the application (to read the log) and the engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from services.application import Redress
from services.bootstrap import open_redress
from services.db import sync_engine
from services.eventstore.subject_keys import SUBJECT_KEYS_UNSEAL
from services.settings import Settings


@dataclass(frozen=True)
class Plumbing:
    app: Redress
    engine: Engine


@contextmanager
def plumbing(settings: Settings) -> Iterator[Plumbing]:
    """The log and the read-model database; their connections are closed afterwards."""
    # Read models copy no personal text: sealed values are not unsealed (no key lookups).
    app = open_redress(settings, {SUBJECT_KEYS_UNSEAL: "no"})
    engine = sync_engine(settings, app.connection_pool)
    try:
        yield Plumbing(app, engine)
    finally:
        engine.dispose()
        app.close()
