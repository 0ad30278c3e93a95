"""A cache that cannot be read or written (a full disk, a cache directory that
cannot be made, Redis down) never turns into a 500: pages, the API and the
downloads answer 200, uncached, and the API's limit lets requests through.

The caches are the real backends built from DJANGO_CACHE_URL, as settings build
them: the file cache at a path under a regular file (no directory can be made
there, not even by root), and Redis at a port where nothing listens."""

import logging

import pytest
from django.core.cache import caches
from django.test import Client

from strategy_portal.pagecache import generations
from strategy_portal.settings import cache_from_url

pytestmark = pytest.mark.django_db

PATHS = [
    "/",
    "/projects/sumairu/",
    "/indicators/p1-marriage-support-consultations/",
    "/indicators/",
    "/search/?q=相談",
    "/api/v1/editions",
    "/api/v1/indicators",
    "/api/v1/results?per_page=5",
    "/indicators/p1-marriage-support-consultations/results.csv",
    "/indicators/results.json",
    "/data/municipalities.csv",
    "/data/all.zip",
]


@pytest.fixture(params=["file", "redis"])
def broken_cache_url(request, tmp_path):
    if request.param == "file":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        return f"file://{blocker}/cache"
    return "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broken_caches(settings, broken_cache_url):
    settings.CACHES = {
        **settings.CACHES,
        "default": cache_from_url(broken_cache_url),
        "shared_pages": cache_from_url(broken_cache_url, "pages", max_entries=3000),
        "throttle": cache_from_url(broken_cache_url, "throttle"),
    }
    settings.API_THROTTLE_RATE = "2/m"
    generations._memo.clear()
    yield
    generations._memo.clear()


def test_pages_the_api_and_downloads_answer_200_when_no_cache_can_be_written(broken_caches, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):  # past the API's limit of 2: it cannot count, so it lets them in
            for path in PATHS:
                response = client.get(path)
                assert response.status_code == 200, (path, response.content[:300])
    assert "813件" in client.get("/projects/sumairu/").content.decode()
    # Logged, but once per kind of failure, not once per request.
    cache_lines = [r for r in caplog.records if r.name == "strategy_portal.pagecache.backends"]
    assert cache_lines
    assert len(cache_lines) <= 12, [r.getMessage() for r in cache_lines]


def test_an_edit_with_a_broken_cache_saves_and_shows(
    broken_caches, admin_client_, django_capture_on_commit_callbacks
):
    from indicators.models import Result

    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.value = 8141
    with django_capture_on_commit_callbacks(execute=True):
        result.save()
    assert "8,141件" in Client().get("/projects/sumairu/").content.decode()


def test_every_cache_alias_tolerates_failures(broken_caches):
    for alias in ("default", "shared_pages", "throttle"):
        cache = caches[alias]
        assert cache.get("k", "fallback") == "fallback"
        assert cache.set("k", 1) is False
        assert cache.add("k", 1) is False
        assert cache.incr("k") is None
        assert cache.get_many(["k"]) == {}
        assert cache.delete("k") is False
