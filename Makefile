# The README's commands. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The slow tiers (markers in pyproject.toml); `make test-fast` runs everything else.
SLOW_TIERS := postgres or e2e or reliability or browser or slow
# The lock is resolved against the public index alone, whatever this machine's pip
# configuration adds (mirrors, local wheel folders).
LOCK := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run demo test test-fast system-deps lint format bench clean clients lock

# Every package at the version and hash the lock names (requirements-dev.lock: runtime + dev),
# then the project itself without dependencies: nothing floats, nothing is left over.
$(STAMP): pyproject.toml requirements-dev.lock
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/redress serve --host $(HOST) --port $(PORT)

demo: $(STAMP)
	$(BIN)/redress serve --demo --host $(HOST) --port $(PORT)

# Every tier: unit, integration on SQLite and PostgreSQL, e2e (processes, browser), reliability.
# PostgreSQL tests are never skipped: see tests/support/postgres.py for where the server comes from.
test: $(STAMP) lint system-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Unit tests and the SQLite integration tests: no PostgreSQL, no browser, no process fleet;
# one worker per core, each taking whole modules (a module's API server is started once).
test-fast: $(STAMP)
	$(BIN)/pytest -q -n auto --dist loadfile -m "not ($(SLOW_TIERS))" $(PYTEST_ARGS)

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
	$(BIN)/deptry .
	$(BIN)/deptry . --exclude '\.venv|build|clients|docs|deploy|domain|projections|services|migrations' \
		--ignore DEP002,DEP004

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The typed Python client and the TypeScript types in clients/, from the OpenAPI document
# (scripts/make_clients.py; a test fails when they drift from the API).
clients: $(STAMP)
	$(BIN)/python scripts/make_clients.py

# After a pin changes in pyproject.toml: the runtime lock (the Dockerfile's) and the dev lock
# (make's and CI's), with every file's hash; and the client generator's own (clients/.tools).
# Pins that still fit stay as they are.
lock: $(STAMP)
	$(LOCK) --extra dev -o requirements-dev.lock pyproject.toml
	$(LOCK) -c requirements-dev.lock -o requirements.lock pyproject.toml
	$(LOCK) -o clients/requirements.lock clients/requirements.txt

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
