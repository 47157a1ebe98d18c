# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The official Node SDK check (tests/integration/contract/test_node_sdk.py) needs tests/node/node_modules: installed
# from the committed lock file whenever node and npm are on PATH, so CI runs that test instead of skipping it.
NODE_DEPS := tests/node/node_modules/.package-lock.json
ifneq ($(and $(shell command -v node 2>/dev/null),$(shell command -v npm 2>/dev/null)),)
TEST_NODE_DEPS := $(NODE_DEPS)
endif

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright (never `playwright install`):
# installed with apt when /usr/bin/chromium is missing; without apt the browser tests skip themselves.
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-postgres lint typecheck unit install clean bench bench-postgres node-deps browser

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
	$(BIN)/pytest tests/unit -q

# The PostgreSQL run of `make test`: the integration tests, the use-case tests and the approval races (where only
# PostgreSQL's concurrent writers can catch a missing version check) again on PostgreSQL, each test in a private
# schema of this database (dropped at the end); skipped with a note when no server answers there. It runs beside
# the SQLite run, not after it: both spend most of their time waiting on servers, sockets and fsyncs (one after
# the other they took 11 min on a 2-core box; CPU was busy 7.3 min of it), and its output is printed when it ends.
KASSE_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
# (the security, SDK and POS-store tests of tests/integration run on SQLite only, as they did before the tier-first layout)
PG_TESTS := tests/integration tests/unit/services tests/reliability/test_approval_races.py \
	--ignore=tests/integration/security --ignore=tests/integration/sdk \
	$(foreach t,confirmations end_of_day end_of_day_cli end_of_day_page pos_store_movements,\
		--ignore=tests/integration/pos/test_$(t).py)
PG_LOG := var/test-postgres.log

test: lint typecheck $(TEST_NODE_DEPS) $(CHROMIUM) ## ruff, mypy, the whole suite on SQLite and on PostgreSQL
	@mkdir -p var; pg=skipped; \
	if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
		"$(KASSE_TEST_DATABASE_URL)" 2>/dev/null; then \
		echo "PostgreSQL at $(KASSE_TEST_DATABASE_URL): running $(PG_TESTS) on it too, alongside (log: $(PG_LOG))"; \
		KASSE_TEST_DATABASE_URL="$(KASSE_TEST_DATABASE_URL)" $(BIN)/pytest $(PG_TESTS) -q -p no:cacheprovider \
			--basetemp=var/pytest-postgres > $(PG_LOG) 2>&1 & pg=$$!; \
	else echo "PostgreSQL not reachable at $(KASSE_TEST_DATABASE_URL): skipped the PostgreSQL run"; fi; \
	env -u KASSE_TEST_DATABASE_URL $(BIN)/pytest; sqlite=$$?; pg_status=0; \
	if [ "$$pg" != skipped ]; then \
		wait $$pg; pg_status=$$?; echo "--- PostgreSQL run ($(PG_TESTS)) ---"; \
		if [ $$pg_status -eq 0 ]; then tail -n 3 $(PG_LOG); else cat $(PG_LOG); fi; \
	fi; \
	test $$sqlite -eq 0 && test $$pg_status -eq 0

test-postgres: install ## only the PostgreSQL run of `make test`
	KASSE_TEST_DATABASE_URL="$(KASSE_TEST_DATABASE_URL)" $(BIN)/pytest $(PG_TESTS) -q

bench: install
	$(BIN)/python bench/run.py

# SQLite (one process), then PostgreSQL with `kasse serve --workers 1, 2 and 4` (a private schema created and
# dropped in KASSE_TEST_DATABASE_URL's database), same scenarios, CPU per operation and ceilings: bench/README.md
bench-postgres: install
	$(BIN)/python bench/postgres.py --database-url "$(KASSE_TEST_DATABASE_URL)"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
