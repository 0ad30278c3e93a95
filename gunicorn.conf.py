"""gunicorn settings for `make serve` (production: behind a TLS-terminating proxy)."""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Threads absorb slow clients; processes use the cores. WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# Request lines up to gunicorn's maximum: the API answers overlong URLs itself, in
# JSON (api/errors.py, 4,096 bytes), so gunicorn's own HTML 414 starts only past this.
limit_request_line = 8190
timeout = 30
graceful_timeout = 20
# Workers are not recycled (max_requests): each keeps its cached pages in memory.
# The proxy on this machine terminates TLS and sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log (the proxy keeps one)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
wsgi_app = "strategy_portal.wsgi:application"
