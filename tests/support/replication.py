"""A primary, a streaming replica and a PgBouncer, started from the installed binaries.

    with Primary(root, max_connections=50) as primary:
        with Replica(primary, root) as replica, Bouncer(primary, root) as bouncer:
            ...  # primary.url, replica.url, bouncer.url(dbname)

The replica is `pg_basebackup -R -X stream` of the running primary (so it streams from it, hot
standby); PgBouncer pools in transaction mode. As root, every binary runs as the `postgres`
OS user (neither PostgreSQL nor PgBouncer runs as root).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg

from support.postgres import NoPostgres, free_port, postgres_bindir

INSTALL_HINT = "Install it with `apt-get install pgbouncer` (scripts/ensure-system-deps.sh)."


def as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def run(*argv: str | Path, log: Path | None = None) -> None:
    command = as_postgres([str(a) for a in argv])
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        server_log = log.read_text() if log is not None and log.exists() else ""
        raise NoPostgres(f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}{server_log}")


def owned_by_postgres(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, user="postgres")
    return path


class Cluster:
    """One PostgreSQL data directory served on its own port; `stop` and `start` again."""

    def __init__(self, root: Path, name: str, settings: dict[str, str]) -> None:
        self.dir = owned_by_postgres(root / name)
        self.data, self.log, self.port = self.dir / "data", self.dir / "postgres.log", free_port()
        self.settings = {"listen_addresses": "127.0.0.1", **settings}

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        options = " ".join(
            [f"-p {self.port}", f"-k {self.dir}"]
            + [f"-c {k}={v}" for k, v in self.settings.items()]
        )
        pg_ctl = postgres_bindir() / "pg_ctl"
        run(pg_ctl, "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "120", "start")

    def stop(self) -> None:
        run(postgres_bindir() / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", log=self.log)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_: object) -> None:
        if self.running():
            self.stop()


class Primary(Cluster):
    def __init__(self, root: Path, max_connections: int) -> None:
        super().__init__(root, "primary", {"max_connections": str(max_connections)})
        bindir = postgres_bindir()
        # initdb's pg_hba.conf trusts local replication connections too.
        run(
            bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"
        )
        self.start()


class Replica(Cluster):
    """A hot standby streaming from `primary`; its max_connections must be at least the
    primary's. Feedback keeps the primary's vacuum from cancelling the replica's reads."""

    def __init__(self, primary: Primary, root: Path) -> None:
        settings = {**primary.settings, "hot_standby_feedback": "on"}
        super().__init__(root, "replica", settings)
        host = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        run(
            postgres_bindir() / "pg_basebackup",
            "-D",
            self.data,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            *host,
        )
        self.start()

    def caught_up_with(self, primary: Primary) -> bool:
        """The replica has replayed everything the primary had written when asked."""
        with psycopg.connect(primary.url, autocommit=True) as db:
            wanted = db.execute("SELECT pg_current_wal_lsn()").fetchone()
        with psycopg.connect(self.url, autocommit=True) as db:
            row = db.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (wanted[0] if wanted else None,)
            ).fetchone()
        return bool(row and row[0])

    def pause_replay(self, paused: bool = True) -> None:
        call = "pg_wal_replay_pause()" if paused else "pg_wal_replay_resume()"
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f"SELECT {call}")


def pgbouncer_binary() -> Path:
    found = shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if Path(p).exists()), None
    )
    if found is None:
        raise NoPostgres(f"No pgbouncer binary. {INSTALL_HINT}")
    return Path(found)


class Bouncer:
    """PgBouncer in transaction mode in front of `primary`'s database `dbname`, at most
    `server_connections` server connections, any number of clients."""

    def __init__(self, primary: Primary, root: Path, dbname: str, server_connections: int) -> None:
        self.dir = owned_by_postgres(root / "pgbouncer")
        self.port, self.dbname = free_port(), dbname
        users = self.dir / "userlist.txt"
        users.write_text('"postgres" ""\n')
        self.config = self.dir / "pgbouncer.ini"
        self.config.write_text(
            "[databases]\n"
            f"{dbname} = host=127.0.0.1 port={primary.port} dbname={dbname}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir = {self.dir}\n"
            f"auth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {server_connections}\n"
            f"max_db_connections = {server_connections}\n"
            "max_client_conn = 2000\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        for path in (users, self.config):
            if os.geteuid() == 0:
                shutil.chown(path, user="postgres")
        self.process = subprocess.Popen(
            as_postgres([str(pgbouncer_binary()), str(self.config)]),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_listening()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NoPostgres(f"pgbouncer exited ({self.process.returncode}):\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise NoPostgres(f"pgbouncer did not listen on {self.port}:\n{self.log()}")

    def __enter__(self) -> Bouncer:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
