"""Browser tests: Debian's Chromium driven by Playwright against live_server.

Playwright cannot download its own browsers here, so it is pointed at
/usr/bin/chromium (installed by `make test`). live_server needs committed
data, so each test loads the seed into its transactional database.
"""

import os
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make test`, which installs it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def site(live_server, transactional_db, settings):
    """The live site with the whole seed loaded."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("load_seed", stdout=open(os.devnull, "w"))
    return live_server


class PageWatch:
    """Console errors and requests to other hosts, collected while a page is used."""

    def __init__(self, page):
        self.errors = []
        self.foreign = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)


@pytest.fixture
def watched(page):
    return page, PageWatch(page)


# Resolves after the browser has painted twice: by then every IntersectionObserver
# callback for what is on screen has run (they are delivered before a paint).
NEXT_PAINTS = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def charts_drawn(page) -> int:
    return page.evaluate("document.querySelectorAll('[data-chart][data-state=drawn]').length")


def scroll_to_every_chart(page, expected: int):
    """Scroll to each chart as a reader does, and wait until `expected` charts are drawn."""
    page.mouse.wheel(0, 50)  # the reader acts: charts near the viewport may load
    charts = page.locator("[data-chart]")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart][data-state=drawn]').length >= n && "
        "[...document.querySelectorAll('[data-chart][data-state=drawn]')].every(c => c.querySelector('.main-svg'))",
        arg=expected,
    )


def reader_acts(page):
    """The first view loads no map; the reader's first pointer move starts it."""
    page.mouse.move(5, 5)


def draw_every_map(page):
    """Start the page's maps as a reader does, and wait until each has drawn or failed."""
    reader_acts(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-map]')]"
        ".every(m => ['yes', 'failed'].includes(m.getAttribute('data-drawn')))"
    )
    page.wait_for_load_state("networkidle")
