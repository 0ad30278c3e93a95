"""The production stack (gunicorn, DEBUG off) on a seeded SQLite file, and a small
browser for it: used by the fault tests and by `make bench` (tools/bench.py).
Only ever 127.0.0.1; ports from 8120–8139 (see PORTS) unless told otherwise."""

import http.client
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from harness.forms import browser_form

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

# 8120–8139, or under pytest-xdist twenty ports of each worker's own from 8200
# (gw0: 8200–8219, gw1: 8220–8239 …), so that two workers never pick the same one.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_FIRST = 8200 + 20 * int(_WORKER[2:]) if _WORKER.startswith("gw") else 8120
PORTS = range(_FIRST, _FIRST + 20)


def free_port(preferred=None) -> int:
    for port in [preferred, *PORTS] if preferred else PORTS:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) != 0:
                return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def production_env(database: Path, cache_dir: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_CACHE_URL": f"file://{cache_dir}",
        # Under pytest-xdist each worker collects static files into a folder of its own
        # (two workers never write one folder); its sites run one after another.
        "DJANGO_STATIC_ROOT": str(ROOT / (f"staticfiles-{_WORKER}" if _WORKER else "staticfiles")),
        # Charts' pictures beside the cache; no renderer unless a test asks for one.
        "DJANGO_CHART_DIR": f"{cache_dir}-charts",
        "DJANGO_CHART_RENDERING": "off",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        **kwargs,
    )


def build_site(env, editor=("chief", "pw-chief-correct-horse")):
    """migrate, load the seed, collect static files, and an administrator."""
    manage(env, "migrate", "--noinput")
    manage(env, "load_seed")
    manage(env, "collectstatic", "--noinput", "-v0")
    name, password = editor
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": password},
        "createsuperuser",
        "--noinput",
        "--username",
        name,
        "--email",
        f"{name}@example.jp",
    )


class Server:
    def __init__(self, env, port=None, log=None, tls=None):
        """tls=(certificate, key): gunicorn speaks HTTPS itself, as the proxy would."""
        self.port = port or free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.tls = tls
        if tls:
            self.env["GUNICORN_CMD_ARGS"] = f"--certfile {tls[0]} --keyfile {tls[1]}"
        self.log = log
        self.process = None

    def start(self, deadline=40):
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=out,
        )
        start = time.monotonic()
        while time.monotonic() - start < deadline:
            try:
                if self.get("/").status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def request(self, method, path, body=None, headers=None, timeout=30):
        if self.tls:  # our own self-signed certificate, on 127.0.0.1
            connection = http.client.HTTPSConnection(
                HOST, self.port, timeout=timeout, context=ssl._create_unverified_context()
            )
        else:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})},
            )
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)


def form_fields(html: str) -> dict:
    """What a browser posts back unchanged from the admin's change form."""
    return browser_form(SimpleNamespace(status_code=200, content=html.encode()))


class Browser:
    """Cookies (Secure ones too: the proxy speaks HTTPS) and CSRF, by hand."""

    def __init__(self, server):
        self.server = server
        self.cookies = SimpleCookie()

    def _send(self, method, path, data=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}{path}"
        response = self.server.request(method, path, body=body, headers=headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, data):
        return self._send("POST", path, data)

    def csrf(self, html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return unescape(found.group(1))

    def log_in(self, name, password):
        page = self.get("/admin/login/").body.decode()
        answer = self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": self.csrf(page), "username": name, "password": password},
        )
        assert answer.status == 302, answer.status
        return self

    def change_result(self, pk, value, reason="負荷試験"):
        """Open a result's admin form and save it with a new value; the answer's status."""
        path = f"/admin/indicators/result/{pk}/change/"
        page = self.get(path)
        if page.status != 200:
            return page.status
        data = form_fields(page.body.decode())
        data.update({"value": str(value), "change_reason": reason})
        return self.post(path, data).status
