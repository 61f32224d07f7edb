# docgen — the two commands a new machine needs are `make demo` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EDITION := editions/quanyibei-21/edition.yaml
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test check lint typecheck format install dev system-deps system-deps-test schema wheel fuzz bench clean

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
	$(BIN)/ruff check src tests bench tools fuzz
	$(BIN)/ruff format --check src tests bench tools fuzz

typecheck: dev
	$(BIN)/mypy

format: dev
	$(BIN)/ruff format src tests bench tools fuzz
	$(BIN)/ruff check --fix src tests bench tools fuzz

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

## wheel: build the wheel an office installs with pipx into dist/ (README.md: Install on an office machine)
wheel: $(VENV)/.installed
	$(PIP) wheel --no-deps -w dist .

## fuzz: run the atheris fuzzers (fuzz/) for FUZZ_SECONDS each; crash inputs land in out/fuzz/
# render.py's inputs are linted and rendered, each in the render worker (up to 5 s of CPU): its
# -timeout leaves room for both, so a template the worker stops is a message, not a hang.
# atheris is installed here, not in the dev extra: PyPI has wheels for Linux x86_64 only, and
# elsewhere pip would have to build it with clang and libFuzzer. Pinned in constraints.txt.
FUZZ_SECONDS ?= 60
fuzz: dev
	$(PIP) install -c constraints.txt atheris
	@mkdir -p out/fuzz/edition out/fuzz/template out/fuzz/render
	$(BIN)/python fuzz/edition.py out/fuzz/edition fuzz/corpus/edition \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 -artifact_prefix=out/fuzz/
	$(BIN)/python fuzz/template.py out/fuzz/template fuzz/corpus/template -max_len=300000 \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 -artifact_prefix=out/fuzz/
	$(BIN)/python fuzz/render.py out/fuzz/render fuzz/corpus/render -max_len=4000 \
		-max_total_time=$(FUZZ_SECONDS) -timeout=60 -rss_limit_mb=1024 -artifact_prefix=out/fuzz/

clean:
	rm -rf out dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
