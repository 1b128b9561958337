"""PostgreSQL for the test suite, for real: never mocked, never silently skipped.

The server is, in this order: `REDRESS_TEST_DATABASE_URL` when set; else the one on
127.0.0.1:5432 (user `postgres`) if it accepts a connection; else a throwaway cluster started
from the installed PostgreSQL binaries and removed at the end of the session.
`REDRESS_TEST_PG_PROBE=HOST:PORT` moves the probe (e.g. to a closed port, to try the cluster).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
from psycopg import sql

INSTALL_HINT = (
    "Install PostgreSQL (`apt-get install postgresql`; the tests only need its binaries) "
    "or point REDRESS_TEST_DATABASE_URL at a server (postgresql://user:pass@host:port/db)."
)


class NoPostgres(RuntimeError):
    """No PostgreSQL server could be found or started."""


@contextmanager
def postgres_server(env: Mapping[str, str] = os.environ) -> Iterator[str]:
    """Yield the URL of a PostgreSQL server the tests may create databases on."""
    if url := env.get("REDRESS_TEST_DATABASE_URL"):
        if (error := connection_error(url)) is not None:
            raise NoPostgres(f"REDRESS_TEST_DATABASE_URL={url}: {error}")
        yield url
        return
    host, _, port = env.get("REDRESS_TEST_PG_PROBE", "127.0.0.1:5432").rpartition(":")
    url = f"postgresql://postgres@{host}:{port}/postgres"
    if connection_error(url) is None:
        yield url
        return
    with throwaway_cluster() as url:
        yield url


def connection_error(url: str) -> str | None:
    """Why the server at `url` cannot be used, or None if it accepts a connection."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as refused:
        return str(refused).strip()
    return None


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server; yield its URL; drop it afterwards."""
    name = f"redress_test_{uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}", query=""))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# -- the throwaway cluster ---------------------------------------------------------------------


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """initdb into a temporary directory (trust auth), start it on a free port, yield its URL,
    then stop it and remove the directory."""
    bindir = postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="redress-pg-"))
    data, log, port = root / "data", root / "postgres.log", free_port()
    try:
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root: run them as postgres
            _chown_to_postgres(root)
        _run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        start: list[str | Path] = ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]
        _run(bindir / "pg_ctl", *start, log=log)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run(bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", log=log)
    finally:
        shutil.rmtree(root)


def postgres_bindir() -> Path:
    """The newest /usr/lib/postgresql/N/bin, else wherever `initdb` is on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/[0-9]*/bin/initdb"),
        key=lambda path: float(Path(path).parts[-3]),
    )
    initdb = found[-1] if found else shutil.which("initdb")
    if initdb is None:
        raise NoPostgres(
            "No PostgreSQL server answers and no PostgreSQL binaries (initdb, "
            "pg_ctl) are installed to start one. " + INSTALL_HINT
        )
    return Path(initdb).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _chown_to_postgres(path: Path) -> None:
    try:
        shutil.chown(path, user="postgres")
    except LookupError:
        raise NoPostgres(
            "Running as root, but there is no `postgres` OS user to run a throwaway "
            "cluster as. " + INSTALL_HINT
        ) from None


def _run(*command: str | Path, log: Path | None = None) -> None:
    """Run a PostgreSQL binary, as the `postgres` OS user when we are root."""
    argv = [str(part) for part in command]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        server_log = log.read_text() if log is not None and log.exists() else ""
        raise NoPostgres(
            f"`{' '.join(argv)}` failed ({result.returncode}):\n{result.stdout}"
            f"{result.stderr}{server_log}\n{INSTALL_HINT}"
        )
