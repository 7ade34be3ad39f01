# Lectern: `make demo` serves a seeded demo company, `make test` runs the whole suite.
# Both set everything up from scratch first (.venv, Python and npm packages, messages, static).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
# Where the SQLite demo database and its media live (hub.settings.base reads the same variable).
VAR_DIR ?= $(or $(LECTERN_VAR_DIR),var)
# Test processes in parallel (pytest-xdist); 2 fits the 2-core machines we run on.
TEST_WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo demo-reset test setup install assets messages static migrate seed serve lint format bench clean

demo: setup migrate seed
	@echo
	@echo "Lectern demo on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the task worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --queue-name '*' & \
	  $(BIN)/daphne -b $(HOST) -p $(PORT) hub.asgi:application

# A fresh demo company: the SQLite database and the demo's media go, then migrate and seed
# again (e.g. to walk through the live room once more). Refuses when DATABASE_URL is set.
demo-reset:
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "demo-reset removes the SQLite demo database only: unset DATABASE_URL" >&2; exit 1; fi
	rm -f $(VAR_DIR)/lectern.sqlite3 $(VAR_DIR)/lectern.sqlite3-wal $(VAR_DIR)/lectern.sqlite3-shm
	rm -rf $(VAR_DIR)/media $(VAR_DIR)/private
	$(MAKE) seed

test: setup
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

setup: install assets messages static

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

assets: node_modules/.installed
# --ignore-scripts: some front-end packages (h5p-standalone) run install scripts we don't want.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

messages: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics
	$(BIN)/pybabel compile --domain djangojs --directory locale --statistics

static: install assets
	$(PY) manage.py collectstatic --noinput --verbosity 0

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --seed $(SEED)

serve:
	$(BIN)/daphne -b $(HOST) -p $(PORT) hub.asgi:application

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules var/static
