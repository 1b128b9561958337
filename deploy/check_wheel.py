"""Fail the image build when the installed wheel lacks a file the source tree has.

A data file (template, policy, migration, ...) missing from `[tool.setuptools.package-data]`
would otherwise show up only at run time. Run from the source tree with the venv's Python:

    /opt/redress/bin/python deploy/check_wheel.py
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

PACKAGES = ("domain", "projections", "services", "migrations")


def missing(source: Path, site: Path) -> list[str]:
    return [
        str(path.relative_to(source))
        for top in PACKAGES
        for path in sorted((source / top).rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not path.name.startswith(".")
        and not (site / path.relative_to(source)).exists()
    ]


def main() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    absent = missing(Path.cwd(), site)
    if absent:
        sys.exit(
            "not in the wheel, add to [tool.setuptools.package-data]:\n  " + "\n  ".join(absent)
        )
    print(f"wheel complete: every file of {', '.join(PACKAGES)} is in {site}")


if __name__ == "__main__":
    main()
