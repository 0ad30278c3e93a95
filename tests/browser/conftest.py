"""Browser tests: Debian's Chromium driven by Playwright against a live site.

Playwright cannot download its own browsers here, so it is pointed at
/usr/bin/chromium (installed by `make test`).

One live server per test session (per xdist worker) over the test database,
which holds the seed from the start (tests/conftest.py); two ways to use it:
- `site`, for tests that only read: the seed is loaded once, not once per test.
- `writable_site`, for tests that sign in or change data: a transactional
  database (what the test writes is committed, so the server's own connections
  see it), emptied after the test, so the seed is loaded again for each.
The tests with a transactional database run after all the others (pytest-django
sorts them last, and tests/conftest.py keeps them there), so every `site` test
reads the seed before any `writable_site` test empties it; `site` fails loudly if
the seed is gone.
"""

import os
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from projects.models import Project
from projects.report import CHROMIUM, CHROMIUM_ARGS  # Debian's Chromium, as the PDF prints

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make test`, which installs it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


def _served_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def _seeded_server(django_db_setup, django_db_blocker):
    # Its request threads open connections of their own (SQLite's test database is
    # in memory with a shared cache), never borrowing the test thread's.
    server = LiveServer("localhost:0", start=False)
    server.thread.connections_override = {}
    with django_db_blocker.unblock():
        server.start()
    yield server
    server.stop()


@pytest.fixture
def site(_seeded_server, db, settings):
    """The live site over the seed, shared by the tests that only read."""
    if not Project.objects.exists():
        pytest.fail("the seed is gone: a test that changes data must use writable_site")
    _served_static_files(settings)
    _seeded_server._live_server_modified_settings.enable()
    yield _seeded_server
    _seeded_server._live_server_modified_settings.disable()


@pytest.fixture
def writable_site(_seeded_server, transactional_db, settings):
    """The same live site for a test that changes data: its database is emptied
    after the test, so the whole seed is loaded again for each."""
    call_command("load_seed", stdout=open(os.devnull, "w"))
    _served_static_files(settings)
    _seeded_server._live_server_modified_settings.enable()
    yield _seeded_server
    _seeded_server._live_server_modified_settings.disable()


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


def settle(page):
    """Wait until the page is still: its fonts loaded, two paints made (so every
    IntersectionObserver has spoken), and no chart or map left half-drawn. The
    events themselves, not a quiet network (networkidle waits 500 ms each time)."""
    page.evaluate(NEXT_PAINTS)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function(
        "() => !document.querySelector('[data-chart][data-state=loading], [data-map][data-drawn=pending]')"
    )


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
    settle(page)
