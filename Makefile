# colead: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export COLEAD_SECRET_KEY_FILE ?= $(CURDIR)/.colead-secret-key

.PHONY: demo test setup assets lint test-unit test-functional bench clean

## Set up everything, build the demo trust and serve it on http://127.0.0.1:$(PORT)
## (PORT=8080 for another port; links in its emails and posters follow it).
PORT ?= 8000
demo: setup
	$(BIN)/colead demo --port $(PORT)

## Set up everything, then run every check and test (on DATABASE_URL, default SQLite).
## COVERAGE=1 also measures branch coverage and holds it to coverage-floor.json (CI does).
test: setup lint
	scripts/ensure-chromium
	COLEAD_ENV=test SECRET_KEY=test-only-secret $(BIN)/colead makemigrations --check --dry-run
	COLEAD_ENV=test SECRET_KEY=test-only-secret $(if $(COVERAGE),HYPOTHESIS_PROFILE=coverage) \
	  $(BIN)/pytest -n 2 --dist loadgroup -q $(if $(COVERAGE),--cov --cov-report=json)
	$(if $(COVERAGE),$(BIN)/python scripts/coverage-ratchet coverage.json)

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

assets: node_modules/.installed assets/compiled/css/main.css

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets/compiled/css/main.css: node_modules/.installed assets/scss/main.scss assets/build-js.mjs assets/copy-assets.mjs
	npm run --silent build

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

## Benchmarks (see bench/README.md); figures go in docs/benchmarks.md
bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules assets/compiled staticfiles
