# Two commands matter: `make run` and `make test`. Both set up .venv themselves, from the lock files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

# gettext catalogs, with Babel's own command line; scripts/check_catalogs.py checks what Babel does not.
DOMAIN := cohortbot
LOCALES := locales
POT := $(LOCALES)/$(DOMAIN).pot
PO_FILES := $(wildcard $(LOCALES)/*/LC_MESSAGES/$(DOMAIN).po)
MO_FILES := $(PO_FILES:.po=.mo)
CATALOGS_CHECK_DIR := $(VENV)/catalogs-check
# The markers the code uses: _(), N_() (translated later) and ngettext(singular, plural, n).
# Locations without line numbers, so moving code within a file leaves the catalogs alone.
BABEL_EXTRACT_FLAGS := -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 -c TRANSLATORS: -s --add-location=file --project=cohortbot
# No fuzzy guesses (a new string is simply untranslated), no obsolete entries, no date-only changes.
BABEL_UPDATE_FLAGS := --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

.PHONY: run test lint typecheck catalogs catalogs-update catalogs-check unit storage e2e tests bench lock clean
.DELETE_ON_ERROR:

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exact versions with hashes (requirements*.lock, made by `make lock`), then the project itself without deps.
$(RUNTIME_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(RUNTIME_STAMP)

lock: $(DEV_STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

catalogs: $(MO_FILES)

$(LOCALES)/%/LC_MESSAGES/$(DOMAIN).mo: $(LOCALES)/%/LC_MESSAGES/$(DOMAIN).po | $(RUNTIME_STAMP)
	$(BIN)/pybabel compile -D $(DOMAIN) -l $* -i $< -o $@

run: $(RUNTIME_STAMP) catalogs
	$(BIN)/cohortbot migrate
	$(BIN)/cohortbot run

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Extract the template (kept as it is when only its date would change), then merge it into every .po.
catalogs-update: $(DEV_STAMP)
	$(BIN)/pybabel -q extract $(BABEL_EXTRACT_FLAGS) -o $(POT).new .
	if diff -q -I '^"POT-Creation-Date:' $(POT) $(POT).new >/dev/null 2>&1; then rm $(POT).new; else mv $(POT).new $(POT); fi
	$(BIN)/pybabel update -D $(DOMAIN) -i $(POT) -d $(LOCALES) $(BABEL_UPDATE_FLAGS)

# The template matches the code, every .po matches the template, every .po compiles, then what Babel lacks.
catalogs-check: $(DEV_STAMP)
	rm -rf $(CATALOGS_CHECK_DIR) && mkdir -p $(CATALOGS_CHECK_DIR)
	$(BIN)/pybabel -q extract $(BABEL_EXTRACT_FLAGS) -o $(CATALOGS_CHECK_DIR)/$(DOMAIN).pot .
	@diff -u -I '^"POT-Creation-Date:' $(POT) $(CATALOGS_CHECK_DIR)/$(DOMAIN).pot \
		|| { echo "$(POT) is out of date with the code: run make catalogs-update" >&2; exit 1; }
	@$(BIN)/pybabel update --check -D $(DOMAIN) -i $(POT) -d $(LOCALES) $(BABEL_UPDATE_FLAGS) \
		|| { echo "a catalog is out of date with $(POT): run make catalogs-update" >&2; exit 1; }
	$(foreach po,$(PO_FILES),$(BIN)/pybabel -q compile -D $(DOMAIN) -l $(word 2,$(subst /, ,$(po))) \
		-i $(po) -o $(CATALOGS_CHECK_DIR)/$(word 2,$(subst /, ,$(po))).mo &&) true
	$(BIN)/python scripts/check_catalogs.py

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
	rm -f $(MO_FILES)
