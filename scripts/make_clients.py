"""Generate the API clients from the OpenAPI document: `make clients`.

Writes, under the output directory (default clients/):
  openapi.json           the API's OpenAPI document, as the app serves it
  python/                a typed Python client (openapi-python-client, in clients/.tools)
  typescript/redress.d.ts  TypeScript types (openapi-typescript, from the npm registry)
tests/integration/api/test_clients_drift.py regenerates them into a temporary directory and
fails when they differ from what is committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "clients"
TOOLS = CLIENTS / ".tools"  # a venv for openapi-python-client (its typer pin clashes with ours)
TYPESCRIPT = CLIENTS / "typescript"  # package.json and lock pinning openapi-typescript


class MissingTool(RuntimeError):
    """A generator cannot be had; the message says what to install."""


def openapi_document() -> str:
    from services.case_api.app import create_app
    from services.case_api.settings import ApiSettings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(ApiSettings(database_url=f"sqlite:///{tmp}/redress.db"))
        document = app.openapi()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def python_generator() -> Path:
    binary = TOOLS / "bin" / "openapi-python-client"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        # The generator and everything under it at the versions and hashes `make lock` wrote:
        # its ruff formats the generated code, so a floating version would be a false drift.
        pip = [str(TOOLS / "bin" / "pip"), "install", "--quiet", "--require-hashes"]
        subprocess.run([*pip, "-r", str(CLIENTS / "requirements.lock")], check=True)
    return binary


def typescript_generator() -> list[str]:
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool(
            "npm is needed for the TypeScript types (openapi-typescript): install Node.js "
            "and npm (Debian: apt-get install nodejs npm; scripts/ensure-system-deps.sh does)"
        )
    binary = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
    if not binary.exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=TYPESCRIPT, check=True
        )
    return [str(binary)]


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    spec = out / "openapi.json"
    spec.write_text(openapi_document(), encoding="utf-8")
    python_out = out / "python"
    tools_path = f"{TOOLS / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"  # its ruff hooks
    subprocess.run(
        [
            str(python_generator()),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(python_out),
            "--overwrite",
            "--meta",
            "setup",
            "--config",
            str(CLIENTS / "python-client.yaml"),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": tools_path},
    )
    (out / "typescript").mkdir(exist_ok=True)
    subprocess.run(
        [*typescript_generator(), str(spec), "--output", str(out / "typescript" / "redress.d.ts")],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CLIENTS)
    try:
        generate(parser.parse_args().out)
    except MissingTool as missing:
        sys.exit(str(missing))


if __name__ == "__main__":
    main()
