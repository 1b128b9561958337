"""Which server the replica-tolerant reads go to, by lag; and the pooler and replica settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.read_replica import judge
from services.settings import Settings

PRIMARY = "postgresql://redress:s3cret-x@pgbouncer:6432/redress"
DIRECT = "postgresql://redress:s3cret-x@postgres:5432/redress"


@pytest.mark.parametrize(
    ("lag", "served_by", "reason"),
    [
        (0.0, "replica", None),
        (5.0, "replica", None),
        (5.01, "primary", "lag"),
        (None, "primary", "lag"),
    ],
)
def test_the_replica_serves_while_its_lag_is_within_the_limit(
    lag: float | None, served_by: str, reason: str | None
) -> None:
    state = judge(lag, 5.0)
    assert (state.serving, state.reason, state.lag_seconds) == (served_by, reason, lag)


def test_a_session_url_set_apart_marks_the_main_url_as_a_transaction_pooler() -> None:
    alone = Settings(database_url=DIRECT)
    assert (alone.session_url, alone.transaction_pooled) == (DIRECT, False)
    assert "POSTGRES_PREPARE" not in alone.eventsourcing_env()
    pooled = Settings(database_url=PRIMARY, session_database_url=DIRECT)
    assert (pooled.session_url, pooled.transaction_pooled) == (DIRECT, True)
    assert pooled.eventsourcing_env()["POSTGRES_PREPARE"] == "no"
    assert pooled.eventsourcing_env()["POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT"] == "0"
    same = Settings(database_url=DIRECT, session_database_url=DIRECT)
    assert not same.transaction_pooled


@pytest.mark.parametrize("name", ["session_database_url", "read_database_url"])
def test_the_session_and_read_urls_must_be_postgresql(name: str) -> None:
    with pytest.raises(ValidationError, match="must be a postgresql:// URL"):
        Settings(database_url=DIRECT, **{name: "sqlite:///var/replica.db"})


def test_the_read_lag_limit_defaults_to_five_seconds_and_is_not_negative() -> None:
    assert Settings().read_max_lag == 5.0
    with pytest.raises(ValidationError):
        Settings(read_max_lag=-1)


@pytest.mark.parametrize("name", ["session_database_url", "read_database_url"])
def test_production_refuses_a_placeholder_password_in_those_urls(name: str) -> None:
    url = "postgresql://redress:changeme@postgres:5432/redress"
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", database_url=DIRECT, **{name: url})
