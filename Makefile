# docgen — the two commands a new machine needs are `make demo` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EDITION := editions/quanyibei-21/edition.yaml
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test check lint typecheck format install dev system-deps system-deps-test schema fuzz bench clean

## demo: set everything up, then generate the sample edition into out/
demo: install
	$(BIN)/docgen generate $(EDITION)

## test: set up for development, then run the test suite
test: dev
	$(BIN)/pytest

## check: lint, types and tests (what to run before sending a change)
check: dev lint typecheck
	$(BIN)/pytest

lint: dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: dev
	$(BIN)/mypy

format: dev
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

install: system-deps $(VENV)/.installed
dev: system-deps-test $(VENV)/.installed-dev

system-deps:
	@tools/system-deps.sh run

system-deps-test:
	@tools/system-deps.sh test

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "docgen 需要 Python 3.11 或更新的版本")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[dev]'
	@touch $@

## schema: regenerate the JSON Schemas in schema/ after changing the models
schema: install
	$(BIN)/docgen schema --of edition > schema/edition.schema.json
	$(BIN)/docgen schema --of branding > schema/branding.schema.json
	$(BIN)/docgen schema --of certificate > schema/certificate.schema.json
	$(BIN)/docgen schema --of printer > schema/printer.schema.json

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache .hypothesis
