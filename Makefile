# cbtc: `make run` sets everything up and serves the demo network; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_ENV := CBTC_MODE=demo

.DEFAULT_GOAL := help
.PHONY: help install run demo serve test test-postgres test-browser check lint types lock bench clean

help:
	@echo "make run            set up, load the demo network, serve on http://127.0.0.1:8000"
	@echo "make test           the whole test suite on SQLite (includes browser tests: needs Debian's chromium)"
	@echo "make test-postgres  the suite again on PostgreSQL (DATABASE_URL, or a throwaway DB on 127.0.0.1:5432)"
	@echo "make check          ruff, mypy, missing migrations, production deploy checks"
	@echo "make bench          directory, client, referral and care benchmarks at national scale (prints figures)"

$(STAMP): requirements/dev.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(DEMO_ENV) $(BIN)/cbtc migrate --no-input
	$(DEMO_ENV) $(BIN)/cbtc demo
	$(DEMO_ENV) $(BIN)/cbtc serve --no-migrate

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/cbtc migrate --no-input
	$(DEMO_ENV) $(BIN)/cbtc demo

test: $(STAMP)
	$(BIN)/pytest

test-postgres: $(STAMP)
	./scripts/test-postgres.sh

test-browser: $(STAMP)
	$(BIN)/pytest -m browser

check: $(STAMP) lint types
	CBTC_MODE=test $(BIN)/cbtc makemigrations --check --dry-run
	set -e; dir=$$(mktemp -d); \
	export CBTC_MODE=production CBTC_SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-0123456789abcdefghijklmnop \
	  CBTC_ALLOWED_HOSTS=cbtc.example.org CBTC_DATA_DIR=$$dir CBTC_KEY_FILE=$$dir/keys.json \
	  DATABASE_URL=postgres://cbtc@127.0.0.1:5432/cbtc; \
	$(BIN)/cbtc keys init >/dev/null; \
	$(BIN)/cbtc check --deploy --fail-level WARNING; rm -r $$dir

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy src

lock:
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/prod.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

bench: $(STAMP)
	$(BIN)/python benchmarks/directory_scale.py
	$(BIN)/python benchmarks/client_scale.py
	$(BIN)/python benchmarks/referral_scale.py
	$(BIN)/python benchmarks/care_scale.py

clean:
	rm -rf $(VENV) data test-artifacts
