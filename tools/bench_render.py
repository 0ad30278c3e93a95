"""Uncached render time and SQL queries per page type, for `make bench` (tools/bench.py).

Usage: DATABASE_URL=… python tools/bench_render.py [REPEATS] — prints JSON lines
{"path", "queries", "ms"}: the median of REPEATS renders, each with the page cache
cleared first, through Django's test client with DEBUG off (as in production).
Not a test: wall time varies; the query counts do not.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from harness.page_types import page_types  # noqa: E402
from strategy_portal import pagecache as page_cache  # noqa: E402


def main(repeats: int) -> None:
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    for page in page_types():
        times, queries = [], 0
        for _ in range(repeats + 1):  # the first render warms up templates and connections
            page_cache.clear_pages()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(page.path)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == page.status, (page.path, response.status_code)
            queries = len(captured.captured_queries)
        line = {"path": page.path, "queries": queries, "ms": statistics.median(times[1:])}
        print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
