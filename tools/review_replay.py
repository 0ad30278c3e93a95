"""`make review-replay`: the outside security review's findings, replayed against
the production stack now; writes bench/REVIEW.md with what this run measured.

A fresh site (migrate, the seed, collectstatic, an administrator as the editor)
in a temporary directory, served by gunicorn with the default worker count
(as `make serve`), DEBUG off, a SQLite file and the file cache; the login
findings on a second run with DJANGO_PROXY_COUNT=1. The server's TMPDIR is a
folder of this run, so the import's temporary files can be counted. Nothing
is mocked and no figure is written down in advance: every cell of the report
is what the run saw. Only 127.0.0.1, on a port of 8140-8149
(REVIEW_PORT chooses the first one tried). Not a test: it fails on nothing,
it reports.
"""

import os
import pickletools
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.production.live import (  # noqa: E402
    HOST,
    Browser,
    Server,
    build_site,
    form_fields,
    production_env,
)
from tests.production.test_faults import result_pk, stored_value, write_lock  # noqa: E402
from tools.bench import wrk  # noqa: E402  (the load test's wrk runner)

OUT = ROOT / "bench" / "REVIEW.md"
PORTS = range(8140, 8150)
EDITOR = ("review-editor", secrets.token_urlsafe(16))
SLUG = "p1-marriage-support-consultations"
PROJECT_PAGE = "/projects/sumairu/"
IMPORT_URL = "/admin/indicators/result/import/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STARTED = time.monotonic()


def say(text):
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)


# The environment --------------------------------------------------------------


def clean_environment():
    """No setting of the caller's shell leaks into the runs: the defaults, as `make serve`."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "GUNICORN_", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")):
            del os.environ[name]


def free_ports():
    first = int(os.environ.get("REVIEW_PORT", PORTS.start))
    ports = []
    for port in [first, *PORTS]:
        if port not in PORTS or port in ports:
            continue
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) != 0:
                ports.append(port)
    if len(ports) < 2:
        raise SystemExit("fewer than two free ports in 8140-8149")
    return ports


def booted_workers(server, seconds=3) -> int:
    """How many workers gunicorn runs once started (the most seen over a few seconds)."""
    most, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        most = max(most, len(server.worker_pids()))
        time.sleep(0.25)
    return most


def copy_database(source, target):
    a, b = sqlite3.connect(source), sqlite3.connect(target)
    a.backup(b)
    a.close()
    b.close()
    return target


def shell(env, code):
    """`manage.py shell -c` with the server's environment: another process."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def command_output(*args):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True).stdout.strip()


# Pages ------------------------------------------------------------------------


class _ListItems(HTMLParser):
    """The text of each <li> of <ul class="errorlist"> and <ul class="messagelist">."""

    CLASSES = {"errorlist", "messagelist"}

    def __init__(self):
        super().__init__()
        self.depth, self.current, self.items = 0, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "ul":
            classes = set((dict(attrs).get("class") or "").split())
            if self.depth or classes & self.CLASSES:
                self.depth += 1
        elif tag == "li" and self.depth and self.current is None:
            self.current = []

    def handle_endtag(self, tag):
        if tag == "li" and self.current is not None:
            text = " ".join("".join(self.current).split())
            if text:
                self.items.append(text)
            self.current = None
        elif tag == "ul" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def messages(html: str) -> list[str]:
    parser = _ListItems()
    parser.feed(html)
    return parser.items


class _TableRows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_body, self.rows = 0, 0

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body += 1
        elif tag == "tr" and self.in_body:
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "tbody" and self.in_body:
            self.in_body -= 1


def body_rows(html: str) -> int:
    parser = _TableRows()
    parser.feed(html)
    return parser.rows


class _Options(HTMLParser):
    def __init__(self, name):
        super().__init__()
        self.name, self.inside, self.current, self.options = name, False, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "select" and dict(attrs).get("name") == self.name:
            self.inside = True
        elif tag == "option" and self.inside:
            self.current = []

    def handle_endtag(self, tag):
        if tag == "option" and self.current is not None:
            self.options.append("".join(self.current).strip())
            self.current = None
        elif tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def select_options(html: str, name: str) -> list[str]:
    parser = _Options(name)
    parser.feed(html)
    return parser.options


def confirm_form(html: str):
    """The 取り込む form of a preview: (its action, the fields it posts), or None."""
    found = re.search(r'<form[^>]*action="([^"]*process_import[^"]*)"[^>]*>.*?</form>', html, re.S)
    if not found:
        return None
    return found.group(1), form_fields(found.group(0))


def quoted(items) -> str:
    return "; ".join(f"「{item}」" for item in items) if items else "(no message)"


def kb(size) -> str:
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.2f} MB"


def counts(statuses) -> str:
    """5× 200, 11× 429: how many answers of each status."""
    return ", ".join(f"{n}× {status}" for status, n in sorted(Counter(statuses).items(), key=str))


def yes(flag) -> str:
    return "yes" if flag else "no"


# A browser that uploads, and one behind a forging proxy -----------------------------


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """multipart/form-data: fields {name: value}, files {name: (filename, bytes, type)}."""
    boundary = "----review-replay-" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, (filename, data, kind) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}";'
            f' filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Editor(Browser):
    """tests.production.live.Browser, able to post a file (as Browser._send posts a form)."""

    def send(self, method, path, body, content_type, timeout=180):
        headers = {"Content-Type": content_type, "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        response = self.server.request(method, path, body=body, headers=headers, timeout=timeout)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response

    def upload(self, filename, data, kind):
        """Step 1 of the import, as tests/editors/conftest.py `upload` posts it."""
        token = self.csrf(self.get(IMPORT_URL).body.decode())
        body, content_type = multipart(
            {"csrfmiddlewaretoken": token, "resource": "0", "format": ""},
            {"import_file": (filename, data, kind)},
        )
        return self.send("POST", IMPORT_URL, body, content_type)

    def save(self, pk, value, reason="レビュー再現"):
        """Browser.change_result, telling the form's answer from the save's."""
        path = f"/admin/indicators/result/{pk}/change/"
        started = time.monotonic()
        outcome = {"get": None, "post": None, "location": None, "retry_after": None}
        try:
            page = self.get(path)
            outcome["get"] = page.status
            answer = page
            if page.status == 200:
                data = form_fields(page.body.decode())
                data.update({"value": str(value), "change_reason": reason})
                answer = self.post(path, data)
                outcome["post"] = answer.status
                outcome["location"] = answer.getheader("Location")
            outcome["retry_after"] = answer.getheader("Retry-After")
        except OSError as error:
            outcome["error"] = type(error).__name__
        outcome["seconds"] = time.monotonic() - started
        return outcome


def saved(outcome) -> bool:
    """Answered with the redirect to the results' list: the save went through."""
    location = urlsplit(outcome["location"] or "").path
    return outcome["post"] == 302 and location == "/admin/indicators/result/"


class Forwarded:
    """The server as seen through one proxy that received the request from `address`."""

    def __init__(self, server, address):
        self.server, self.address = server, address

    def request(self, method, path, body=None, headers=None, timeout=30):
        headers = {**(headers or {}), "X-Forwarded-For": self.address}
        return self.server.request(method, path, body=body, headers=headers, timeout=timeout)


def login_form(server, address=None):
    browser = Browser(Forwarded(server, address) if address else server)
    return browser, browser.csrf(browser.get("/admin/login/").body.decode())


def attempt(browser, token, username, password):
    started = time.monotonic()
    answer = browser.post(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
    )
    return answer, time.monotonic() - started


# Memory of the workers -------------------------------------------------------------


def worker_pids(server) -> list[int]:
    master = server.process.pid
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return server.worker_pids()


def rss_kb(pid) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def stored_expiry(key_file: Path) -> float | None:
    """The expiry Django's file cache wrote at the head of a key's file (a
    pickled float, or None for never), read by decoding the pickle's opcodes
    with pickletools, which runs none of them, instead of unpickling."""
    for opcode, argument, _ in pickletools.genops(key_file.read_bytes()):
        if opcode.name == "NONE":
            return None
        if opcode.name in ("BINFLOAT", "FLOAT", "BININT", "BININT1", "BININT2", "LONG1"):
            return float(argument)
    raise ValueError(f"{key_file}: no expiry at the head of the file")


def total_rss_mb(server) -> float:
    return sum(rss_kb(pid) for pid in server.worker_pids()) / 1024


class PeakRSS:
    """The largest worker's resident memory, polled every 50 ms while in the block."""

    def __init__(self, server):
        self.server, self.peak, self.stop = server, 0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.poll, daemon=True)
        self.thread.start()
        return self

    def poll(self):
        while not self.stop.is_set():
            for pid in worker_pids(self.server):
                self.peak = max(self.peak, rss_kb(pid))
            self.stop.wait(0.05)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    @property
    def mb(self):
        return self.peak / 1024


# Spreadsheets ------------------------------------------------------------------


def column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline(text, reference="") -> str:
    """A cell: a number as a number, anything else as an inline string."""
    where = f' r="{reference}"' if reference else ""
    if re.fullmatch(r"\d+", str(text)):
        return f"<c{where}><v>{text}</v></c>"
    return f'<c{where} t="inlineStr"><is><t>{escape(str(text))}</t></is></c>'


def rewrite_sheet(base: Path, path: Path, write_sheet):
    """A copy of the workbook `base` (written by openpyxl) whose first sheet's XML
    is written, streamed, by write_sheet(handle)."""
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info.filename))
        with target.open(SHEET, "w") as handle:
            write_sheet(handle)
    return path


def sheet_start(headers) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{SHEET_NS}"><sheetData>'
        f'<row r="1">{"".join(inline(h) for h in headers)}</row>'
    ).encode()


SHEET_END = b"</sheetData></worksheet>"


def identical_rows(base, path, headers, row, n):
    """n rows, all the same (no row or cell references, as a script would write them)."""
    cells = "".join(inline(cell) if cell != "" else "<c/>" for cell in _trim(row))
    row = f"<row>{cells}</row>".encode()
    batch = row * 10_000

    def write(handle):
        handle.write(sheet_start(headers))
        for _ in range(n // 10_000):
            handle.write(batch)
        handle.write(row * (n % 10_000))
        handle.write(SHEET_END)

    return rewrite_sheet(base, path, write)


def _trim(cells):
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def one_huge_cell(base, path, headers, row, note_column, chars):
    """One row whose 注記 cell is `chars` characters long."""
    head = "".join(
        inline(value, f"{column(i)}2") for i, value in enumerate(row[:note_column]) if value != ""
    ).encode()
    chunk = b"A" * 1_000_000

    def write(handle):
        handle.write(sheet_start(headers))
        handle.write(b'<row r="2">' + head)
        handle.write(f'<c r="{column(note_column)}2" t="inlineStr"><is><t>'.encode())
        for _ in range(chars // len(chunk)):
            handle.write(chunk)
        handle.write(b"A" * (chars % len(chunk)))
        handle.write(b"</t></is></c></row>" + SHEET_END)

    return rewrite_sheet(base, path, write)


def unpacked_size(path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


# The findings ------------------------------------------------------------------


def replay_logins(server):
    """1. Logins behind one proxy (DJANGO_PROXY_COUNT=1, X-Forwarded-For)."""
    rows = []
    name, password = EDITOR
    wrong = []
    for n in range(5):
        browser, token = login_form(server, f"203.0.113.{n + 1}")
        wrong.append(attempt(browser, token, name, f"wrong-{n}")[0].status)
    browser, token = login_form(server, "198.51.100.6")
    right, _ = attempt(browser, token, name, password)
    rows.append(
        (
            "5 wrong passwords for the editor, each from another forwarded address"
            " (203.0.113.1–5), then the right one from a sixth (198.51.100.6)",
            f"the 5 wrong: {counts(wrong)}; the right one: **{right.status}**"
            + (" (signed in)" if right.status == 302 else ""),
        )
    )

    sprayer = "203.0.113.50"
    browser, token = login_form(server, sprayer)
    statuses, seconds, refused = [], [], None
    for n in range(30):
        answer, took = attempt(browser, token, f"sprayed{n:02d}", "Summer2024!")
        statuses.append(answer.status)
        seconds.append(took)
        if answer.status != 200 and refused is None:
            refused = answer
    before = next((i for i, s in enumerate(statuses) if s != 200), len(statuses))
    locked_text = ""
    if refused is not None:
        found = re.search(r"<h1>(.*?)</h1>", refused.body.decode(), re.S)
        if found:
            locked_text = (
                f"; the first {refused.status} page's heading: 「{found.group(1).strip()}」"
            )
    rows.append(
        (
            f"one wrong password over 30 usernames from one address ({sprayer})",
            f"{before} answered with the login form (200) before the first other answer; "
            f"all 30: {counts(statuses)}; mean {sum(seconds) / len(seconds):.2f} s per attempt"
            + locked_text,
        )
    )
    browser, token = login_form(server, sprayer)
    from_sprayer = attempt(browser, token, name, password)[0].status
    browser, token = login_form(server, "198.51.100.8")
    elsewhere = attempt(browser, token, name, password)[0].status
    rows.append(
        (
            "then the editor's right password from the spraying address, and from another",
            f"from {sprayer}: {from_sprayer}; from 198.51.100.8: {elsewhere}",
        )
    )
    return rows


def upload_measured(server, editor, filename, data, kind):
    with PeakRSS(server) as memory:
        started = time.monotonic()
        try:
            answer = editor.upload(filename, data, kind)
            error = None
        except OSError as failure:
            answer, error = None, type(failure).__name__
        seconds = time.monotonic() - started
    if answer is None:
        return f"no answer ({error}) after {seconds:.1f} s; peak worker RSS {memory.mb:,.0f} MB"
    html = answer.body.decode(errors="replace")
    preview = "; a preview offering 取り込む" if confirm_form(html) else ""
    return (
        f"**{answer.status}** in {seconds:.2f} s, {kb(len(answer.body))}, "
        f"peak worker RSS {memory.mb:,.0f} MB{preview}; {quoted(messages(html))}"
    )


def import_files(directory: Path) -> list[str]:
    return sorted(os.listdir(directory)) if directory.exists() else []


def replay_uploads(server, editor, work, import_dir, database):
    """2. Uploads, signed in as the editor."""
    from tests.editors.conftest import HEADERS, sheet_row, write_csv, write_xlsx

    rows = []
    base = write_xlsx(work / "base.xlsx", [sheet_row(SLUG, 2019, "1")])
    row = sheet_row(SLUG, 2019, "1")

    say("2a: the zip bomb")
    bomb = one_huge_cell(
        base, work / "bomb.xlsx", HEADERS, row, HEADERS.index("注記"), 1_500_000_000
    )
    rows.append(
        (
            f"a. XLSX of {kb(bomb.stat().st_size)} whose 注記 cell holds "
            f"{1_500_000_000:,} characters (unpacks to {kb(unpacked_size(bomb))})",
            upload_measured(server, editor, "bomb.xlsx", bomb.read_bytes(), XLSX_TYPE)
            + f"; files left in the import directory: {len(import_files(import_dir))}",
        )
    )
    bomb.unlink()

    for letter, n in (("b", 200_000), ("c", 3_000_000)):
        say(f"2{letter}: {n:,} rows")
        path = identical_rows(base, work / f"rows-{n}.xlsx", HEADERS, row, n)
        rows.append(
            (
                f"{letter}. XLSX of {kb(path.stat().st_size)} with {n:,} identical rows "
                f"(unpacks to {kb(unpacked_size(path))})",
                upload_measured(server, editor, path.name, path.read_bytes(), XLSX_TYPE)
                + f"; files left in the import directory: {len(import_files(import_dir))}",
            )
        )
        path.unlink()

    say("2d: a 100,000-row preview and anonymous readers")
    path = identical_rows(base, work / "rows-100000.xlsx", HEADERS, row, 100_000)
    data = path.read_bytes()
    answers, spans = [], []
    upload_span = {}

    def read(k):
        for n in range(65):
            started = time.monotonic()
            try:
                status = server.get(f"/search/?q=replay-d-{k}-{n}-{secrets.token_hex(4)}").status
            except OSError as error:
                status = type(error).__name__
            answers.append(status)
            spans.append((started, time.monotonic()))

    readers = [threading.Thread(target=read, args=(k,)) for k in range(2)]
    result = {}

    def up():
        upload_span["start"] = time.monotonic()
        result["text"] = upload_measured(server, editor, path.name, data, XLSX_TYPE)
        upload_span["end"] = time.monotonic()

    uploader = threading.Thread(target=up)
    uploader.start()
    for reader in readers:
        reader.start()
    for thread in [uploader, *readers]:
        thread.join()
    overlapping = sum(
        1 for start, end in spans if start < upload_span["end"] and end > upload_span["start"]
    )
    rows.append(
        (
            f"d. XLSX of {kb(len(data))} with 100,000 rows (unpacks to {kb(unpacked_size(path))}),"
            f" while {len(answers)} anonymous uncached requests (/search/?q=…, 2 threads)"
            " are sent",
            f"the upload: {result['text']}. The {len(answers)} requests: {counts(answers)}"
            f" ({overlapping} of them in flight during the upload)",
        )
    )
    path.unlink()

    say("2g: a NUL byte in 内訳")
    nul = write_csv(work / "nul.csv", [sheet_row(SLUG, 2019, "1", 内訳="学生\x00コース")])
    rows.append(
        (
            "g. CSV with a NUL byte in 内訳 (学生\\x00コース)",
            upload_measured(server, editor, "nul.csv", nul.read_bytes(), "text/csv")
            + f"; files left in the import directory: {len(import_files(import_dir))}",
        )
    )

    say("2e: 20 abandoned previews")
    good = write_csv(work / "good.csv", [row]).read_bytes()
    previews = 0
    for _ in range(20):
        answer = editor.upload("good.csv", good, "text/csv")
        previews += answer.status == 200 and confirm_form(answer.body.decode()) is not None
    left = import_files(import_dir)
    rows.append(
        (
            "e. 20 previews of a valid 1-row CSV (same session), none confirmed",
            f"{previews} of 20 answered with a preview; files left in the import directory: "
            f"**{len(left)}**",
        )
    )

    say("2f: the confirm step with made-up names")
    answer = editor.upload("good.csv", good, "text/csv")
    action, fields = confirm_form(answer.body.decode())
    rows.append(
        (
            "f. the confirm form's fields now",
            ", ".join(f"`{name}`" for name in fields),
        )
    )
    marker = f"VICTIM-{secrets.token_hex(6)}"
    victim_row = sheet_row(SLUG, 2019, "7", 注記=marker)
    victims = {
        "does-not-exist": None,
        "../x": import_dir.parent / "x",
        "victim.csv": import_dir / "victim.csv",
        "0123456789abcdef0123456789abcdef": import_dir / "0123456789abcdef0123456789abcdef",
    }
    for target in victims.values():
        if target is not None:
            write_csv(target, [victim_row])
    before = count_results(database)
    for name, target in victims.items():
        posted = editor.post(action, {**fields, "import_file_name": name})
        location = posted.getheader("Location") or ""
        target_path = urlsplit(location)._replace(scheme="", netloc="").geturl()
        followed = editor.get(target_path) if posted.status == 302 and location else None
        bodies = posted.body.decode() + (followed.body.decode() if followed else "")
        shown = quoted(messages(followed.body.decode())) if followed else ""
        kind = (
            "a name of no file"
            if target is None
            else f"a file put at $TMPDIR/{target.relative_to(import_dir.parent)}"
        )
        rows.append(
            (
                f"f. 取り込む posted with `import_file_name={name}` ({kind})",
                f"**{posted.status}**"
                + (f" → {location}" if location else "")
                + (f", then {followed.status}: {shown}" if followed else "")
                + (
                    f"; the file still exists: {yes(target.exists())}; "
                    f"its content shown: {yes(marker in bodies)}"
                    if target is not None
                    else ""
                ),
            )
        )
    after = count_results(database)
    rows.append(("f. results in the database before/after these posts", f"{before} / {after}"))
    for target in victims.values():
        if target is not None and target.exists():
            target.unlink()
    return rows


def count_results(database) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM indicators_result").fetchone()[0]


def replay_concurrent_writes(server, editors, database):
    """3. SQLite under concurrent writes."""
    rows = []
    first = result_pk(database)
    with sqlite3.connect(database) as connection:
        (other,) = connection.execute(
            "SELECT id FROM indicators_result WHERE id != ? ORDER BY id LIMIT 1", (first,)
        ).fetchone()
    outcomes = {first: [], other: []}
    last = {first: 5000 + 55, other: 6000 + 55}

    def save(editor, pk, start):
        for n in range(56):
            outcomes[pk].append(editor.save(pk, start + n))

    say("3a: two editors saving 56 times each")
    threads = [
        threading.Thread(target=save, args=(editors[0], first, 5000)),
        threading.Thread(target=save, args=(editors[1], other, 6000)),
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    every = outcomes[first] + outcomes[other]
    not_302 = [o for o in every if o["post"] != 302]
    not_saved = [o for o in every if not saved(o)]
    stored = [stored_value(database, pk) == last[pk] for pk in (first, other)]
    rows.append(
        (
            f"two editors (two sessions) each saving a different result 56 times at once"
            f" (results {first} and {other})",
            f"non-302 answers: **{len(not_302)}** of {len(every)}"
            + (f" ({counts(describe(o) for o in not_302)})" if not_302 else "")
            + f"; answers other than a redirect to the list: {len(not_saved)}; "
            f"both last values stored: {yes(all(stored))}; {took:.1f} s in all",
        )
    )

    say("3b: a login flood of 169 attempts from 4 threads")
    flood = []

    def attempts(k, n):
        browser, token = login_form(server)
        for i in range(n):
            try:
                answer, _ = attempt(browser, token, f"flood{k}-{i}", "guess")
                flood.append(answer.status)
            except OSError as error:
                flood.append(type(error).__name__)

    shares = [43, 42, 42, 42]
    threads = [threading.Thread(target=attempts, args=(k, n)) for k, n in enumerate(shares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [s for s in flood if not isinstance(s, int) or s >= 500]
    rows.append(
        (
            f"a login flood: {len(flood)} wrong-password attempts from 4 threads (all 127.0.0.1)",
            f"5xx or no answer: **{len(errors)}**; all: {counts(flood)}",
        )
    )

    say("3c: a 45 s write lock from another process")
    readers, save_outcome, stop = [], {}, threading.Event()

    def read():
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = server.get(f"/search/?q=replay-lock-{n}-{secrets.token_hex(4)}")
                readers.append(
                    (answer.status, time.monotonic() - started, answer.getheader("Retry-After"))
                )
            except OSError as error:
                readers.append((type(error).__name__, time.monotonic() - started, None))
            n += 1
            stop.wait(max(0.0, 0.5 - (time.monotonic() - started)))

    def save_in_the_middle():
        time.sleep(20)
        save_outcome.update(editors[0].save(first, 7777, reason="ロック中の保存"))

    reader = threading.Thread(target=read)
    saver = threading.Thread(target=save_in_the_middle)
    with write_lock(database):
        reader.start()
        saver.start()
        time.sleep(45)
        stop.set()
        reader.join()
        saver.join()
    retried = editors[0].save(first, 7778, reason="ロック後の保存")
    busy = {str(r[2]) for r in readers if r[0] == 503}
    if save_outcome.get("retry_after") is not None or describe(save_outcome).endswith("503"):
        busy.add(str(save_outcome.get("retry_after")))
    busy = sorted(busy)
    rows.append(
        (
            "a 45 s exclusive write lock from another process (BEGIN EXCLUSIVE on the file);"
            " an uncached public page (/search/?q=…) every 0.5 s",
            f"{len(readers)} reads: {counts(r[0] for r in readers)}; "
            f"slowest {max(r[1] for r in readers):.2f} s",
        )
    )
    rows.append(
        (
            "one editor save 20 s into the lock",
            f"{describe(save_outcome)} after {save_outcome['seconds']:.1f} s; "
            f"Retry-After of the 503s: {', '.join(busy) if busy else '(no 503)'}; "
            f"the same save after the lock: {describe(retried)}",
        )
    )
    return rows


def describe(outcome) -> str:
    if "error" in outcome:
        return f"no answer ({outcome['error']})"
    if outcome["get"] != 200:
        return f"form {outcome['get']}"
    return f"save {outcome['post']}"


def replay_bad_input(server):
    """4. Bad input."""
    rows = []
    evil = {"Host": "evil.example"}
    answer = server.request("GET", "/", headers=evil)
    rows.append(("GET / with `Host: evil.example`", f"**{answer.status}**"))
    first = server.get(PROJECT_PAGE).status
    answer = server.request("GET", PROJECT_PAGE, headers=evil)
    rows.append(
        (
            f"GET {PROJECT_PAGE}, cached (a normal GET first: {first}), with the bad Host",
            f"**{answer.status}**",
        )
    )
    for value in ("-1", "100000"):
        answer = server.get(f"/indicators/?per_page={value}")
        rows.append(
            (
                f"/indicators/?per_page={value}",
                f"**{answer.status}**, {body_rows(answer.body.decode())} table body rows",
            )
        )
    return rows


UNIQUE_QUERIES = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
function request()
  counter = counter + 1
  return wrk.format(nil, "%s?q=replay-" .. tid .. "-" .. counter)
end
"""


def replay_page_cache(server, env, work, database):
    """5. The page cache."""
    rows = []
    server.get(PROJECT_PAGE)
    say("5: wrk without a cookie")
    plain = wrk(PROJECT_PAGE, seconds=10, port=server.port)
    say("5: wrk with a made-up session cookie")
    cookie = wrk(
        PROJECT_PAGE,
        seconds=10,
        headers={"Cookie": "sessionid=made-up-0123456789abcdefghij"},
        port=server.port,
    )
    rows.append(
        (
            f"wrk, 2 threads, 50 connections, 10 s on {PROJECT_PAGE}, no cookie",
            f"**{plain['rps']:,.0f} req/s** ({plain['requests']:,} requests, "
            f"{plain['errors']} errors)",
        )
    )
    rows.append(
        (
            "the same with `Cookie: sessionid=made-up-0123456789abcdefghij`",
            f"**{cookie['rps']:,.0f} req/s** ({cookie['requests']:,} requests, "
            f"{cookie['errors']} errors)",
        )
    )
    script = work / "unique-queries.lua"
    script.write_text(UNIQUE_QUERIES % PROJECT_PAGE)
    before = total_rss_mb(server)
    say("5: wrk with a new query string each request")
    unique = wrk(PROJECT_PAGE, seconds=10, script=script, port=server.port)
    after = total_rss_mb(server)
    rows.append(
        (
            f"the same, every request a new query string ({PROJECT_PAGE}?q=…)",
            f"{unique['rps']:,.0f} req/s ({unique['requests']:,} requests, "
            f"{unique['errors']} errors); workers' RSS in all: **{before:,.0f} MB before, "
            f"{after:,.0f} MB after**",
        )
    )

    key_file = shell(
        env,
        "from django.core.cache import caches; "
        "print(caches['default']._key_to_file('pages:generation'))",
    )
    expiry = stored_expiry(Path(key_file))
    stored = (
        "never" if expiry is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(expiry))
    )
    rows.append(("the stored expiry of the generation key `pages:generation`", f"**{stored}**"))

    pk = result_pk(database)
    value = 54321
    page = server.get(PROJECT_PAGE).body.decode()
    shown_before = f"{value:,}" in page
    shell(
        env,
        "from indicators.models import Result; "
        f"r = Result.objects.get(pk={pk}); r.value = {value}; r.save(); print(r.status)",
    )
    page = server.get(PROJECT_PAGE).body.decode()
    rows.append(
        (
            f"result {pk} (published, on {PROJECT_PAGE}) set to {value} from another process "
            "(manage.py shell: ORM save())",
            f"the very next GET shows {value:,}: **{yes(f'{value:,}' in page)}** "
            f"(shown before the change: {yes(shown_before)})",
        )
    )
    return rows


def replay_draft_year(server, env):
    """6. A draft's fiscal year in the public filter."""
    year = 2019
    label = f"{year}年度"
    before = label in select_options(server.get("/indicators/").body.decode(), "fiscal_year")
    out = shell(
        env,
        "from indicators.models import Indicator, Result\n"
        "from indicators.services import create_result\n"
        f"indicator = Indicator.objects.exclude(results__fiscal_year={year}).order_by('pk').first()\n"
        f"r = create_result(Result(indicator=indicator, fiscal_year={year}, value=1,"
        " status='draft'), reason='review replay')\n"
        "print(indicator.slug, r.pk, r.status)",
    )
    slug, pk, status = out.split()
    options = select_options(server.get("/indicators/").body.decode(), "fiscal_year")
    return [
        (
            f"a {status} result ({pk}) for {label} of `{slug}`, which had no {year} figure,"
            " added through manage.py shell (services.create_result)",
            f"/indicators/ offers {label} in its year filter: **{yes(label in options)}** "
            f"(before: {yes(before)}); the options: {', '.join(options)}",
        )
    ]


def replay_headers(server):
    """7. Headers."""
    home = server.get("/")
    names = {name.lower() for name, _ in home.getheaders()}
    missing = server.get("/no-such-page/")
    reset = server.get("/accounts/password_reset/")
    return [
        ("GET /: Permissions-Policy", f"`{home.getheader('Permissions-Policy')}`"),
        (
            "GET /: Cross-Origin-Resource-Policy",
            f"`{home.getheader('Cross-Origin-Resource-Policy')}`",
        ),
        (
            "GET /: Server, X-Page-Cache",
            f"Server present: {yes('server' in names)}; "
            f"X-Page-Cache present: {yes('x-page-cache' in names)}",
        ),
        (
            "GET /no-such-page/",
            f"**{missing.status}**, Cache-Control `{missing.getheader('Cache-Control')}`",
        ),
        ("GET /accounts/password_reset/", f"**{reset.status}**"),
    ]


def log_summary(*logs) -> list[tuple[str, str]]:
    rows = []
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = {
            "Traceback": text.count("Traceback"),
            "Internal Server Error": text.count("Internal Server Error"),
            "database busy": text.count("database busy"),
            "hard timeout": text.count("hard timeout"),
            "WORKER TIMEOUT": text.count("WORKER TIMEOUT"),
        }
        rows.append((f"`{log.name}`", ", ".join(f"{k}: {v}" for k, v in found.items())))
        for before, error in tracebacks(text):
            rows.append((f"`{log.name}`: a traceback after `{before}`", f"`{error}`"))
    return rows


def tracebacks(text) -> list[tuple[str, str]]:
    """Each traceback of a log: the line before it, and the exception it ends with."""
    lines, found = text.splitlines(), []
    for n, line in enumerate(lines):
        if not line.startswith("Traceback"):
            continue
        end = n + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        before = lines[n - 1].strip() if n else ""
        found.append((before[:200], lines[end].strip()[:300] if end < len(lines) else "?"))
    return found


def traceback_blocks(text) -> str:
    """The tracebacks of a log in full, for the console."""
    blocks, lines = [], text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("Traceback"):
            blocks.append("\n".join(lines[max(0, n - 2) : n + 60]))
    return "\n...\n".join(blocks)


# The report --------------------------------------------------------------------


def table(title, rows, heads=("what was sent", "answer now")) -> str:
    lines = [f"## {title}", "", f"| {heads[0]} | {heads[1]} |", "|---|---|"]
    for sent, answer in rows:
        lines.append(f"| {cell(sent)} | {cell(answer)} |")
    return "\n".join(lines) + "\n"


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    clean_environment()
    work = Path(tempfile.mkdtemp(prefix="review-replay-"))
    servers = []
    try:
        return run(work, servers)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(work, servers):
    ports = free_ports()
    built = work / "built.sqlite3"
    say("building the site (migrate, seed, collectstatic, the editor)")
    build_site(production_env(built, work / "build-cache"), editor=EDITOR)
    # This process reads spreadsheets with the tests' helpers (Django's apps loaded).
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
            "DATABASE_URL": f"sqlite:///{built}",
            "DJANGO_CACHE_URL": f"file://{work / 'tool-cache'}",
        }
    )
    import django

    django.setup()
    logs = []

    say("1: logins behind one proxy")
    proxy_db = copy_database(built, work / "proxy.sqlite3")
    proxy_log = work / "gunicorn-proxy-count-1.log"
    logs.append(proxy_log)
    proxy = Server(
        production_env(proxy_db, work / "proxy-cache", DJANGO_PROXY_COUNT=1),
        port=ports[1],
        log=proxy_log,
    )
    servers.append(proxy.start())
    logins = replay_logins(proxy)
    proxy.stop()

    database = copy_database(built, work / "main.sqlite3")
    tmp = work / "tmp"
    tmp.mkdir()
    import_dir = tmp / "strategy-portal-imports"
    env = production_env(database, work / "cache", TMPDIR=tmp)
    main_log = work / "gunicorn.log"
    logs.append(main_log)
    server = Server(env, port=ports[0], log=main_log)
    say("starting gunicorn with the default worker count")
    servers.append(server.start())
    workers = booted_workers(server)
    editors = [Editor(server).log_in(*EDITOR) for _ in range(2)]  # before the login flood

    say("2: uploads")
    uploads = replay_uploads(server, editors[0], work, import_dir, database)
    say("4: bad input")
    bad_input = replay_bad_input(server)
    say("7: headers")
    headers = replay_headers(server)
    say("6: a draft year")
    draft = replay_draft_year(server, env)
    say("5: the page cache")
    cache = replay_page_cache(server, env, work, database)
    say("3: concurrent writes")
    writes = replay_concurrent_writes(server, editors, database)
    server.stop()

    seconds = time.monotonic() - STARTED
    porcelain = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    dirty = [line[3:] for line in porcelain.splitlines() if line.strip()]
    report = "\n".join(
        [
            "# The security review, replayed",
            "",
            f"Run on {command_output('date')} by `tools/review_replay.py` (`make review-replay`), "
            f"{seconds:.0f} s, on a {os.cpu_count()}-core machine, at commit "
            f"{command_output('git', 'rev-parse', '--short', 'HEAD')}"
            + (f" (uncommitted changes: {', '.join(dirty)})" if dirty else "")
            + ". A fresh site (migrate, the seed, collectstatic, an administrator as the editor) "
            f"in a temporary directory, served by gunicorn with the default worker count "
            f"({workers} workers, as `make serve`), DEBUG off, a SQLite file and the file cache, "
            f"on 127.0.0.1:{ports[0]}; finding 1 on a second run with DJANGO_PROXY_COUNT=1 "
            f"(127.0.0.1:{ports[1]}), on its own copy of the database. The server's TMPDIR was "
            "a folder of the run, so the import directory is "
            "`$TMPDIR/strategy-portal-imports`. Nothing is mocked; every figure below was "
            "measured by this run (findings 2–7 in the order 2, 4, 7, 6, 5, 3, so that the "
            "login flood of 3 comes after the editors have signed in).",
            "",
            table("1. Logins behind one proxy (DJANGO_PROXY_COUNT=1)", logins),
            table("2. Uploads (signed in as the editor)", uploads),
            table("3. SQLite under concurrent writes", writes),
            table("4. Bad input", bad_input),
            table("5. Page cache", cache),
            table("6. Draft year", draft),
            table("7. Headers", headers),
            table("Server logs of the two runs", log_summary(*logs), ("log", "lines containing")),
        ]
    )
    OUT.write_text(report, encoding="utf-8")
    for log in logs:
        text = log.read_text(errors="replace")
        if "Traceback" in text:
            print(f"--- {log.name}: tracebacks ---\n{traceback_blocks(text)}", file=sys.stderr)
    say(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
