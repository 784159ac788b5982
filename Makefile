# baclotrack: two commands do all the set-up on a fresh machine.
#   make demo   install into .venv and run the demo (the clinic web app on SQLite with a demo cohort)
#   make test   install the development dependencies and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest pytest-postgres bench validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/baclotrack demo

test: $(STAMP) lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# The database tests again on PostgreSQL when TEST_DATABASE_URL names one (CI sets it).
pytest-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== database tests on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -q -m db tests; \
	else echo "== TEST_DATABASE_URL not set: PostgreSQL pass skipped (CI runs it)"; fi

bench: $(STAMP)
	$(BIN)/python bench/run.py

validate: $(STAMP)
	$(BIN)/python -m baclotrack.analysis.validate --out docs/validation.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
