"""Every byte a database holds, to grep for data that must be gone: a `pg_dump` of a
PostgreSQL database, or a copy of a SQLite file and its write-ahead log."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from services.settings import Settings
from support.postgres import postgres_bindir


def database_bytes(settings: Settings, scratch: Path) -> bytes:
    if settings.is_sqlite:
        copied = b""
        for suffix in ("", "-wal"):
            source = Path(f"{settings.sqlite_path}{suffix}")
            if source.exists():
                shutil.copy(source, scratch / f"copy{suffix}")
                copied += (scratch / f"copy{suffix}").read_bytes()
        return copied
    dump = subprocess.run(
        [str(postgres_bindir() / "pg_dump"), "--dbname", settings.database_url],
        capture_output=True,
        check=True,
    )
    return dump.stdout


def leaks(data: bytes | str, secrets: list[str]) -> list[str]:
    """The secrets found in `data`, as text or hex-encoded (pg_dump writes bytea as hex)."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    lowered = text.lower()
    return [s for s in secrets if s in text or s.encode().hex() in lowered]
