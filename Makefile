# Strategy Portal — every step from a fresh machine (python3, pip, make).
#   make run    install, migrate, load the seed, serve on http://127.0.0.1:8000/
#   make test   install what the tests need (system packages too, as root), run them all
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: help install install-test sysdeps migrate seed run serve bench api-fuzz boundaries backup restore test lint check ci clean

# `make serve` reads its settings from .env when it exists (see .env.example).
DOTENV := set -a; [ ! -f .env ] || . ./.env; set +a

help:
	@echo "make run   — serve the site on http://127.0.0.1:$(PORT)/ (SQLite)"
	@echo "make test  — run the whole test suite"
	@echo "make ci    — what CI runs: tests on SQLite, then on PostgreSQL"
	@echo "make serve — the production stack (gunicorn + whitenoise, DEBUG off) on 127.0.0.1:$(PORT)"
	@echo "make bench — load test of the production stack; writes bench/REPORT.md"
	@echo "make api-fuzz — schemathesis against the live API; writes bench/API_FUZZ.md"
	@echo "make backup / make restore FILE=… — all data to/from backups/*.json.gz"

$(VENV)/.run-installed: pyproject.toml
	@# Debian's own python3 needs the python3-venv package for this; install it when root.
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	  $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@# The share images (Open Graph) draw Japanese text with Debian's IPA Gothic.
	@dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-ipafont-gothic >/dev/null; } || \
	  echo "fonts-ipafont-gothic is missing: share images will lack Japanese text (run as root to install it)"
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

# Production: DEBUG off, hashed + compressed static files, gunicorn (gunicorn.conf.py).
serve: install
	@$(DOTENV); export DJANGO_DEBUG=0 PORT=$${PORT:-$(PORT)}; \
	test -n "$$DJANGO_SECRET_KEY" || { echo "DJANGO_SECRET_KEY is not set (copy .env.example to .env)"; exit 1; }; \
	set -ex; \
	$(PY) manage.py check --deploy --fail-level WARNING; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_seed; \
	$(PY) manage.py collectstatic --noinput -v0; \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) tools/bench.py

# schemathesis against the running API (also in .ci/run); writes bench/API_FUZZ.md.
api-fuzz: $(VENV)/.test-installed
	bash tools/api_fuzz.sh

# Rebuild static/maps/hokkaido-municipalities.json from ../shared/data/hokkaido-boundaries/.
boundaries:
	$(PYTHON) tools/build_boundaries.py

# Backups: every row, with natural keys, compressed; restore into an empty database.
BACKUP_DIR ?= backups
backup: install
	mkdir -p $(BACKUP_DIR)
	@$(DOTENV); $(PY) manage.py backup --output $(BACKUP_DIR)/portal-$$(date +%Y%m%d-%H%M%S).json.gz

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/portal-….json.gz"; exit 1; }
	@$(DOTENV); $(PY) manage.py migrate --noinput && $(PY) manage.py restore $(FILE)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.test-installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  DJANGO_ALLOWED_HOSTS=portal.example.jp $(PY) manage.py check --deploy --fail-level WARNING

test: install-test lint check
	$(VENV)/bin/pytest

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
