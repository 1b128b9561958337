"""`domain/` is pure: importing any of it pulls in no web, database or HTTP client library."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import domain
names = [m.name for m in pkgutil.walk_packages(domain.__path__, "domain.")]
for name in names:
    importlib.import_module(name)
assert {"domain.case", "domain.store", "domain.policies.schema"} <= set(names), names
leaked = {"fastapi", "sqlalchemy", "httpx", "starlette", "asyncpg", "psycopg", "services",
          "projections"} & {m.split(".")[0] for m in sys.modules}
assert not leaked, leaked
print(len(names))
"""


def test_importing_every_domain_module_pulls_in_no_web_database_or_http_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 13  # every module under domain/
