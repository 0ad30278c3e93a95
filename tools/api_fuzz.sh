#!/usr/bin/env bash
# schemathesis against the live API: a fresh database with the seed, the production
# stack (gunicorn, DEBUG off) on 127.0.0.1:$API_FUZZ_PORT, every operation of
# /api/v1/openapi.json, every check, a bounded number of examples.
#   API_FUZZ_PORT (8161)  API_FUZZ_EXAMPLES (25)  API_FUZZ_SECONDS (300, the whole run)
# Writes bench/API_FUZZ.md (operations, test cases, failures); exits non-zero on any failure
# or on any error the server logged.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${API_FUZZ_PORT:-8161}
EXAMPLES=${API_FUZZ_EXAMPLES:-25}
SECONDS_MAX=${API_FUZZ_SECONDS:-300}  # hard stop for the whole schemathesis run
WORK=$(mktemp -d /tmp/portal-api-fuzz.XXXXXX)
export DATABASE_URL=${API_FUZZ_DATABASE_URL:-sqlite:///$WORK/db.sqlite3}
export DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_HSTS_SECONDS=0
export DJANGO_SECRET_KEY="fuzz-only-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CACHE_URL=locmem://
export DJANGO_API_THROTTLE_RATE=1000000/m   # the fuzzer is one client sending thousands
export PORT WEB_CONCURRENCY=2 GUNICORN_THREADS=4
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py load_seed >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0   # error pages outside the API need it
# --limit-request-line 0: the fuzzer may send URLs past gunicorn's 8,190-byte ceiling,
# where the server (not the API) refuses with HTML; here the API's own JSON 414 answers.
.venv/bin/gunicorn -c gunicorn.conf.py --limit-request-line 0 --error-logfile "$WORK/gunicorn.log" &
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap stop EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/v1/openapi.json" && break; sleep 0.2; done
status=0
timeout "$SECONDS_MAX" .venv/bin/st --config-file tools/schemathesis.toml run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --url "http://127.0.0.1:$PORT" --checks all --max-examples "$EXAMPLES" \
  --request-timeout 10 --workers 2 --no-color --generation-database none \
  --report json --report-dir "$WORK/report" | tee "$WORK/st.log" || status=$?
.venv/bin/python tools/api_fuzz_report.py "$WORK/st.log" "$EXAMPLES" > bench/API_FUZZ.md || true
cat bench/API_FUZZ.md
if grep -q "Traceback\|Internal Server Error" "$WORK/gunicorn.log"; then
  echo "the server logged errors:"; cat "$WORK/gunicorn.log"; status=1
fi
exit "$status"
