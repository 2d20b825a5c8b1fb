# Two commands matter: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck catalogs catalogs-update catalogs-check unit storage e2e tests bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(RUNTIME_STAMP)

catalogs: $(RUNTIME_STAMP)
	$(BIN)/python scripts/catalogs.py compile

run: $(RUNTIME_STAMP) catalogs
	$(BIN)/cohortbot migrate
	$(BIN)/cohortbot run

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

catalogs-update: $(DEV_STAMP)
	$(BIN)/python scripts/catalogs.py update

catalogs-check: $(DEV_STAMP)
	$(BIN)/python scripts/catalogs.py check

# The tiers (see the README's Tests section): `make unit` is the fast one; `tests` runs all three.
unit: $(DEV_STAMP) catalogs
	$(BIN)/pytest tests/unit

storage: $(DEV_STAMP) catalogs
	$(BIN)/pytest tests/storage

e2e: $(DEV_STAMP) catalogs
	$(BIN)/pytest tests/e2e

tests: $(DEV_STAMP) catalogs
	$(BIN)/pytest

test: lint typecheck catalogs-check tests

bench: $(DEV_STAMP) catalogs
	$(BIN)/python -m bench.registration

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
