"""Shared fixtures: the whole seed loaded once per test session, users by role."""

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from strategy_portal import pagecache as page_cache

# Under pytest-xdist (make test) each worker has a file cache of its own: every test
# clears the page cache and the API counts, which must not empty another worker's.
# Django is set up before this module is read, but no cache has been opened yet.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
# The tests read how a page was served from X-Page-Cache (off in production).
settings.PAGE_CACHE_STATUS_HEADER = True
# Django's advice for test suites: a fast password hasher. The production one
# (PBKDF2, 1,000,000 rounds) costs 0.3 s a password here, and most tests make a
# user with one. Passwords are still checked, only hashed cheaply.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Charts' pictures: each worker its own folder, and no renderer started by a page (the
# tests of pictures draw them themselves, tests/strategy_portal/test_pictures.py).
settings.CHART_RENDERING = "off"
# No reminder command started in the background by a commit: the tests of mails run
# it themselves, against their own SMTP server (tests/editors/test_reminders.py).
settings.REMINDERS = "off"
settings.CHART_DIR = Path(tempfile.gettempdir()) / f"strategy-portal-charts-{os.getpid()}"
if _WORKER:
    # Spreadsheets waiting for confirmation too: a test empties the folder it checks.
    settings.IMPORT_DIR = os.path.join(settings.IMPORT_DIR, f"test-{_WORKER}")
    for _config in settings.CACHES.values():
        if _config["BACKEND"].endswith(".FileCache"):
            _location = Path(_config["LOCATION"])
            _base = Path(urlparse(settings.CACHE_URL).path)
            _config["LOCATION"] = str(_base / f"test-{_WORKER}" / _location.relative_to(_base))


@pytest.fixture(scope="session", autouse=True)
def _chart_dir():
    yield
    shutil.rmtree(settings.CHART_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the 2018 report and all municipalities."""
    with django_db_blocker.unblock():
        call_command("load_seed", stdout=open("/dev/null", "w"))


@pytest.fixture
def seed_dir():
    return settings.SEED_DIR


@pytest.fixture
def staff_user(django_user_model):
    """Prefectural staff (group `staff`): read everything, drafts included; no admin."""
    user = django_user_model.objects.create_user("staff", password="pw-staff-123")
    user.groups.add(Group.objects.get(name="staff"))
    return user


def signed_in(user):
    """A browser of its own, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    """Prefectural staff: signed in, may read drafts."""
    return signed_in(staff_user)


@pytest.fixture
def editor_user(django_user_model):
    """An editor (group `editor`, is_staff): enters and publishes results in the admin."""
    user = django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture
def editor_client(editor_user):
    return signed_in(editor_user)


@pytest.fixture
def second_editor_client(django_user_model):
    """Another editor, in another browser: for edits that cross."""
    user = django_user_model.objects.create_user("editor2", password="pw-editor-456", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return signed_in(user)


@pytest.fixture
def admin_client_(django_user_model):
    user = django_user_model.objects.create_superuser("admin", password="pw-admin-123")
    return signed_in(user)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with an empty page cache and no API counts (tests roll back, so
    no on_commit fires)."""
    for alias in ("default", "throttle"):
        caches[alias].clear()
    page_cache.clear_pages()
    yield
    for alias in ("default", "throttle"):
        caches[alias].clear()
    page_cache.clear_pages()


def _empties_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in item.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )


_BROWSER = Path(__file__).resolve().parent / "browser"


def pytest_itemcollected(item):
    """Every test under tests/browser/ is a browser test (the tier `make check` skips);
    marked as it is collected, before `-m` selects."""
    if _BROWSER in Path(item.fspath).resolve().parents:
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests with a transactional database empty it when they end, so they run
    last: pytest-django sorts them there, but pytest then groups the tests by
    Playwright's session parameter (browser_name), which can pull a browser test
    that writes ahead of the others. Sorted again, stably, after everything else.
    """
    items.sort(key=_empties_the_database)


# --- `make a11y`: the outcome of each accessibility check, for the results page ---
A11Y_RUN_FILE = os.environ.get("A11Y_RUN_FILE")
_a11y_outcomes = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    marker = item.get_closest_marker("a11y_check")
    report = outcome.get_result()
    if A11Y_RUN_FILE and marker and (report.when == "call" or report.failed):
        message = report.longreprtext if report.failed else ""
        _a11y_outcomes.append(
            {
                "check": marker.args[0],
                "test": item.nodeid,
                "passed": report.passed,
                "message": message,
            }
        )


def pytest_sessionfinish(session):
    if A11Y_RUN_FILE:
        Path(A11Y_RUN_FILE).write_text(
            json.dumps(_a11y_outcomes, ensure_ascii=False, indent=1), encoding="utf-8"
        )
