"""On PostgreSQL a save waits at most DJANGO_DB_BUSY_TIMEOUT_MS for a lock held
elsewhere, then answers 503; SQLite's side is in test_faults (a real file)."""

import time

import psycopg2
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from indicators.models import Result
from tests.editors.conftest import browser_form

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def test_a_lock_held_by_another_session_gives_503_after_the_lock_timeout(
    django_user_model, settings
):
    editor = django_user_model.objects.create_superuser("chief", password="pw-chief-12345")
    browser = Client(raise_request_exception=False)
    browser.force_login(editor)
    result = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2017
    )
    url = reverse("admin:indicators_result_change", args=[result.pk])
    data = browser_form(browser.get(url))
    data.update({"value": "814", "change_reason": "ロック中"})

    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "options"})
    try:
        with other.cursor() as cursor:
            # Without a lock timeout the save would wait until this lock goes:
            # after 15 s at most, so the test fails (302) instead of hanging.
            cursor.execute("SET idle_in_transaction_session_timeout = '15s'")
            cursor.execute("BEGIN")
            cursor.execute("SELECT 1 FROM indicators_result WHERE id = %s FOR UPDATE", [result.pk])
            started = time.monotonic()
            response = browser.post(url, data)
            waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "混み合っています" in response.content.decode()
    assert waited < settings.DB_BUSY_TIMEOUT_MS / 1000 + 5
