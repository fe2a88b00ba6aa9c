# Knockdoor: `make demo` and `make test` set up everything they need on a fresh Debian 12
# machine (run as root, or as a user with sudo for the system packages).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# libgl1-mesa-dri: the software OpenGL (llvmpipe) the Kivy window draws with under Xvfb.
SYSTEM_PACKAGES := xvfb xauth libgl1-mesa-dri fonts-wqy-microhei chromium chromium-driver libzbar0 poppler-utils
#: axe-core, the accessibility engine the browser tests run on every page (from the npm registry).
AXE_JS := .axe/node_modules/axe-core/axe.min.js
PG_HOST := 127.0.0.1
PG_PORT := 5432
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@$(PG_HOST):$(PG_PORT)/test
PYTEST_ARGS ?=

DEMO_DIR := var/demo
DEMO_HOST := 127.0.0.1
DEMO_PORT ?= 8000
DEMO_URL := http://$(DEMO_HOST):$(DEMO_PORT)
DEMO_DB_URL := sqlite:///$(CURDIR)/$(DEMO_DIR)/knockdoor.db
DEMO_PID := $(DEMO_DIR)/server.pid
DEMO_LOG := $(DEMO_DIR)/server.log
DEMO_TABLETS ?= 20

# Run as root, or through sudo when there is one.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help venv catalogs axe system-deps postgres test demo stop bench mutation screenshots clean distclean

help:
	@echo "make demo         set up, seed a demo district on SQLite, serve it on $(DEMO_URL),"
	@echo "                  run $(DEMO_TABLETS) simulated tablets against it; 'make stop' stops it"
	@echo "make test         set up, lint (ruff) and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make venv         the virtualenv in $(VENV) with the project installed (editable)"
	@echo "make system-deps  Debian packages for the UI and browser tests (Xvfb, CJK font, Chromium)"
	@echo "make postgres     start the local PostgreSQL and create the database 'test'"
	@echo "make bench        run the benchmarks (docs/benchmarks.md)"
	@echo "make mutation     mutation testing of the sync rules, a score per module (docs/testing.md)"
	@echo "make screenshots  regenerate docs/screenshots/"
	@echo "make clean        stop the demo, remove var/ and caches (distclean: the venv too)"

# ---- set-up ---------------------------------------------------------------------------------

venv: $(STAMP)

# Reinstalls only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
	  if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	    echo "== installing python3-venv"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; \
	  fi; \
	  echo "== creating $(VENV)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,client,dev]'
	@touch $@

# The tablet's compiled catalogs (.mo) are built from the .po files, never committed, so that a
# build leaves the tree as it found it (the Android build packs them: run this first).
catalogs: venv
	$(BIN)/python -m client.ui.i18n

system-deps:
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "== installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

# PostgreSQL as this machine kind has it (trust auth on 127.0.0.1); installed and configured
# for trust on 127.0.0.1 only where it is missing altogether.
postgres:
	@if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$$(ls /etc/postgresql 2>/dev/null)" ]; then \
	  echo "== installing PostgreSQL"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql && \
	  hba=$$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1) && \
	  $(SUDO) sed -i '1i host all all 127.0.0.1/32 trust' "$$hba"; \
	fi
	@if ! pg_isready -q -h $(PG_HOST) -p $(PG_PORT); then \
	  echo "== starting PostgreSQL"; \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true; \
	  for i in $$(seq 60); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 1; done; \
	  pg_isready -h $(PG_HOST) -p $(PG_PORT) || { echo "PostgreSQL did not start"; exit 1; }; \
	fi
	@if [ "$$(psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then \
	  echo "== creating database test"; \
	  createdb -h $(PG_HOST) -p $(PG_PORT) -U postgres test; \
	fi

axe: system-deps
	@[ -f $(AXE_JS) ] || npm install --silent --no-audit --no-fund --prefix .axe 'axe-core@^4.10'

# ---- tests ----------------------------------------------------------------------------------

test: venv catalogs system-deps axe postgres
	$(BIN)/ruff check .
	KNOCKDOOR_TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest $(PYTEST_ARGS)

# ---- demo -----------------------------------------------------------------------------------

demo: venv catalogs
	@$(MAKE) --no-print-directory stop
	@if $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' '$(DEMO_URL)/healthz' >/dev/null 2>&1; then \
	  echo "Something else already answers on $(DEMO_URL); stop it or run 'make demo DEMO_PORT=8001'."; \
	  exit 1; \
	fi
	rm -rf $(DEMO_DIR)
	mkdir -p $(DEMO_DIR)
	$(BIN)/python -m knockdoor migrate --database-url '$(DEMO_DB_URL)'
	$(BIN)/python -m knockdoor seed --demo --database-url '$(DEMO_DB_URL)' | tee $(DEMO_DIR)/logins.txt
	$(BIN)/python -m knockdoor points-ledger --database-url '$(DEMO_DB_URL)'
	@echo "== starting the server on $(DEMO_URL) (log: $(DEMO_LOG))"
	@KNOCKDOOR_DATABASE_URL='$(DEMO_DB_URL)' KNOCKDOOR_SECURE_COOKIES=0 nohup $(BIN)/python -m knockdoor serve --host $(DEMO_HOST) --port $(DEMO_PORT) \
	  >$(DEMO_LOG) 2>&1 </dev/null & echo $$! >$(DEMO_PID)
	@for i in $$(seq 60); do \
	  if $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' '$(DEMO_URL)/healthz' >/dev/null 2>&1; then \
	    echo "== server is up (pid $$(cat $(DEMO_PID)))"; exit 0; \
	  fi; \
	  if ! kill -0 $$(cat $(DEMO_PID)) 2>/dev/null; then \
	    echo "The server stopped; the end of its log:"; tail -n 40 $(DEMO_LOG); rm -f $(DEMO_PID); exit 1; \
	  fi; \
	  sleep 1; \
	done; \
	echo "The server did not answer $(DEMO_URL)/healthz within 60 s; the end of its log:"; \
	tail -n 40 $(DEMO_LOG); exit 1
	@status=0; \
	$(BIN)/python -m knockdoor simulate --server $(DEMO_URL) --tablets $(DEMO_TABLETS) || status=$$?; \
	echo; \
	echo "================================================================================"; \
	echo "Knockdoor demo is running (pid $$(cat $(DEMO_PID)), log $(DEMO_LOG); 'make stop' stops it)"; \
	echo "  supervisor web view:  $(DEMO_URL)/"; \
	echo "  API docs:             $(DEMO_URL)/api/docs"; \
	echo "  tablet app:           $(BIN)/knockdoor app --server $(DEMO_URL)"; \
	echo; \
	sed -n '/^Logins/,$$p' $(DEMO_DIR)/logins.txt; \
	if [ $$status -ne 0 ]; then echo; echo "The simulation FAILED (exit status $$status); the server is left up to look at."; fi; \
	exit $$status

stop:
	@if [ -f $(DEMO_PID) ]; then \
	  pid=$$(cat $(DEMO_PID)); \
	  if kill -0 $$pid 2>/dev/null; then \
	    echo "== stopping the demo server (pid $$pid)"; \
	    kill -TERM $$pid; \
	    for i in $$(seq 30); do kill -0 $$pid 2>/dev/null || break; sleep 1; done; \
	    if kill -0 $$pid 2>/dev/null; then kill -KILL $$pid; fi; \
	  fi; \
	  rm -f $(DEMO_PID); \
	fi

# ---- the rest -------------------------------------------------------------------------------

bench: venv postgres
	$(BIN)/python -m bench.run

# Minutes, not seconds: not part of `make test`. MUTATION_MODULES=shared/due.py picks modules.
mutation: venv
	$(BIN)/python scripts/mutation.py $(MUTATION_MODULES)

screenshots: venv catalogs system-deps
	set -e; for script in screenshots_app screenshots_requests_app screenshots_web \
	  screenshots_reports screenshots_requests screenshots_roster; do \
	  $(BIN)/python scripts/$$script.py; done

clean: stop
	rm -rf var .pytest_cache .hypothesis .bench build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .axe
