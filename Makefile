# zapis: `make run` serves the demo, `make test` runs the whole suite. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export FLASK_APP := service

.PHONY: install run scheduler test test-sqlite test-postgres test-browser lint bench bench-smoke spec clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/flask migrate
	$(BIN)/flask seed-demo --if-empty
	@# A banner that the servers' own start-up lines do not bury: gunicorn and the scheduler
	@# log warnings only (requests still give one JSON access line each).
	@token=$$($(BIN)/flask create-token --role admin --name "demo admin" | tail -n 1); \
	sign_in=$$($(BIN)/flask create-demo-user); \
	printf '\n%s\n' "================================ zapis demo ================================"; \
	printf '  Console:  http://127.0.0.1:$(PORT)/console/login\n  %s\n' "$$sign_in"; \
	printf '  API docs: http://127.0.0.1:$(PORT)/docs\n'; \
	printf '  API:      Authorization: Bearer %s\n' "$$token"; \
	printf '%s\n\n' "============================================================================"
	@# One scheduler process beside gunicorn (never inside its workers, so nothing runs twice);
	@# SMS go to the console sender unless Twilio is configured. Stopped when gunicorn stops.
	@$(BIN)/flask scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --log-level warning 'service:create_app()'

# The SMS dispatcher alone (dispatch every 5 s, lease recovery every minute, daily purge).
scheduler: install
	$(BIN)/flask migrate
	$(BIN)/flask scheduler

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (a server URL; the run creates
# and drops its own databases there).
test: install test-sqlite test-postgres lint

test-sqlite: install
	env -u TEST_DATABASE_URL $(BIN)/pytest -m "not postgres_only" --ignore=tests/browser

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest --ignore=tests/browser; \
	else echo "TEST_DATABASE_URL unset: PostgreSQL suite not run"; \
	  if [ -n "$$CI" ]; then echo "CI needs TEST_DATABASE_URL" >&2; exit 1; fi; fi

# The console in a real Chromium (/usr/bin/chromium from apt; Playwright downloads no browser).
test-browser: install
	$(BIN)/pytest tests/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

bench: install
	$(BIN)/python -m bench

# Every benchmark at a small size (a few minutes), results in a temporary folder: fails if one
# cannot finish or leaves out a metric, so that CI notices a broken benchmark.
bench-smoke: install
	$(BIN)/python -m bench --smoke

# Rewrite the committed OpenAPI snapshot from the live app (a test fails while it differs).
spec: install
	$(BIN)/flask openapi write --format=json openapi.json

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
