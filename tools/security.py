"""`make security`: bandit over the code, then a bounded wapiti scan of the
production stack (gunicorn, DEBUG off) on 127.0.0.1, on a copy of the seeded data.

Fails on any bandit finding above "low", on any wapiti finding above "low",
and on any answer the server logs as a 500. The report is written to
.security/wapiti.json. Only 127.0.0.1 is ever contacted: the wapiti modules
that call outside endpoints (ssrf, xxe), download databases (nikto, wapp) or
brute-force (buster, backup, brute_login_form) are not run, nor the time-based
blindsql (sqlmap-like and slow; the error-based sql module runs), and wapiti's
crash reports are off (--no-bugreport).

SECURITY_PORT (8130) and SECURITY_SCAN_SECONDS (180) change the port and the
scan's bound; each module is also bounded (SECURITY_ATTACK_SECONDS, 40).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.production.live import Server, build_site, production_env  # noqa: E402

OUT = ROOT / ".security"
PORT = int(os.environ.get("SECURITY_PORT", "8130"))
SCAN_SECONDS = int(os.environ.get("SECURITY_SCAN_SECONDS", "180"))
ATTACK_SECONDS = int(os.environ.get("SECURITY_ATTACK_SECONDS", "40"))
MODULES = [
    "exec",
    "file",
    "sql",
    "xss",
    "permanentxss",
    "redirect",
    "crlf",
    "csp",
    "http_headers",
    "cookieflags",
    "methods",
    "csrf",
    "shellshock",
    "htaccess",
]
LEVELS = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}


def bandit() -> int:
    print("== bandit (findings above low fail)", flush=True)
    return subprocess.run(
        [str(ROOT / ".venv/bin/bandit"), "-c", "pyproject.toml", "-r", ".", "-ll", "-q"],
        cwd=ROOT,
    ).returncode


def wapiti(port: int, report: Path):
    command = [
        "wapiti",
        "-u",
        f"http://127.0.0.1:{port}/",
        "-s",
        f"http://127.0.0.1:{port}/accounts/login/",
        "-s",
        f"http://127.0.0.1:{port}/admin/login/",
        "--scope",
        "folder",
        "-m",
        ",".join(MODULES),
        "-H",
        "X-Forwarded-Proto: https",
        "-d",
        "3",
        "--max-links-per-page",
        "40",
        "--max-files-per-dir",
        "30",
        "--max-scan-time",
        str(SCAN_SECONDS),
        "--max-attack-time",
        str(ATTACK_SECONDS),
        "-t",
        "10",
        "--flush-session",
        "--store-session",
        str(OUT / "session"),
        "--no-bugreport",
        "-v",
        "1",
        "-f",
        "json",
        "-o",
        str(report),
    ]
    print("== wapiti:", " ".join(command), flush=True)
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def findings(report: Path):
    data = json.loads(report.read_text(encoding="utf-8"))
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in (data.get(section) or {}).items():
            for item in items:
                found.append((section, category, int(item.get("level", 0)), item))
    return found


def main():
    if shutil.which("wapiti") is None:
        raise SystemExit("wapiti is missing: `make security` installs it with apt-get")
    status = bandit()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-security-") as folder:
        folder = Path(folder)
        env = production_env(folder / "portal.sqlite3", folder / "cache", WEB_CONCURRENCY=2)
        build_site(env, editor=("scan-admin", os.urandom(12).hex()))
        log = folder / "gunicorn.log"
        server = Server(env, port=PORT, log=log).start()
        try:
            seconds = wapiti(server.port, OUT / "wapiti.json")
        finally:
            server.stop()
        server_errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "Internal Server Error" in line
        ]
    found = findings(OUT / "wapiti.json")
    print(
        f"== wapiti finished in {seconds:.0f} s; {len(found)} findings (report: {OUT / 'wapiti.json'})"
    )
    failing = []
    for section, category, level, item in found:
        line = f"  {LEVELS.get(level, level)}: {category} — {item.get('method', '')} {item.get('path', '')} {item.get('info', '')[:160]}"
        print(line)
        if level > 1 or (section == "anomalies" and "Internal Server Error" in category):
            failing.append(line)
    for line in server_errors:
        print("  server error:", line)
    if failing or server_errors:
        print(f"== FAILED: {len(failing)} findings above low, {len(server_errors)} server errors")
        status = status or 1
    elif status:
        print("== FAILED: bandit")
    else:
        print("== passed: no finding above low, no server error")
    return status


if __name__ == "__main__":
    sys.exit(main())
