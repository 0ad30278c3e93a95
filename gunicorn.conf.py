"""gunicorn settings for `make serve` (production: behind a TLS-terminating proxy)."""

import logging
import multiprocessing
import os
import threading
import time

import gunicorn.http.wsgi

PORT = os.environ.get("PORT", "8000")
# Loopback only: gunicorn must never face clients itself (see docs/operating.md, production).
bind = f"127.0.0.1:{PORT}"
# gunicorn's control socket (`gunicornc`): one per instance. Its default,
# ~/.gunicorn/gunicorn.ctl, is the same for every instance a user starts, and the
# last one started takes it over. This one is in the user's own runtime directory
# (as the default's), named by the port, which no other running instance can hold.
# GUNICORN_CONTROL_SOCKET sets another path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or os.path.join(
    os.environ.get("XDG_RUNTIME_DIR") or os.path.expanduser("~/.gunicorn"),
    f"strategy-portal-{PORT}.ctl",
)
# Threads absorb slow clients; processes use the cores. WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# gunicorn's `timeout` only notices a worker whose main loop stops; with gthread a
# stuck request thread goes unnoticed. HARD_TIMEOUT (below) covers that.
# Request lines up to gunicorn's maximum: the API answers overlong URLs itself, in
# JSON (api/errors.py, 4,096 bytes), so gunicorn's own HTML 414 starts only past this.
limit_request_line = 8190
timeout = 30
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
# Workers are recycled after a bounded number of requests (with jitter, so they do
# not all restart at once), which bounds any slow growth of a worker's memory.
# A new worker starts with no cached page, so recycling costs renders: at full load
# (make bench: about 750 requests/s per worker) 50,000 recycled one worker every few
# seconds and put its re-renders in every row's p99. 500,000 is about 11 minutes per
# worker at full load, days at a real site's rate, and still bounds memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "500000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "50000"))
# The proxy on this machine terminates TLS and sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log (the proxy keeps one)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
wsgi_app = "strategy_portal.wsgi:application"

# A request running longer than this ends its worker: the worker stops taking
# requests, gives the others graceful_timeout to finish, then exits, and the
# arbiter starts a fresh one. Every bounded operation (an import stops after
# DJANGO_IMPORT_MAX_SECONDS, a database wait after DJANGO_DB_BUSY_TIMEOUT_MS)
# ends long before.
HARD_TIMEOUT = int(os.environ.get("GUNICORN_HARD_TIMEOUT", "60"))

# No `Server: gunicorn` line: the software serving the site is nobody's business.
_default_headers = gunicorn.http.wsgi.Response.default_headers


def _headers_without_server(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


gunicorn.http.wsgi.Response.default_headers = _headers_without_server


def post_worker_init(worker):
    worker.portal_requests = {}
    threading.Thread(target=_watchdog, args=(worker,), name="hard-timeout", daemon=True).start()


def pre_request(worker, req):
    worker.portal_requests[threading.get_ident()] = (time.monotonic(), req.method, req.path)


def post_request(worker, req, environ, resp):
    worker.portal_requests.pop(threading.get_ident(), None)


def _watchdog(worker):
    log = logging.getLogger("gunicorn.error")
    while True:
        time.sleep(1)
        now = time.monotonic()
        stuck = [
            (method, path, now - started)
            for started, method, path in list(worker.portal_requests.values())
            if now - started > HARD_TIMEOUT
        ]
        if stuck:
            method, path, seconds = stuck[0]
            log.error(
                "hard timeout: %s %s running for %.0f s; restarting worker %s",
                method,
                path,
                seconds,
                worker.pid,
            )
            worker.alive = False  # take no new requests
            time.sleep(graceful_timeout)
            os._exit(1)
