"""`make bench`: the production stack under load on 127.0.0.1, and a short report.

Starts gunicorn (DEBUG off, whitenoise, the page cache) on a copy of the data,
then, with wrk, for each page and for a static file of the same size served by
whitenoise in the same run: requests/s, p50/p99 latency, errors at 50
concurrent clients. Also SQL queries per uncached page and the bytes a first
visit to a project page transfers. Then the same project page with an editor
saving a figure through the admin every second (each save makes every cached
page stale): p99 and errors beside the row without writers. Writes
bench/REPORT.md. Not a test: figures vary from run to run; compare the ratios
measured in one run.
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.production.live import Browser  # noqa: E402  (the fault tests' browser)

OUT = ROOT / "bench"
PORT = int(os.environ.get("BENCH_PORT", "8125"))
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
EDITOR = ("bench-editor", secrets.token_urlsafe(16))
WRITER_PAGE = "/projects/kitanomegumi/"


def manage(*args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env or ENV, check=True, **kwargs
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


def wrk(path, seconds=SECONDS, headers=None, script=None):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {**HEADERS, **(headers or {})}.items():
        if name != "Host":
            args += ["-H", f"{name}: {value}"]
    if script:
        args += ["-s", str(script)]
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


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def with_an_editor_saving(path, seconds=SECONDS):
    """wrk on `path` while an editor saves a figure in the admin once a second."""
    editor = Browser(SimpleServer()).log_in(*EDITOR)
    code = (
        "from indicators.models import Result; "
        "print(Result.objects.get(indicator__slug='p1-marriage-support-consultations',"
        " fiscal_year=2017).pk)"
    )
    out = manage("shell", "-v0", "-c", code, capture_output=True, text=True).stdout
    pk = int(out.split()[-1])
    saves, stop = [], threading.Event()

    def save():
        value = 813
        while not stop.is_set():
            started = time.monotonic()
            value += 1
            try:
                status = editor.change_result(pk, value, reason="make bench")
            except OSError as error:
                status = type(error).__name__
            saves.append((status, time.monotonic() - started))
            stop.wait(max(0, 1 - (time.monotonic() - started)))

    writer = threading.Thread(target=save)
    writer.start()
    try:
        load = wrk(path, seconds=seconds)
    finally:
        stop.set()
        writer.join()
    return load, saves


class SimpleServer:
    """What tests.production.live.Browser needs of a server: requests to ours."""

    port = PORT

    def request(self, method, path, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()


UNIQUE_QUERIES = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?utm=" .. counter .. "-" .. math.random(1e9))
end
"""


def workers_rss_kib(server) -> int:
    """Resident memory of gunicorn's workers, summed (from /proc)."""
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(server.pid)], capture_output=True, text=True
    ).stdout
    return sum(int(n) for n in out.split())


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
    manage(
        "createsuperuser",
        "--noinput",
        "--username",
        EDITOR[0],
        "--email",
        "bench@example.jp",
        stdout=subprocess.DEVNULL,
        env={**ENV, "DJANGO_SUPERUSER_PASSWORD": EDITOR[1]},
    )
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
        writers, saves = with_an_editor_saving(WRITER_PAGE)
        # A made-up session cookie must not turn a cached page into a rendered one.
        cookie = wrk(WRITER_PAGE, headers={"Cookie": "sessionid=made-up-0123456789abcdefghij"})
        # Unique query strings (every one a new URL) must not grow the workers.
        script = OUT / "unique-queries.lua"
        script.write_text(UNIQUE_QUERIES)
        rss_before = workers_rss_kib(server)
        unique = wrk(WRITER_PAGE, script=script)
        rss_after = workers_rss_kib(server)
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
    quiet = next(page for _, path, _, page, _ in rows if path == WRITER_PAGE)
    ok = sum(1 for status, _ in saves if status == 302)
    save_times = sorted(seconds for _, seconds in saves)
    ratio = milliseconds(writers["p99"]) / milliseconds(quiet["p99"])
    lines += [
        "",
        f"With writers: {CONNECTIONS} readers on `{WRITER_PAGE}` and one editor saving a figure "
        f"in the admin every second for {SECONDS} s (each save makes every cached page stale):",
        "",
        "| load | req/s | p50 | p99 | errors | p99 / p99 without writers |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| readers, no writer (row above) | {quiet['rps']:,.0f} | {quiet['p50']} | {quiet['p99']} "
        f"| {quiet['errors']} | 1.0 |",
        f"| readers + one editor | {writers['rps']:,.0f} | {writers['p50']} | {writers['p99']} "
        f"| {writers['errors']} | {ratio:.1f} |",
        "",
        f"Editor: {len(saves)} saves, {ok} saved (302), {len(saves) - ok} failed; "
        f"slowest save {save_times[-1] if save_times else 0:.2f} s.",
    ]
    lines += [
        "",
        f"Same page, other requests ({SECONDS} s each): with a made-up `sessionid` cookie "
        f"{cookie['rps']:,.0f} req/s (p99 {cookie['p99']}, {cookie['errors']} errors); "
        f"every request a new query string (`?utm=…`) {unique['rps']:,.0f} req/s "
        f"(p99 {unique['p99']}, {unique['errors']} errors, {unique['requests']:,} URLs), "
        f"workers' memory {rss_before / 1024:,.0f} → {rss_after / 1024:,.0f} MiB.",
    ]
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
        "0 errors; first visit ≤ 600 KB; with an editor saving every second, 0 errors and "
        "p99 at most twice the p99 without writers.",
    ]
    report = "\n".join(lines) + "\n"
    (OUT / "REPORT.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
