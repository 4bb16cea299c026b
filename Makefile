# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit schemas bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The whole loop on the examples against a fresh embedded sandbox (seeded with the Stripe
# customers they name): validate, plan, apply, and plan again, which must show no changes.
demo: $(STAMP)
	rm -rf examples/.reconcile
	$(BIN)/reconcile validate examples/
	$(BIN)/reconcile plan examples/
	$(BIN)/reconcile apply examples/ --auto-approve
	$(BIN)/reconcile plan examples/ --detailed-exitcode

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check reconciler tests bench
	$(BIN)/ruff format --check reconciler tests bench
	$(BIN)/lint-imports
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck .github/workflows/*.yml
	$(BIN)/zizmor --offline --persona auditor --no-progress .github/workflows action.yml

typecheck: $(STAMP)
	$(BIN)/mypy reconciler

# The browser tests' Chromium and chromedriver come from the distribution's packages; without
# them (no apt, no root or passwordless sudo) those tests skip, and the script says why.
unit: $(STAMP)
	sh tests/browser/install.sh
	$(BIN)/pytest

schemas: $(STAMP)
	$(BIN)/reconcile schema --write

bench: $(STAMP)
	$(BIN)/python bench/sandbox_throughput.py

clean:
	rm -rf $(VENV) .reconcile .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
