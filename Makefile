# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The official Node SDK check (tests/integration/test_node_sdk.py) needs tests/node/node_modules: installed
# from the committed lock file whenever node and npm are on PATH, so CI runs that test instead of skipping it.
NODE_DEPS := tests/node/node_modules/.package-lock.json
ifneq ($(and $(shell command -v node 2>/dev/null),$(shell command -v npm 2>/dev/null)),)
TEST_NODE_DEPS := $(NODE_DEPS)
endif

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright (never `playwright install`):
# installed with apt when /usr/bin/chromium is missing; without apt the browser tests skip themselves.
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint typecheck unit install clean bench node-deps browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(NODE_DEPS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund
	touch $@

node-deps: $(NODE_DEPS)

$(CHROMIUM):
	@if command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "no $(CHROMIUM) and no apt-get: the browser tests will be skipped"; fi

browser: $(CHROMIUM)

run: install ## start kasse on SQLite (./var/kasse.db) with the demo sales unit
	$(BIN)/kasse serve

lint: install
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest tests/unit tests/architecture -q

test: lint typecheck $(TEST_NODE_DEPS) $(CHROMIUM) ## ruff, mypy and the whole pytest suite
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
