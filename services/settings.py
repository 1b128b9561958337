"""Configuration shared by every Redress process (environment prefix `REDRESS_`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.policies import PolicyBook, default_policy_book, load_policy_book

DEFAULT_DATABASE_URL = "sqlite:///var/redress.db"


def _placeholder(value: str) -> bool:
    lowered = unquote(value).strip().lower()
    return (
        lowered in PLACEHOLDER_SECRETS
        or "changeme" in lowered
        or "change-me" in lowered
        or lowered.startswith(("replace", "your-", "<"))
    )


POSTGRES_SCHEMES = (
    "postgresql://",
    "postgres://",
    "postgresql+asyncpg://",
    "postgresql+psycopg://",
)


def _password(url: str | None) -> str | None:
    return urlsplit(url).password if url else None


PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "admin", "password", "test"}


class Settings(BaseSettings):
    """Every setting is documented in README.md, section Configure."""

    model_config = SettingsConfigDict(env_prefix="REDRESS_", extra="ignore")

    environment: str = Field("development", description="development | production")
    database_url: str = Field(DEFAULT_DATABASE_URL, description="sqlite:///PATH or postgresql://")
    admin_token: str | None = Field(None, description="bootstrap admin bearer token")
    encryption_key: str | None = Field(
        None,
        description="the master key (base64 AES key): wraps each data subject's key "
        "(personal data, docs/personal-data.md) and webhook secrets, and encrypts whole "
        "events at rest unless REDRESS_ENCRYPT_EVENTS is false",
    )
    encrypt_events: bool = Field(
        True,
        description="with REDRESS_ENCRYPTION_KEY set, also encrypt every stored event with it "
        "(false: only personal data is sealed, so the rest stays readable if the key is lost)",
    )
    subject_key_ttl: float = Field(
        5.0,
        ge=0,
        description="seconds a process keeps an unwrapped data subject key: the longest "
        "another process's erasure can take to reach this one's feed and webhook reads",
    )
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
    db_pool_size: int = Field(
        8,
        ge=1,
        description="the most connections a process holds on each of its pools: one per "
        "driver (psycopg, shared by the event store and SQLAlchemy; asyncpg for the API's "
        "and notifier's async reads), beside a LISTEN session; a scheduler holds at least "
        "REDRESS_SCHEDULER_WORKERS + 3",
    )
    roles_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="`redress serve --workers N`: how much nicer (lower CPU priority) the "
        "background roles' process runs than the API's; under a burst the API answers first "
        "and the roles catch up after it, in larger batches (0: the same priority)",
    )
    policy_dir: Path | None = Field(
        None,
        description="a directory of policy files (<platform>.toml, archive/, versions.lock) "
        "used instead of the shipped ones; checked at start-up",
    )
    session_database_url: str | None = Field(
        None,
        description="a direct PostgreSQL URL for what a transaction pooler cannot carry "
        "(LISTEN for the scheduler's wake-ups, migrations); default REDRESS_DATABASE_URL. Set "
        "apart from it, REDRESS_DATABASE_URL is taken to be a transaction pooler (PgBouncer "
        "pool_mode=transaction) and no statement is prepared on it",
    )
    read_database_url: str | None = Field(
        None,
        description="a streaming replica (PostgreSQL hot standby) for case lists, /v1/stats/*, "
        "the dashboard, the event feed and webhook delivery logs; default none (the primary)",
    )
    read_max_lag: float = Field(
        5.0,
        ge=0,
        description="seconds of replay lag (pg_last_xact_replay_timestamp) beyond which "
        "those reads go to the primary until the replica catches up",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", *POSTGRES_SCHEMES)):
            raise ValueError("REDRESS_DATABASE_URL must be sqlite:///PATH or postgresql://...")
        return url

    @field_validator("session_database_url", "read_database_url")
    @classmethod
    def _postgres_only(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(POSTGRES_SCHEMES):
            raise ValueError("must be a postgresql:// URL")
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
            "the password in REDRESS_SESSION_DATABASE_URL": _password(self.session_database_url),
            "the password in REDRESS_READ_DATABASE_URL": _password(self.read_database_url),
        }
        for name, value in secrets.items():
            if value is not None and _placeholder(value):
                raise ValueError(
                    f"{name} is a placeholder; set a real secret in {self.environment}"
                )
        return self

    def policy_book(self) -> PolicyBook:
        """Every version of every policy, from `policy_dir` (read afresh: start-up only) or
        the shipped files. Raises PolicyError naming the file that does not load."""
        if self.policy_dir is None:
            return default_policy_book()
        return load_policy_book(self.policy_dir)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def session_url(self) -> str:
        """Where sessions go: LISTEN, migrations (the main URL unless set apart)."""
        return self.session_database_url or self.database_url

    @property
    def transaction_pooled(self) -> bool:
        """The main URL is a transaction pooler: its connections prepare no statements."""
        return not self.is_sqlite and self.session_url != self.database_url

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's persistence settings for this database."""
        # The tables are Alembic's (migrations/versions/0008_event_tables.py): no process
        # creates them at start-up, where processes starting together raced on the DDL.
        env = {"CREATE_TABLE": "n"}
        if self.aggregate_cache_size:
            # Reads fast-forward a cached aggregate with the events after it: one small query.
            env.update(
                AGGREGATE_CACHE_MAXSIZE=str(self.aggregate_cache_size),
                AGGREGATE_CACHE_FASTFORWARD="y",
            )
        env["SUBJECT_KEYS_TTL"] = str(self.subject_key_ttl)
        if self.encryption_key:
            env["SUBJECT_KEYS_MASTER_KEY"] = self.encryption_key
        if self.encryption_key and self.encrypt_events:
            env.update(
                CIPHER_TOPIC="eventsourcing.cryptography:AESCipher", CIPHER_KEY=self.encryption_key
            )
        if self.is_sqlite:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                APPLICATION_RECORDER_TOPIC="services.eventstore.recorders:SQLiteRecorder",
                SQLITE_DBNAME=str(self.sqlite_path),
                SQLITE_LOCK_TIMEOUT="10",
            )
            return env
        parts = urlsplit(self.database_url)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            # Checks at commit the versions a command read (services.eventstore.recorders).
            APPLICATION_RECORDER_TOPIC="services.eventstore.recorders:PostgresRecorder",
            POSTGRES_DBNAME=parts.path.lstrip("/") or "postgres",
            POSTGRES_HOST=parts.hostname or "127.0.0.1",
            POSTGRES_PORT=str(parts.port or 5432),
            POSTGRES_USER=unquote(parts.username or "postgres"),
            POSTGRES_PASSWORD=unquote(parts.password or ""),
            # The process's one psycopg pool (SQLAlchemy borrows from it:
            # services.eventstore.lent_pool),
            # fixed in size: the library's default overflow (10) would let a fleet run past
            # the server's max_connections.
            POSTGRES_POOL_SIZE=str(self.db_pool_size),
            POSTGRES_MAX_OVERFLOW="0",
            POSTGRES_LOCK_TIMEOUT="5",
            # Seconds to wait for a pooled connection. The library tries each operation ten
            # times, so with the database away a request fails (503) after about 12 s rather
            # than hanging for ten times its default of 30 s.
            POSTGRES_CONNECT_TIMEOUT="1",
        )
        if self.transaction_pooled:
            # PgBouncer 1.18 in transaction mode keeps no prepared statement between
            # transactions (services.eventstore.recorders.PostgresFactory reads this). The library
            # SETs its idle-in-transaction timeout (5 s) on each new connection: through a
            # pooler that SET stays on a server connection other clients then get (a scheduler
            # holding its claim while it fires), so it sets the server's default (0) instead.
            env.update(
                PERSISTENCE_MODULE="services.eventstore.recorders:PostgresFactory",
                POSTGRES_PREPARE="no",
                POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT="0",
            )
        return env

    def sqlalchemy_url(self, *, driver: str = "psycopg", url: str | None = None) -> str:
        """The same database (or `url`) for SQLAlchemy (`psycopg` sync or `asyncpg`)."""
        if self.is_sqlite and url is None:
            return f"sqlite:///{self.sqlite_path}"
        rest = (url or self.database_url).split("://", 1)[1]
        return f"postgresql+{driver}://{rest}"
