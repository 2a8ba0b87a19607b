# Every target sets up what it needs (virtualenv, Python packages, the test oracle) on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test lint golden bench clean system-deps

# The runtime only (build, check, serve, diff, push): what a writer needs.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test suite, the linters and the type stubs too (pyproject's `dev` extra).
$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

tests/oracle/node_modules/.installed: tests/oracle/package.json tests/oracle/package-lock.json
	cd tests/oracle && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The real Bluesky PDS for the push tests (Node 22 and a compiled better-sqlite3: ~2 minutes once).
tests/peers/bluesky/node_modules/.installed: tests/peers/bluesky/package.json tests/peers/bluesky/package-lock.json tests/peers/bluesky/install
	tests/peers/bluesky/install

# The real Bluesky network with its AppView for the metrics tests (PLC, PDS and AppView from
# @atproto/dev-env, on PostgreSQL from system-deps: ~660 MB, ~3 minutes once).
tests/peers/appview/node_modules/.installed: tests/peers/appview/package.json tests/peers/appview/package-lock.json tests/peers/appview/install
	tests/peers/appview/install

# changedetection.io, the real service, in its own virtualenv for the veille inbox tests (~3 minutes once).
tests/peers/changedetection/.venv/.installed: tests/peers/changedetection/requirements.txt tests/peers/changedetection/install
	tests/peers/changedetection/install

## build: build the sample content repository into output/
build: $(BIN)/.installed
	$(BIN)/cmbuild build

system-deps:
	scripts/system-deps

## test: run the whole test suite
test: $(BIN)/.installed-dev tests/oracle/node_modules/.installed system-deps tests/peers/bluesky/node_modules/.installed \
      tests/peers/appview/node_modules/.installed tests/peers/changedetection/.venv/.installed
	$(BIN)/pytest

## lint: ruff (lint and format) and mypy
lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## golden: regenerate the expected output trees under tests/golden/
golden: $(BIN)/.installed-dev
	$(BIN)/python -m tests.golden_update
	$(BIN)/python -m tests.review.history

## bench: print the build benchmark figures
bench: $(BIN)/.installed
	$(BIN)/python bench/build.py
	$(BIN)/python bench/collect.py

clean:
	rm -rf $(VENV) tests/oracle/node_modules
