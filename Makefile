# The README's commands. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run demo test system-deps lint format bench clean clients

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/redress serve --host $(HOST) --port $(PORT)

# PostgreSQL tests are never skipped: see tests/support/postgres.py for where the server comes from.
demo: $(STAMP)
	$(BIN)/redress serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP) lint system-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

# PostgreSQL's binaries, PgBouncer and Chromium: installed when missing and run as root,
# else the command to install them is printed (scripts/ensure-system-deps.sh).
system-deps:
	scripts/ensure-system-deps.sh

# ruff, mypy, and import-linter's contracts (pyproject.toml) on the layers of docs/architecture.md.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain projections services
	$(BIN)/lint-imports --no-logo

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The typed Python client and the TypeScript types in clients/, from the OpenAPI document
# (scripts/make_clients.py; a test fails when they drift from the API).
clients: $(STAMP)
	$(BIN)/python scripts/make_clients.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
