# Strategy Portal — every step from a fresh machine (python3, pip, make).
#   make run    install, migrate, load the seed, serve on http://127.0.0.1:8000/
#   make test   install what the tests need (system packages too, as root), run them all
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: help install install-test sysdeps migrate seed run serve bench security bandit checks a11y api-fuzz boundaries backup restore report test lint check ci clean

# `make serve` reads its settings from .env when it exists (see .env.example).
DOTENV := set -a; [ ! -f .env ] || . ./.env; set +a

help:
	@echo "make run   — serve the site on http://127.0.0.1:$(PORT)/ (SQLite)"
	@echo "make test  — run the whole test suite (every tier, in parallel)"
	@echo "make check — lint and the quick tier (no browser, live-server or slow tests)"
	@echo "make ci    — what CI runs: tests on SQLite, then on PostgreSQL"
	@echo "make serve — the production stack (gunicorn + whitenoise, DEBUG off) on 127.0.0.1:$(PORT)"
	@echo "make bench — load test of the production stack and Lighthouse; writes bench/REPORT.md"
	@echo "make security — bandit and a bounded wapiti scan of the production stack (127.0.0.1)"
	@echo "make a11y  — accessibility checks of every page type; writes a11y/results.json"
	@echo "make api-fuzz — schemathesis against the live API; writes bench/API_FUZZ.md"
	@echo "make backup / make restore FILE=… — all data to/from backups/*.json.gz"
	@echo "make report EDITION=2018 — the edition's printable report as reports/edition-2018.pdf"

$(VENV)/.run-installed: pyproject.toml
	@# Debian's own python3 needs the python3-venv package for this; install it when root.
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	  $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@# The share images (Open Graph) draw Japanese text with Debian's IPA Gothic; the charts'
	@# pictures are drawn by Chromium (kaleido). Without them the site runs and says why.
	@missing=""; for p in fonts-ipafont-gothic chromium; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || \
	  echo "missing:$$missing: no Japanese text in share images or no chart pictures (run as root to install)"; \
	fi
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.run-installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

# Node tools for checks only, pinned exactly in package-lock.json: vnu-jar (the W3C
# Nu HTML validator, run by the tests with Java), accessibility-checker-engine (IBM's
# Equal Access engine, ace.js, which the browser tests inject into Chromium: its rules
# are inside, nothing is fetched) and Lighthouse (make bench).
# --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; we use Debian's.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; } || \
	  { echo "npm is missing (run as root to install it)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed sysdeps node_modules/.installed

# Debian packages the tests need; installed only when missing and we are root.
SYSTEM_PACKAGES := chromium fonts-ipafont-gothic poppler-utils
sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (run as root to install them)"; exit 1; fi; \
	fi
	@# vnu.jar needs a Java runtime (any >= 11); Debian's default when there is none.
	@command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null; } || \
	  { echo "java is missing (run as root to install default-jre-headless)"; exit 1; }

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_seed

# The charts' pictures that are missing are drawn in the background while the site starts.
run: seed
	$(PY) manage.py render_charts --crawl &
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
	$(PY) manage.py render_charts --crawl & \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

# A command-line tool from Debian's package of the same name, installed when missing and root:
# $(call apt_tool,wrk) (make bench), $(call apt_tool,wapiti) (make security).
apt_tool = command -v $(1) >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }

bench: install-test
	@$(call apt_tool,wrk)
	$(PY) tools/bench.py

# bandit, then wapiti (Debian's, installed when missing and root) against the
# production stack on 127.0.0.1:$${SECURITY_PORT:-8130}; fails on a finding above low.
security: bandit
	@$(call apt_tool,wapiti)
	$(PY) tools/security.py
# Accessibility: run the checks (every page type, in Chromium) and write a11y/results.json,
# which the 「ウェブアクセシビリティ試験結果」 page shows; commit it. A failing check is a
# result (不適合), not a reason to write nothing, so the report is written either way.
A11Y_RUN := .a11y-run.json
a11y: install-test
	rm -f $(A11Y_RUN)
	A11Y_RUN_FILE=$(CURDIR)/$(A11Y_RUN) $(VENV)/bin/pytest -q -m a11y_check -p no:cacheprovider || true
	$(PY) tools/a11y_report.py $(A11Y_RUN)
	rm -f $(A11Y_RUN)
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

# The printable report of an edition as a PDF (Chromium's print to PDF): make report EDITION=2018
EDITION ?= 2018
report: install-test seed
	@$(PY) manage.py report_pdf --edition $(EDITION)

lint: bandit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The code's static security check (tests and migrations excluded: pyproject.toml);
# fails on a finding above low. Part of make lint, so make test catches it too.
bandit: $(VENV)/.test-installed
	@echo "== bandit (findings above low fail)"
	$(VENV)/bin/bandit -c pyproject.toml -r . -ll -q

checks: $(VENV)/.test-installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  DJANGO_ALLOWED_HOSTS=portal.example.jp $(PY) manage.py check --deploy --fail-level WARNING

# The suite in tiers (markers in pyproject.toml): `make check` is the quick inner loop,
# everything but the browser, live-server and slow tests; `make test` runs every tier,
# on every core (pytest-xdist: each worker its own database, file cache and ports).
# pytest exits 5 when it collects nothing, which fails the target like any error.
XDIST ?= -n $(shell nproc 2>/dev/null || echo 2)
check: $(VENV)/.test-installed lint checks
	$(VENV)/bin/pytest $(XDIST) -m "not browser and not live and not slow"

test: install-test lint checks
	$(VENV)/bin/pytest $(XDIST)

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache .ruff_cache .cache .security
