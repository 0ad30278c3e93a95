# Strategy Portal — every step from a fresh machine (python3, pip, make).
#   make run    install, migrate, load the seed, serve on http://127.0.0.1:8000/
#   make test   install what the tests need (system packages too, as root), run them all
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: help install install-test sysdeps migrate seed run test lint check ci clean

help:
	@echo "make run   — serve the site on http://127.0.0.1:$(PORT)/ (SQLite)"
	@echo "make test  — run the whole test suite"
	@echo "make ci    — what CI runs: tests on SQLite, then on PostgreSQL"

$(VENV)/.run-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.run-installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed sysdeps

# Debian packages the tests need; installed only when missing and we are root.
SYSTEM_PACKAGES := chromium fonts-ipafont-gothic
sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (run as root to install them)"; exit 1; fi; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_seed

run: seed
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

check: $(VENV)/.test-installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: install-test lint check
	$(VENV)/bin/pytest

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
