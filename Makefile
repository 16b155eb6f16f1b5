# shopcore: `make run` on a fresh machine serves the API with demo data; `make test` checks it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH ?= ../shared/bench

DEMO_ADMIN_USERNAME := admin
DEMO_ADMIN_EMAIL := admin@example.com
DEMO_ADMIN_PASSWORD := shopcore-demo-1

# pip without the version nag, the root-user warning or prompts, and with warnings never
# escalated to errors by an inherited PYTHONWARNINGS.
PIP := env PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1 \
	PYTHONWARNINGS=ignore $(BIN)/python -m pip

.PHONY: help install run test lint bench bench-compare search-quality clean distclean

help:
	@echo "make run        install if needed, migrate, add demo data and an admin, serve on http://$(HOST):$(PORT)"
	@echo "make test       install if needed, then run every test tier (pytest)"
	@echo "make lint       ruff and mypy --strict"
	@echo "make bench      benchmark shopcore under gunicorn on a private PostgreSQL and Redis with wrk"
	@echo "                (BENCH_PRODUCTS=10000, BENCH_DURATION=15, BENCH_SOAK=1 for 5 min of worker RSS)"
	@echo "make bench-compare  development: ../shared/bench/loadbench, shopcore vs the DRF reference"
	@echo "make search-quality  MRR and recall@10 of every search engine on the labelled queries"
	@echo "make clean      remove caches and var/ (the demo database and development key)"
	@echo "make distclean  clean, and remove .venv too"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --editable '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/shopcore db upgrade
	$(BIN)/shopcore populate-data --if-empty --users 0 --categories 8 --products 200
	$(BIN)/shopcore create-admin --if-missing --username '$(DEMO_ADMIN_USERNAME)' \
		--email '$(DEMO_ADMIN_EMAIL)' --password '$(DEMO_ADMIN_PASSWORD)'
	@echo
	@echo "  ============================================================"
	@echo "   Demo admin (staff):  username $(DEMO_ADMIN_USERNAME)   password $(DEMO_ADMIN_PASSWORD)"
	@echo "   API:  http://$(HOST):$(PORT)/api/    docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "  ============================================================"
	@echo
	$(BIN)/shopcore serve --host '$(HOST)' --port '$(PORT)'

test: $(STAMP)
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# A benchmark, never a test: it installs wrk, PostgreSQL and Redis when missing (apt), starts
# its own on free loopback ports and prints a table; JSON goes to bench/results/.
bench: $(STAMP)
	bench/setup.sh
	$(BIN)/python -m bench

# A development command: the side-by-side run of ../shared/bench (DRF reference, ceiling).
bench-compare: $(STAMP)
	@if [ ! -f $(BENCH)/loadbench/loadbench.py ]; then \
		echo "make bench-compare is a development command: it needs ../shared/bench/loadbench"; \
		echo "(the Django reference and the harness), which is not here. Use make bench."; \
		exit 2; \
	fi
	@if ! command -v wrk >/dev/null || ! command -v redis-server >/dev/null \
		|| [ ! -x /usr/lib/postgresql/15/bin/initdb ] \
		|| [ ! -x $(BENCH)/drf_seed/.venv/bin/gunicorn ]; then \
		$(BENCH)/loadbench/setup.sh; \
	fi
	$(BIN)/python bench/compare.py --loadbench $(BENCH)/loadbench/loadbench.py

search-quality: $(STAMP)
	$(BIN)/python -m tests.search_quality.run

clean:
	rm -rf var build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis src/*.egg-info
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
