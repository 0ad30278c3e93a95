"""`make bench`: the production stack under load on 127.0.0.1, and a short report.

Starts gunicorn (DEBUG off, whitenoise, the page cache) on a copy of the data,
then, with wrk, for each page and for a static file of the same size served by
whitenoise in the same run: requests/s, p50/p99 latency, errors at 50
concurrent clients. Also SQL queries per uncached page and the bytes a first
visit to a project page transfers. Writes bench/REPORT.md. Not a test: figures
vary from run to run; compare the ratios measured in one run.
"""

import gzip
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
PORT = int(os.environ.get("BENCH_PORT", "8799"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
PAGES = [
    ("ホーム", "/"),
    ("プロジェクト", "/projects/kitanomegumi/"),
    ("指標の表", "/indicators/"),
    ("市町村一覧", "/municipalities/"),
]
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}

ENV = {
    **os.environ,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}",
    "DJANGO_CACHE_URL": f"file://{OUT / 'cache'}",
    "PORT": str(PORT),
    "GUNICORN_ERROR_LOG": str(OUT / "gunicorn.log"),
}


def manage(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, **kwargs
    )


def get(path, accept_encoding=""):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    headers = dict(HEADERS)
    if accept_encoding:
        headers["Accept-Encoding"] = accept_encoding
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def port_is_free() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) != 0


def start_server():
    if not port_is_free():
        raise SystemExit(f"127.0.0.1:{PORT} is in use; set BENCH_PORT to a free port")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=ENV
    )
    wait_until_up()
    return server


def wait_until_up(deadline=30):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            if get("/")[0].status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def wrk(path, seconds=SECONDS):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in HEADERS.items():
        if name != "Host":
            args += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percent = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50": percent.get("50"),
        "p99": percent.get("99"),
        "errors": errors,
        "requests": requests,
    }


def query_counts():
    code = (
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection\n"
        "from django.core.cache import cache\n"
        "c = Client(HTTP_X_FORWARDED_PROTO='https', HTTP_HOST='127.0.0.1')\n"
        f"for path in {[p for _, p in PAGES]!r}:\n"
        "    cache.clear()\n"
        "    with CaptureQueriesContext(connection) as q:\n"
        "        r = c.get(path)\n"
        "    print(path, r.status_code, len(q.captured_queries))\n"
    )
    out = manage("shell", "-c", code, capture_output=True, text=True).stdout
    return {m[0]: int(m[2]) for m in re.findall(r"^(\S+) (\d+) (\d+)$", out, re.M)}


def first_visit_bytes(path):
    """HTML (gzip, as the proxy sends it) + every CSS/JS it links (whitenoise's br/gzip)."""
    _, html = get(path)
    total = {"HTML": len(gzip.compress(html, 6))}
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        response, body = get(asset.decode(), accept_encoding="br, gzip")
        kind = "JS" if asset.endswith(b".js") else "CSS"
        total[kind] = total.get(kind, 0) + len(body)
    return total


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it with apt-get")
    OUT.mkdir(exist_ok=True)
    for stale in (OUT / "bench.sqlite3", OUT / "cache"):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    manage("migrate", "--noinput", stdout=subprocess.DEVNULL)
    manage("load_seed", stdout=subprocess.DEVNULL)
    manage("collectstatic", "--noinput", stdout=subprocess.DEVNULL)
    queries = query_counts()

    # Render once (DEBUG off) to size the static twins of each page.
    sizes = {}
    server = start_server()
    try:
        for _, path in PAGES:
            sizes[path] = len(get(path)[1])
    finally:
        server.terminate()
        server.wait()
    twins = ROOT / "staticfiles" / "bench"
    twins.mkdir(parents=True, exist_ok=True)
    for size in sizes.values():
        (twins / f"{size}.html").write_bytes(b"x" * size)

    server = start_server()
    rows = []
    try:
        for _, path in PAGES:  # every worker renders and caches each page once
            wrk(path, seconds=2)
            wrk(f"/static/bench/{sizes[path]}.html", seconds=2)
        for name, path in PAGES:
            page = wrk(path)
            static = wrk(f"/static/bench/{sizes[path]}.html")
            rows.append((name, path, sizes[path], page, static))
        transfer = first_visit_bytes("/projects/kitanomegumi/")
    finally:
        server.terminate()
        server.wait()

    lines = [
        "# Benchmark report (`make bench`)",
        "",
        f"gunicorn ({os.cpu_count()} cores, gthread), DEBUG off, whitenoise, file page cache; "
        f"wrk, {CONNECTIONS} connections, {SECONDS} s per row, 127.0.0.1. "
        "Figures vary between runs: compare ratios within one run.",
        "",
        "| page | bytes | page req/s | p50 | p99 | errors | static twin req/s | p50 | p99 | errors | page/static |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, size, page, static in rows:
        ratio = page["rps"] / static["rps"] if static["rps"] else 0
        lines.append(
            f"| {name} `{path}` | {size:,} | {page['rps']:,.0f} | {page['p50']} | {page['p99']} | "
            f"{page['errors']} | {static['rps']:,.0f} | {static['p50']} | {static['p99']} | "
            f"{static['errors']} | {ratio:.0%} |"
        )
    lines += ["", "SQL queries per uncached page (page cache cleared before each):", ""]
    lines += [f"- `{path}`: {queries.get(path, '?')}" for _, path in PAGES]
    total = sum(transfer.values())
    lines += [
        "",
        "First visit to `/projects/kitanomegumi/`, compressed bytes: "
        + ", ".join(f"{k} {v:,}" for k, v in transfer.items())
        + f" — total {total:,} ({total / 1024:,.0f} KiB)",
        "",
        "Targets: cached page ≥ 80% of the static twin's req/s; ≤ 10 queries per uncached page; "
        "0 errors; first visit ≤ 600 KB.",
    ]
    report = "\n".join(lines) + "\n"
    (OUT / "REPORT.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
