"""`make bench`: the production stack under load on 127.0.0.1, and a short report.

Starts gunicorn (DEBUG off, whitenoise, the page cache) on a copy of the data,
then, with wrk, for each page and for a static file of the same size served by
whitenoise in the same run: requests/s, p50/p99 latency, errors at 50
concurrent clients. Also, for every page type: SQL queries and uncached render
time at 1x, 20x and 100x the data (more fiscal years), and Lighthouse (mobile
preset, Debian's Chromium, median of 3 runs); the bytes a first visit to a
project page transfers; and the same project page with an editor saving a
figure through the admin every second (each save makes every cached page
stale): p99 and errors beside the same readers without writers just before,
in 3 rounds (the median counts). First, every chart and map of the site is drawn
from cold by the renderer (time and the peak memory of its whole process tree),
then again after one figure changed; and when the first chart is painted, against
the first paint and the peer dashboard's recorded time. Writes bench/REPORT.md.
Not a test: figures vary from run to run; compare the ratios measured in one run.
"""

import gzip
import http.client
import json
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
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from harness.live import Browser  # noqa: E402  (the fault tests' browser)

OUT = ROOT / "bench"
PORT = int(os.environ.get("BENCH_PORT", "8125"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
LIGHTHOUSE_RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))
WRITER_ROUNDS = int(os.environ.get("BENCH_WRITER_ROUNDS", "3"))
RENDER_REPEATS = int(os.environ.get("BENCH_RENDER_REPEATS", "5"))
SCALES = (1, 20, 100)  # data: the seed, then every result again for more fiscal years
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
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
    # Plain HTTP on 127.0.0.1 stands for the proxy's side of TLS. wrk and Lighthouse send
    # X-Forwarded-Proto: https with each page; Lighthouse's own fetches (robots.txt) cannot.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "GUNICORN_ERROR_LOG": str(OUT / "gunicorn.log"),
    # The charts' pictures are drawn by the bench itself (chart_rendering), before the
    # server starts, so every page and Lighthouse see them; no renderer during the rows.
    "DJANGO_CHART_DIR": str(OUT / "charts"),
    "DJANGO_CHART_RENDERING": "off",
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


def wrk(path, seconds=SECONDS, headers=None, script=None, port=PORT):
    """wrk's figures for `path` on 127.0.0.1:`port` (also used by tools/review_replay.py)."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {**HEADERS, **(headers or {})}.items():
        if name != "Host":
            args += ["-H", f"{name}: {value}"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
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
    """What harness.live.Browser needs of a server: requests to ours."""

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


MULTIPLY = """
from indicators.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Result
factor = {factor}
extra, years_of, firsts = [], {{}}, {{}}
for r in Result.objects.order_by("fiscal_year"):
    years_of.setdefault(r.indicator_id, set()).add(r.fiscal_year)
    firsts.setdefault((r.indicator_id, r.breakdown), r)
for (indicator, breakdown), r in firsts.items():
    free = [y for y in range(MIN_FISCAL_YEAR, MAX_FISCAL_YEAR + 1) if y not in years_of[indicator]]
    for year in free[: factor - 1]:
        extra.append(Result(indicator_id=indicator, edition_id=r.edition_id, fiscal_year=year,
                            value=r.value, breakdown=breakdown, status="published", order=r.order))
Result.objects.bulk_create(extra, batch_size=500)
print(Result.objects.count())
"""


def scaled_database(factor):
    """A copy of the bench database with every result again for factor - 1 more years."""
    if factor == 1:
        return ENV["DATABASE_URL"]
    copy = OUT / f"bench-{factor}x.sqlite3"
    shutil.copyfile(OUT / "bench.sqlite3", copy)
    url = f"sqlite:///{copy}"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MULTIPLY.format(factor=factor)],
        cwd=ROOT,
        env={**ENV, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return url


def render_times():
    """{path: {factor: (queries, ms)}}: uncached renders at each data scale."""
    table = {}
    for factor in SCALES:
        url = scaled_database(factor)
        out = subprocess.run(
            [sys.executable, "tools/bench_render.py", str(RENDER_REPEATS)],
            cwd=ROOT,
            env={**ENV, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            row = json.loads(line)
            table.setdefault(row["path"], {})[factor] = (row["queries"], row["ms"])
    return table


def page_types():
    code = (
        "import json\n"
        "from harness.page_types import page_types\n"
        "print(json.dumps([[p.name, p.path, p.status] for p in page_types()], ensure_ascii=False))"
    )
    out = manage("shell", "-c", code, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def lighthouse(path):
    """Median scores and metrics of LIGHTHOUSE_RUNS runs (mobile preset, simulated throttling)."""
    runs = []
    for run in range(LIGHTHOUSE_RUNS):
        name = re.sub(r"[^A-Za-z0-9-]+", "_", path.strip("/")) or "home"
        report = OUT / "lighthouse" / f"{name}-{run}.json"
        report.parent.mkdir(exist_ok=True)
        command = [
            str(LIGHTHOUSE),
            f"http://127.0.0.1:{PORT}{quote(path, safe='/?=&')}",
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            '--extra-headers={"X-Forwarded-Proto": "https"}',
        ]
        # A run now and then fails to start or reach Chromium: try it once more, and
        # stop with Lighthouse's own words if the second try fails too.
        for attempt in (1, 2):
            done = subprocess.run(
                command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True
            )
            if done.returncode == 0:
                break
            if attempt == 2:
                raise SystemExit(
                    f"Lighthouse failed twice on {path}: {done.stderr.decode()[-2000:]}"
                )
        data = json.loads(report.read_text(encoding="utf-8"))
        audits = data["audits"]
        runs.append(
            {
                **{k: round(v["score"] * 100) for k, v in data["categories"].items()},
                "LCP": audits["largest-contentful-paint"]["numericValue"],
                "TBT": audits["total-blocking-time"]["numericValue"],
                "CLS": audits["cumulative-layout-shift"]["numericValue"],
                "bytes": audits["total-byte-weight"]["numericValue"],
            }
        )
    return {key: median([r[key] for r in runs]) for key in runs[0]}


# Each frame, until it is so: is the page's first chart picture loaded and shown? A frame's
# requestAnimationFrame callbacks run just before it is painted, and none run while the
# page cannot paint yet (its stylesheet loading), so the first such frame is the paint
# that shows the chart.
FIRST_CHART = """
window.__firstChart = null;
(function watch(now) {
  const shown = [...document.querySelectorAll('[data-chart] img.chart-svg')]
    .find(img => getComputedStyle(img).display !== 'none');
  if (shown && shown.complete && shown.naturalWidth > 0) { window.__firstChart = now; return; }
  requestAnimationFrame(watch);
})(0);
"""
FIRST_CHART_RUNS = int(os.environ.get("BENCH_FIRST_CHART_RUNS", "5"))
PEER_FIRST_CHART_MS = 1018  # the peer dashboard, as issue 21 recorded it (not rebuilt here)


def first_chart(path) -> dict:
    """When the first chart is painted, against the first contentful paint, in headless
    Chromium with no input at all (a fresh profile each run: nothing cached); median of
    FIRST_CHART_RUNS runs, and in how many runs the chart was in the first paint."""
    from playwright.sync_api import sync_playwright  # the test extra (make bench has it)

    charts, paints, first = [], [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for _ in range(FIRST_CHART_RUNS):
                context = browser.new_context(
                    viewport={"width": 412, "height": 823},
                    extra_http_headers={"X-Forwarded-Proto": "https"},
                )
                page = context.new_page()
                page.add_init_script(FIRST_CHART)
                page.goto(f"http://127.0.0.1:{PORT}{path}", wait_until="load")
                page.wait_for_function(  # a function: the page's CSP forbids eval'd strings
                    "() => window.__firstChart !== null && "
                    "performance.getEntriesByName('first-contentful-paint').length > 0",
                    timeout=30_000,
                )
                chart = page.evaluate("window.__firstChart")
                paint = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0].startTime"
                )
                # Nothing shows before the first paint: a chart ready earlier is seen then.
                charts.append(max(chart, paint))
                paints.append(paint)
                first += chart <= paint
                context.close()
        finally:
            browser.close()
    return {"chart": median(charts), "paint": median(paints), "first": first}


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
    """HTML (gzip, as the proxy sends it) + every CSS/JS it links (whitenoise's br/gzip)
    + the charts' pictures it loads at once (loading="eager": every width of the first
    charts, as a browser fetches them)."""
    _, html = get(path)
    total = {"HTML": len(gzip.compress(html, 6))}
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css|svg))"', html):
        response, body = get(asset.decode(), accept_encoding="br, gzip")
        kind = "JS" if asset.endswith(b".js") else "CSS" if asset.endswith(b".css") else "icon"
        total[kind] = total.get(kind, 0) + len(body)
    for picture in re.findall(rb'src="(/charts/[^"]+\.svg)"[^>]*loading="eager"', html):
        response, body = get(picture.decode(), accept_encoding="br, gzip")
        total["chart pictures"] = total.get("chart pictures", 0) + len(body)
    return total


CHANGE_ONE = (
    "from indicators.models import Result; "
    "r = Result.objects.public().filter(indicator__slug='p2-mirai-challenge-budget').last(); "
    "r.value += 1; r.save()"
)


def tree_rss_kib(pid: int) -> int:
    """The resident memory of a process and all its descendants (Chromium's too)."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,rss="], capture_output=True, text=True).stdout
    rows = [tuple(int(v) for v in line.split()) for line in out.splitlines() if line.strip()]
    children: dict[int, list[tuple[int, int]]] = {}
    for child, parent, rss in rows:
        children.setdefault(parent, []).append((child, rss))
    total = next((rss for child, _, rss in rows if child == pid), 0)
    stack = [pid]
    while stack:
        for child, rss in children.get(stack.pop(), []):
            total += rss
            stack.append(child)
    return total


def sampled(*args) -> dict:
    """`manage.py …` with its whole process tree's memory sampled every 0.2 s."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.2)
    output = process.stdout.read()
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{output}")
    summary = next((line for line in output.splitlines() if line.startswith("charts:")), "")
    return {"seconds": time.monotonic() - started, "peak_mib": peak / 1024, "summary": summary}


def chart_rendering() -> tuple[dict, dict]:
    """Every chart and map of the site drawn from cold (the renderer's visit of the
    sitemap), then again after one figure changed: only its charts are drawn."""
    shutil.rmtree(OUT / "charts", ignore_errors=True)
    cold = sampled("render_charts", "--crawl")
    manage("shell", "-c", CHANGE_ONE, stdout=subprocess.DEVNULL)
    again = sampled("render_charts", "--crawl")
    return cold, again


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it with apt-get")
    OUT.mkdir(exist_ok=True)
    stale_files = [
        OUT / "cache",
        OUT / "lighthouse",
        OUT / "charts",
        *OUT.glob("bench*.sqlite3"),
    ]
    for stale in stale_files:
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
    renders = render_times()
    types = page_types()
    cold, again = chart_rendering()

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
        first_charts = [
            (name, path, first_chart(path))
            for name, path in (
                ("プロジェクト", "/projects/kitanomegumi/"),
                ("指標", "/indicators/p2-mirai-challenge-budget/"),
            )
        ]
        # Each writer row against a baseline measured just before it, not the table's row
        # minutes earlier, and WRITER_ROUNDS times: the machine drifts between minutes and
        # a p99 is one run's tail, so the median round is the figure.
        rounds = []
        for _ in range(WRITER_ROUNDS):
            quiet = wrk(WRITER_PAGE)
            writers, saves = with_an_editor_saving(WRITER_PAGE)
            rounds.append((quiet, writers, saves))
        scores = []
        if LIGHTHOUSE_RUNS:
            if not LIGHTHOUSE.exists():
                raise SystemExit("Lighthouse is missing: `make bench` installs it (npm ci)")
            for name, path, status in types:
                if status == 200:  # Lighthouse refuses to score an error page
                    scores.append((name, path, lighthouse(path)))
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
    lines += [
        "",
        f"With writers: {CONNECTIONS} readers on `{WRITER_PAGE}` and one editor saving a figure "
        f"in the admin every second for {SECONDS} s (each save makes every cached page stale), "
        f"each round right after {SECONDS} s of the same readers without the editor:",
        "",
        "| round | req/s without | p99 without | req/s with the editor | p50 | p99 | errors "
        "| saves (saved) | slowest save | p99 with / without |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios = []
    for n, (quiet, writers, saves) in enumerate(rounds, 1):
        ok = sum(1 for status, _ in saves if status == 302)
        slowest = max((seconds for _, seconds in saves), default=0)
        ratios.append(milliseconds(writers["p99"]) / milliseconds(quiet["p99"]))
        lines.append(
            f"| {n} | {quiet['rps']:,.0f} | {quiet['p99']} | {writers['rps']:,.0f} "
            f"| {writers['p50']} | {writers['p99']} | {quiet['errors'] + writers['errors']} "
            f"| {len(saves)} ({ok}) | {slowest:.2f} s | {ratios[-1]:.1f} |"
        )
    lines += [
        "",
        f"Median of the rounds: p99 with the editor {median(ratios):.1f}× the p99 without.",
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
    lines += [
        "",
        "## Uncached render and SQL queries at 1×, 20× and 100× the data",
        "",
        "Every result again for 19 and 99 more fiscal years; page cache cleared before each "
        f"render; median of {RENDER_REPEATS} renders (Django test client, DEBUG off, SQLite). "
        "Pages whose content grows with the years (project and indicator pages draw every "
        "year) may take longer; the others must not.",
        "",
        "| page | queries 1× | 20× | 100× | ms 1× | 20× | 100× |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, _ in types:
        row = renders.get(path, {})
        cells = [str(row.get(f, ("?",))[0]) for f in SCALES]
        cells += [f"{row[f][1]:.1f}" if f in row else "?" for f in SCALES]
        lines.append(f"| {name} `{path}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Charts drawn on the server",
        "",
        f"From cold (`render_charts --crawl`, every page of the sitemap): {cold['summary']}; "
        f"{cold['seconds']:.1f} s in all, peak memory {cold['peak_mib']:,.0f} MiB "
        "(the renderer and its Chromium, the whole process tree).",
        "",
        f"After one figure changed (`p2-mirai-challenge-budget`): {again['summary']}; "
        f"{again['seconds']:.1f} s, peak {again['peak_mib']:,.0f} MiB.",
    ]
    lines += [
        "",
        f"First chart, headless Chromium at 412×823 with no input, fresh profile, median of "
        f"{FIRST_CHART_RUNS} runs; the peer dashboard's {PEER_FIRST_CHART_MS:,} ms is the figure "
        "issue 21 recorded (its site was not rebuilt for this run):",
        "",
        "| page | first chart painted | first contentful paint | in the first paint | × the peer |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, path, m in first_charts:
        lines.append(
            f"| {name} `{path}` | {m['chart']:,.0f} ms | {m['paint']:,.0f} ms | "
            f"{m['first']} of {FIRST_CHART_RUNS} | {m['chart'] / PEER_FIRST_CHART_MS:.2f} |"
        )
    total = sum(transfer.values())
    lines += [
        "",
        "First visit to `/projects/kitanomegumi/`, its first charts' pictures included, "
        "compressed bytes: "
        + ", ".join(f"{k} {v:,}" for k, v in transfer.items())
        + f" — total {total:,} ({total / 1024:,.1f} KiB)",
    ]
    if scores:
        lines += [
            "",
            f"## Lighthouse 12 (mobile preset, simulated throttling), median of {LIGHTHOUSE_RUNS} runs",
            "",
            "| page | performance | accessibility | best practices | SEO | LCP | TBT | CLS | bytes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, path, m in scores:
            lines.append(
                f"| {name} `{path}` | {m['performance']} | {m['accessibility']} | "
                f"{m['best-practices']} | {m['seo']} | {m['LCP'] / 1000:.2f} s | "
                f"{m['TBT']:.0f} ms | {m['CLS']:.3f} | {m['bytes'] / 1024:,.1f} KiB |"
            )
    lines += [
        "",
        "Targets: cached page ≥ 80% of the static twin's req/s; ≤ 10 queries per uncached page, "
        "the same at 20× and 100×; 0 errors; first visit ≤ 60 KiB with the first charts' "
        "pictures; the first chart in the first paint, at ≤ 0.3× the peer's time; "
        "Lighthouse performance ≥ 98 "
        "on every page type, accessibility, best practices and SEO 100, LCP ≤ 1.5 s and "
        "TBT ≤ 100 ms on project pages; with an editor saving every second, 0 errors and "
        "p99 at most twice the p99 without writers (the median of the rounds).",
    ]
    report = "\n".join(lines) + "\n"
    (OUT / "REPORT.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
