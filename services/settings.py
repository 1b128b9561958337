"""Configuration shared by every Redress process (environment prefix `REDRESS_`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/redress.db"


def _placeholder(value: str) -> bool:
    lowered = unquote(value).strip().lower()
    return (
        lowered in PLACEHOLDER_SECRETS
        or "changeme" in lowered
        or "change-me" in lowered
        or lowered.startswith(("replace", "your-", "<"))
    )


PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "admin", "password", "test"}


class Settings(BaseSettings):
    """Every setting is documented in README.md, section Configure."""

    model_config = SettingsConfigDict(env_prefix="REDRESS_", extra="ignore")

    environment: str = Field("development", description="development | production")
    database_url: str = Field(DEFAULT_DATABASE_URL, description="sqlite:///PATH or postgresql://")
    admin_token: str | None = Field(None, description="bootstrap admin bearer token")
    encryption_key: str | None = Field(None, description="AES key for events at rest (base64)")
    exchange_rates: dict[str, Decimal] = Field(
        default_factory=dict, description='JSON, e.g. {"EUR/USD": "1.08"}, used for caps'
    )
    aggregate_cache_size: int = Field(
        10_000,
        ge=0,
        description="cases and stores kept in memory per process, and as many answers to "
        "GET /v1/cases/{id}; a read still asks for the case's latest version and fetches any "
        "newer events, so it is never stale (0: no cache)",
    )
    metrics_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="the internal port: every process serves Prometheus /metrics and "
        "/healthz there (the API also /docs and /openapi.json, which then leave its public "
        "port); unset: the API serves them on its own port, background roles serve none",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="DEBUG | INFO | WARNING | ERROR, for every logger of the process"
    )
    db_pool_size: int = Field(5, ge=1, description="connections per pool (each process has a few)")

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(
            (
                "sqlite:///",
                "postgresql://",
                "postgres://",
                "postgresql+asyncpg://",
                "postgresql+psycopg://",
            )
        ):
            raise ValueError("REDRESS_DATABASE_URL must be sqlite:///PATH or postgresql://...")
        return url

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        """Outside development, refuse secrets copied from an example file."""
        if self.environment == "development":
            return self
        password = urlsplit(self.database_url).password if "://" in self.database_url else None
        secrets = {
            "REDRESS_ADMIN_TOKEN": self.admin_token,
            "REDRESS_ENCRYPTION_KEY": self.encryption_key,
            "the password in REDRESS_DATABASE_URL": password,
        }
        for name, value in secrets.items():
            if value is not None and _placeholder(value):
                raise ValueError(
                    f"{name} is a placeholder; set a real secret in {self.environment}"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's persistence settings for this database."""
        env = {"CREATE_TABLE": "y"}
        if self.aggregate_cache_size:
            # Reads fast-forward a cached aggregate with the events after it: one small query.
            env.update(
                AGGREGATE_CACHE_MAXSIZE=str(self.aggregate_cache_size),
                AGGREGATE_CACHE_FASTFORWARD="y",
            )
        if self.encryption_key:
            env.update(
                CIPHER_TOPIC="eventsourcing.cryptography:AESCipher", CIPHER_KEY=self.encryption_key
            )
        if self.is_sqlite:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                APPLICATION_RECORDER_TOPIC="services.event_recorders:SQLiteRecorder",
                SQLITE_DBNAME=str(self.sqlite_path),
                SQLITE_LOCK_TIMEOUT="10",
            )
            return env
        parts = urlsplit(self.database_url)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            # Checks at commit the versions a command read (services.event_recorders).
            APPLICATION_RECORDER_TOPIC="services.event_recorders:PostgresRecorder",
            POSTGRES_DBNAME=parts.path.lstrip("/") or "postgres",
            POSTGRES_HOST=parts.hostname or "127.0.0.1",
            POSTGRES_PORT=str(parts.port or 5432),
            POSTGRES_USER=unquote(parts.username or "postgres"),
            POSTGRES_PASSWORD=unquote(parts.password or ""),
            POSTGRES_POOL_SIZE=str(self.db_pool_size),
            # Like the other pools (services.db): at most double under load. The library's own
            # default overflow (10) would let a fleet run past the server's max_connections.
            POSTGRES_MAX_OVERFLOW=str(self.db_pool_size),
            POSTGRES_LOCK_TIMEOUT="5",
            # Seconds to wait for a pooled connection. The library tries each operation ten
            # times, so with the database away a request fails (503) after about 12 s rather
            # than hanging for ten times its default of 30 s.
            POSTGRES_CONNECT_TIMEOUT="1",
        )
        return env

    def sqlalchemy_url(self, *, driver: str = "psycopg") -> str:
        """The same database for SQLAlchemy (`psycopg` sync or `asyncpg`)."""
        if self.is_sqlite:
            return f"sqlite:///{self.sqlite_path}"
        rest = self.database_url.split("://", 1)[1]
        return f"postgresql+{driver}://{rest}"
