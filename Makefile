# Two commands matter: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck catalogs catalogs-update catalogs-check unit bench clean

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

unit: $(DEV_STAMP) catalogs
	$(BIN)/pytest

test: lint typecheck catalogs-check unit

bench: $(DEV_STAMP) catalogs
	$(BIN)/python -m bench.registration

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
