"""The charts' pictures on the production stack (issue 21): a committed change starts a
renderer in the background, which visits the pages and draws what changed; gunicorn's
workers only ever queue a figure, and serve the chart's text until it is drawn."""

import fcntl
import re
import time
from pathlib import Path

import pytest

from harness.live import Server, build_site, manage, production_env

pytestmark = [pytest.mark.live, pytest.mark.slow]

INDICATOR = "/indicators/p2-mirai-challenge-budget/"
SVG = re.compile(r'src="/charts/([0-9a-f]{32})-\d+\.svg"')
CHANGE = (
    "from indicators.models import Result; "
    "r = Result.objects.public().filter(indicator__slug='p2-mirai-challenge-budget').last(); "
    "r.value += 1; r.save()"
)


def keys(server, path) -> set[str]:
    response = server.get(path)
    assert response.status == 200
    return set(SVG.findall(response.body.decode()))


def idle(charts: Path) -> bool:
    """No renderer at work or starting (its lock is free), no visit asked for, and
    nothing queued."""
    if list(charts.glob("queue/*.json")) or (charts / ".crawl").exists():
        return False
    if (charts / ".starting").exists():
        return False
    with open(charts / ".lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh, fcntl.LOCK_UN)
    return True


def wait_for(check, seconds=420):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("the pictures were not drawn in time")


def test_a_commit_draws_the_changed_chart_in_the_background(tmp_path):
    env = production_env(
        tmp_path / "db.sqlite3", tmp_path / "cache", DJANGO_CHART_RENDERING="background"
    )
    charts = Path(env["DJANGO_CHART_DIR"])
    build_site(env)  # loading the seed is a commit: a renderer starts and draws every chart
    server = Server(env, log=tmp_path / "gunicorn.log").start()
    try:
        before = wait_for(lambda: keys(server, INDICATOR))
        wait_for(lambda: idle(charts))
        files = set(charts.glob("*.svg"))

        manage(env, "shell", "-c", CHANGE)  # an editor's save, committed
        after = wait_for(lambda: (k := keys(server, INDICATOR)) != before and k)
        assert len(after) == 1 and after != before
        (key,) = after
        wait_for(lambda: idle(charts))
        new = {path.name for path in set(charts.glob("*.svg")) - files}
        # Only the changed chart was drawn, at each width.
        assert new == {f"{key}-{width}.svg" for width in (240, 320, 560, 1080)}
        assert server.get(f"/charts/{key}-560.svg").status == 200
    finally:
        server.stop()
