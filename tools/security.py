"""`make security`, after `make bandit`: a bounded wapiti scan of the
production stack (gunicorn, DEBUG off) on 127.0.0.1, on a copy of the seeded data.

Fails on any wapiti finding above "low"
that is not in ACCEPTED (reviewed false positives, each disproved by a test),
and on any answer the server logs as a 500. The scan speaks HTTPS to gunicorn
itself (a throwaway self-signed certificate), as browsers do through the proxy. The report is written to
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
from harness.live import Server, build_site, production_env  # noqa: E402

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
# Findings reviewed and accepted: (category, path, info) → why. Anything else
# above low fails. Keep each one proven false by a test.
ACCEPTED = {
    (
        "Cross Site Request Forgery",
        path,
        "Lack of anti CSRF token",
    ): "false positive: wapiti 3.0.4 knows token fields by name and not Django's "
    "csrfmiddlewaretoken; both login forms refuse a POST without it "
    "(tests/production/test_security.py::test_the_login_forms_refuse_a_post_without_the_csrf_token)"
    for path in ("/accounts/login/", "/admin/login/")
}


def self_signed(folder: Path):
    """A throwaway certificate for 127.0.0.1: the scan speaks HTTPS, as browsers do
    through the proxy, so secure cookies and the CSRF Referer check work as live."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def wapiti(port: int, report: Path):
    base = f"https://127.0.0.1:{port}"
    command = [
        "wapiti",
        "-u",
        f"{base}/",
        "-s",
        f"{base}/accounts/login/",
        "-s",
        f"{base}/admin/login/",
        "--verify-ssl",
        "0",
        "--scope",
        "folder",
        "-m",
        ",".join(MODULES),
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
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-security-") as folder:
        folder = Path(folder)
        env = production_env(folder / "portal.sqlite3", folder / "cache", WEB_CONCURRENCY=2)
        build_site(env, editor=("scan-admin", os.urandom(12).hex()))
        log = folder / "gunicorn.log"
        server = Server(env, port=PORT, log=log, tls=self_signed(folder)).start()
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
        accepted = ACCEPTED.get((category, item.get("path"), item.get("info")))
        print(line + (f"\n      accepted: {accepted}" if accepted else ""))
        if accepted:
            continue
        if level > 1 or (section == "anomalies" and "Internal Server Error" in category):
            failing.append(line)
    for line in server_errors:
        print("  server error:", line)
    if failing or server_errors:
        print(f"== FAILED: {len(failing)} findings above low, {len(server_errors)} server errors")
        return 1
    print("== passed: no finding above low, no server error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
