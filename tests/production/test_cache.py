"""Anonymous pages come from the shared cache; any data change shows at once."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from indicators.models import Result
from strategy_portal import cache as page_cache
from tests.editors.conftest import browser_form
from tests.test_pages import page_text

pytestmark = pytest.mark.django_db

PROJECT = "/projects/sumairu/"


def test_anonymous_pages_are_served_from_the_cache(client, django_assert_num_queries):
    first = client.get(PROJECT)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(PROJECT)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "no-cache" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_signed_in_pages_are_private_and_never_cached(client, staff_client):
    client.get(PROJECT)  # cached for the public
    response = staff_client.get(PROJECT)
    assert response.get("X-Page-Cache") is None
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_draft_seen_by_staff_never_reaches_the_public_through_the_cache(client, staff_client):
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.status = "draft"
    result.save()
    assert "813件" in page_text(staff_client.get(PROJECT))
    assert "813件" not in page_text(client.get(PROJECT))


def test_a_save_in_the_admin_shows_on_the_next_public_view(
    client, django_user_model, django_capture_on_commit_callbacks
):
    assert "813件" in page_text(client.get(PROJECT))
    assert client.get(PROJECT)["X-Page-Cache"] == "hit"

    editor = django_user_model.objects.create_superuser("chief", password="pw-chief-12345")
    admin = Client()
    admin.force_login(editor)
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    url = reverse("admin:indicators_result_change", args=[result.pk])
    data = browser_form(admin.get(url))
    data.update({"value": "814", "change_reason": "誤記の訂正"})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    fresh = client.get(PROJECT)
    assert fresh["X-Page-Cache"] == "miss"
    assert "814件" in page_text(fresh)


def test_other_query_strings_are_other_pages(client):
    client.get("/indicators/")
    filtered = client.get("/indicators/", {"unit": "千円"})
    assert filtered["X-Page-Cache"] == "miss"
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

    other_worker = (
        "import django; django.setup(); from strategy_portal.cache import invalidate; invalidate()"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
        "DJANGO_CACHE_URL": f"file://{location}",
    }
    subprocess.run([sys.executable, "-c", other_worker], env=env, check=True)
    assert page_cache.generation() == first + 1
