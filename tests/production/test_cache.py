"""Anonymous pages come from the shared cache; any data change shows at once."""

import os
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from indicators.models import Result
from strategy_portal import pagecache as page_cache
from strategy_portal.pagecache import generations, keys, middleware
from tests.editors.conftest import browser_form
from tests.test_pages import page_text

pytestmark = pytest.mark.django_db

PROJECT = "/projects/sumairu/"


def project_key():
    """The cache key of PROJECT as a worker computes it now."""
    return page_cache.page_key(
        page_cache.generation(), page_cache.page_digest("testserver", PROJECT, QueryDict())
    )


def edit_the_figure(capture_on_commit_callbacks):
    """813件 → 814件 on PROJECT, committed (the generation is bumped)."""
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.value = 814
    with capture_on_commit_callbacks(execute=True):
        result.save()


def test_anonymous_pages_are_served_from_the_cache(client, django_assert_num_queries):
    first = client.get(PROJECT)
    assert first.get("X-Page-Cache") == "miss"
    with django_assert_num_queries(0):
        second = client.get(PROJECT)
    assert second.get("X-Page-Cache") == "hit"
    assert second.content == first.content
    assert "no-cache" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_signed_in_pages_are_private_and_never_cached(client, staff_client):
    client.get(PROJECT)  # cached for the public
    response = staff_client.get(PROJECT)
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_draft_seen_by_staff_never_reaches_the_public_through_the_cache(client, staff_client):
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.status = "draft"
    result.save()
    assert "813件" in page_text(staff_client.get(PROJECT))
    assert "813件" not in page_text(client.get(PROJECT))


def admin_form_setting_814(django_user_model):
    """An editor's admin client, the figure's change URL and its form filled with 814件."""
    editor = django_user_model.objects.create_superuser("chief", password="pw-chief-12345")
    admin = Client()
    admin.force_login(editor)
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    url = reverse("admin:indicators_result_change", args=[result.pk])
    data = browser_form(admin.get(url))
    data.update({"value": "814", "change_reason": "誤記の訂正"})
    return admin, url, data


def test_a_save_in_the_admin_shows_on_the_next_public_view(
    client, django_user_model, django_capture_on_commit_callbacks
):
    assert "813件" in page_text(client.get(PROJECT))
    assert client.get(PROJECT).get("X-Page-Cache") == "hit"

    admin, url, data = admin_form_setting_814(django_user_model)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    fresh = client.get(PROJECT)
    assert fresh.get("X-Page-Cache") == "miss"
    assert "814件" in page_text(fresh)


def test_a_save_in_the_admin_makes_pages_stale_once_not_once_per_row_written(
    client, django_user_model, django_capture_on_commit_callbacks, monkeypatch
):
    """The save writes the result and its history row: one new generation, so each
    page is rendered once after it (make bench: two bumps per save, two renders)."""
    admin, url, data = admin_form_setting_814(django_user_model)
    before = page_cache.generation()
    bumps = []
    invalidate = generations.invalidate
    monkeypatch.setattr(generations, "invalidate", lambda: bumps.append(invalidate()))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, data).status_code == 302
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    assert result.history.count() == 2  # the seed's row and this save's
    assert len(bumps) == 1, "one new generation for one save"
    assert page_cache.generation() > before
    assert "814件" in page_text(client.get(PROJECT))


def test_a_change_kept_after_a_rolled_back_one_still_makes_pages_stale(
    client, django_capture_on_commit_callbacks
):
    from django.db import transaction

    assert "813件" in page_text(client.get(PROJECT))
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                result.value = 999
                result.save()  # its invalidation is dropped with the savepoint
                raise RuntimeError
            result.value = 814
            result.save()
    assert "814件" in page_text(client.get(PROJECT))


def test_other_query_strings_are_other_pages(client):
    client.get("/indicators/")
    filtered = client.get("/indicators/", {"unit": "千円"})
    assert filtered.get("X-Page-Cache") == "miss"
    assert "813件" not in page_text(filtered)


def test_with_the_file_cache_a_change_in_another_process_is_seen_at_once(settings, tmp_path):
    """Workers share the generation through the file cache; the stat shortcut
    must not hide a bump made by another process."""

    location = tmp_path / "shared-cache"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(location),
        },
    }
    caches["default"].clear()
    first = page_cache.generation()
    assert page_cache.generation() == first  # served from the memo

    other_worker = "import django; django.setup(); from strategy_portal.pagecache import invalidate; invalidate()"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
        "DJANGO_CACHE_URL": f"file://{location}",
    }
    subprocess.run([sys.executable, "-c", other_worker], env=env, check=True)
    assert page_cache.generation() > first


def test_a_made_up_session_cookie_is_served_from_the_cache(client, django_assert_num_queries):
    client.cookies["sessionid"] = "made-up-0123456789abcdefghijklmnopqrstuv"
    first = client.get(PROJECT)  # rendered with the cookie, and stored all the same
    assert first.get("X-Page-Cache") == "miss" and not first.cookies
    with django_assert_num_queries(1):  # the session lookup, nothing else
        response = client.get(PROJECT)
    assert response.get("X-Page-Cache") == "hit"
    assert "private" not in response.get("Cache-Control", "")


def test_a_signed_in_session_bypasses_the_cache(client, staff_client):
    client.get(PROJECT)
    assert "X-Page-Cache" not in staff_client.get(PROJECT)


def test_the_generation_outlives_the_file_caches_default_timeout(settings, tmp_path, monkeypatch):
    """Django's incr() on the file cache re-stores with the default 300 s timeout;
    the generation must not expire, or every page is rebuilt after 5 minutes."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "shared-cache"),
        },
    }
    caches["default"].clear()
    page_cache.generation()
    page_cache.invalidate()
    bumped = page_cache.generation()
    later = time.time() + 3600
    monkeypatch.setattr("django.core.cache.backends.filebased.time.time", lambda: later)
    generations._memo.clear()
    assert page_cache.generation() == bumped


def test_the_key_is_the_host_and_the_parameters_that_matter(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example.jp"]
    client.get("/indicators/", {"unit": "千円"})
    assert client.get("/indicators/?unit=千円").get("X-Page-Cache") == "hit"
    assert client.get("/indicators/?unit=千円&x=1").get("X-Page-Cache") == "hit"
    assert client.get("/indicators/?zz=1&unit=千円").get("X-Page-Cache") == "hit"
    other = client.get("/indicators/", {"unit": "千円"}, HTTP_HOST="other.example.jp")
    assert other.get("X-Page-Cache") == "miss"


def test_unknown_parameters_do_not_make_new_pages(client):
    for n in range(50):
        client.get(PROJECT, {f"junk{n}": n})
    stored = [key for key in caches["pages"]._cache if ":page:latest:" not in key]
    assert len(stored) == 1


def test_a_parameter_only_another_page_reads_does_not_make_a_new_page(client):
    """`?q=` keys the search page; on a project page it is one more made-up
    parameter (it made a render per value: ~30 req/s against ~3,400)."""
    client.get(PROJECT)
    for n in range(5):
        again = client.get(PROJECT, {"q": f"word{n}", "page": n, "sort": "value", "unit": "件"})
        assert again.get("X-Page-Cache") == "hit"
    found = client.get("/search/", {"q": "相談"})
    other = client.get("/search/", {"q": "出生率"})
    assert other.get("X-Page-Cache") == "miss"
    assert page_text(found) != page_text(other)
    assert client.get("/search/", {"q": "相談"}).get("X-Page-Cache") == "hit"


def test_a_bad_host_is_refused_even_for_a_cached_page(client):
    client.get(PROJECT)
    response = client.get(PROJECT, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "リクエストが正しくありません" in response.content.decode()


def test_a_shared_cache_that_fails_means_uncached_pages_not_errors(client, settings, tmp_path):
    """The cache directory is a file, not a directory: every read and write fails."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocker / "cache"),
        },
    }
    generations._memo.clear()
    for _ in range(2):
        response = client.get(PROJECT)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert "813件" in page_text(response)
    page_cache.invalidate()  # an edit must not fail either


def test_make_run_and_make_serve_share_one_cache_so_other_processes_changes_show(tmp_path):
    """With DEBUG on (make run), a bump from another process (load_seed, a shell)
    is seen by this one on its next request."""
    code = (
        "import django, sys; django.setup(); from strategy_portal import pagecache as cache; "
        "before = cache.generation(); "
        "import subprocess; subprocess.run([sys.executable, '-c', "
        "'import django; django.setup(); from strategy_portal.pagecache import invalidate; "
        "invalidate()'], check=True); "
        "print(cache.generation() != before)"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_CACHE_URL"},
        "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
        "DJANGO_DEBUG": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


def test_while_a_changed_page_renders_other_readers_get_the_page_it_replaces(
    client, django_capture_on_commit_callbacks
):
    """After an edit, one thread renders; the others serve the previous page at once
    instead of queueing behind it (make bench: p99 with an editor saving)."""
    import threading

    assert "813件" in page_text(client.get(PROJECT))
    edit_the_figure(django_capture_on_commit_callbacks)
    key = project_key()
    rendering = middleware._render_locks.setdefault(key, threading.Lock())
    rendering.acquire()  # another thread of the worker is rendering the fresh page
    try:
        meanwhile = client.get(PROJECT)
        assert middleware._render_locks.get(key) is rendering, "a second render could start"
    finally:
        rendering.release()
        middleware._render_locks.pop(key, None)
    assert meanwhile.get("X-Page-Cache") == "stale"
    assert "813件" in page_text(meanwhile)

    fresh = client.get(PROJECT)
    assert fresh.get("X-Page-Cache") == "miss"
    assert "814件" in page_text(fresh)
    assert client.get(PROJECT).get("X-Page-Cache") == "hit"


def test_with_no_earlier_page_a_reader_waits_for_the_render(client):
    """Nothing stored yet (a new page, a fresh worker): no stale page to give."""
    import threading

    key = project_key()
    rendering = middleware._render_locks.setdefault(key, threading.Lock())
    rendering.acquire()
    threading.Timer(0.2, rendering.release).start()  # the other render finishes
    response = client.get(PROJECT)
    middleware._render_locks.pop(key, None)
    assert response.get("X-Page-Cache") == "miss" and "813件" in page_text(response)


def test_a_page_rendered_by_one_worker_is_served_by_the_others_without_rendering(
    client, django_assert_num_queries
):
    """After a change, one worker renders a page; every other worker takes its copy
    (make bench: four renders per edit on four workers were the writer row's p99)."""
    assert client.get(PROJECT).get("X-Page-Cache") == "miss"
    caches["pages"].clear()  # another worker: nothing in its memory
    with django_assert_num_queries(0):
        response = client.get(PROJECT)
    assert response.get("X-Page-Cache") == "shared"
    assert "813件" in page_text(response)
    assert client.get(PROJECT).get("X-Page-Cache") == "hit"  # kept in its memory


def test_while_another_worker_renders_a_changed_page_this_one_serves_the_old_one(
    client, django_capture_on_commit_callbacks
):
    assert "813件" in page_text(client.get(PROJECT))
    edit_the_figure(django_capture_on_commit_callbacks)
    key = project_key()
    claim = keys.claim_key(key)
    assert caches["shared_pages"].add(claim, "another worker", 10)  # it is rendering
    meanwhile = client.get(PROJECT)
    assert meanwhile.get("X-Page-Cache") == "stale"
    assert "813件" in page_text(meanwhile)

    caches["shared_pages"].delete(claim)  # it failed, or was killed: this worker renders
    fresh = client.get(PROJECT)
    assert fresh.get("X-Page-Cache") == "miss" and "814件" in page_text(fresh)
    assert caches["shared_pages"].get(claim) is None  # its own claim is released


def test_a_page_stored_by_another_worker_just_before_this_one_claims_it_is_not_rendered_again(
    client, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    """Between this worker's look in the shared cache and its claim, another worker
    can store the page and release its own claim: the claim alone would render it
    twice (make bench: 11 of 43 changes rendered by two workers)."""
    client.get(PROJECT)
    edit_the_figure(django_capture_on_commit_callbacks)
    key = project_key()
    theirs = (b"<p>814\xe4\xbb\xb6, rendered by another worker</p>", {"Content-Type": "text/html"})
    claim = middleware._claim

    def stored_meanwhile(name):
        caches["shared_pages"].set(key, theirs, 60)  # their render ends, their claim goes
        return claim(name)

    monkeypatch.setattr(middleware, "_claim", stored_meanwhile)
    with django_assert_num_queries(0):
        response = client.get(PROJECT)
    assert response.get("X-Page-Cache") == "shared"
    assert response.content == theirs[0]
    assert caches["shared_pages"].get(keys.claim_key(key)) is None  # released


def test_a_worker_with_no_earlier_page_renders_rather_than_wait_for_another(client):
    key = project_key()
    caches["shared_pages"].add(keys.claim_key(key), "another worker", 10)
    response = client.get(PROJECT)
    assert response.get("X-Page-Cache") == "miss" and "813件" in page_text(response)
