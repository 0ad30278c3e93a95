"""The production front: gunicorn as gunicorn.conf.py configures it, and the operating
guide's nginx example (docs/operating.md), checked by nginx itself when it is installed."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.config import Config

CONF = settings.BASE_DIR / "gunicorn.conf.py"
OPERATING = settings.BASE_DIR / "docs" / "operating.md"


def configured(monkeypatch, **env) -> Config:
    """gunicorn's own reading of its command line `gunicorn -c gunicorn.conf.py`
    in this environment (the application is not loaded)."""
    for name in ("PORT", "GUNICORN_CONTROL_SOCKET", "XDG_RUNTIME_DIR", "GUNICORN_CMD_ARGS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.argv", ["gunicorn", "-c", str(CONF)])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").cfg


def test_each_gunicorn_instance_has_its_own_control_socket(monkeypatch, tmp_path):
    default = Config().control_socket  # ~/.gunicorn/gunicorn.ctl: shared by every instance
    first = configured(monkeypatch, PORT="8001")
    second = configured(monkeypatch, PORT="8002")
    assert first.bind == ["127.0.0.1:8001"] and second.bind == ["127.0.0.1:8002"]
    assert not first.control_socket_disable and not second.control_socket_disable
    assert len({default, first.control_socket, second.control_socket}) == 3
    # In the user's own directory, as gunicorn's default is: not a shared /tmp.
    assert Path(first.control_socket).parent == Path(default).parent
    runtime = configured(monkeypatch, PORT="8001", XDG_RUNTIME_DIR=str(tmp_path))
    assert Path(runtime.control_socket).parent == tmp_path
    chosen = configured(monkeypatch, GUNICORN_CONTROL_SOCKET=str(tmp_path / "a.ctl"))
    assert chosen.control_socket == str(tmp_path / "a.ctl")


def nginx_example() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", OPERATING.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/operating.md has one nginx example"
    return blocks[0]


def directives(block: str) -> dict:
    """name → [arguments] of every directive, comments left out."""
    found = {}
    for line in block.splitlines():
        code = line.split("#", 1)[0]
        for statement in re.split(r"[;{}]", code):
            words = statement.split()
            if words:
                found.setdefault(words[0], []).append(" ".join(words[1:]))
    return found


def test_the_operating_guides_nginx_example_varies_gzip_and_limits_each_client():
    found = directives(nginx_example())
    assert found["gzip_vary"] == ["on"]
    zone = re.fullmatch(
        r"\$binary_remote_addr zone=(\w+):\d+m rate=\d+r/[sm]", found["limit_req_zone"][0]
    )
    assert zone, found["limit_req_zone"]  # per client address
    assert any(args.startswith(f"zone={zone.group(1)} ") for args in found["limit_req"])
    assert found["limit_req_status"] == ["429"]
    assert found["proxy_pass"] == ["http://127.0.0.1:8000"]


def test_the_operating_guide_says_gunicorn_must_sit_behind_the_proxy():
    text = " ".join(OPERATING.read_text(encoding="utf-8").split())
    assert "gunicorn listens on the loopback address only" in text
    assert "must always sit behind" in text


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_operating_guides_example(tmp_path):
    """The example is a file of nginx's http context (conf.d/), as nginx reads one."""
    (tmp_path / "logs").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/logs/error.log;\n"
        "events {}\n"
        "http {\n"
        f"access_log {tmp_path}/logs/access.log;\n"
        f"client_body_temp_path {tmp_path}/body;\n"
        f"proxy_temp_path {tmp_path}/proxy;\n"
        f"{nginx_example()}\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr
