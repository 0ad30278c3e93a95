"""Headers, CSP, cookies, error pages and login lockout on every public URL."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import page_not_found, server_error

from tests.test_pages import public_urls

pytestmark = pytest.mark.django_db


def sample_urls():
    """One URL of every kind (the full list is swept in test_bad_input)."""
    urls = public_urls()
    seen, sample = set(), []
    for url in urls:
        kind = re.sub(r"[^/]+/$", "*", url)
        if kind not in seen:
            seen.add(kind)
            sample.append(url)
    return sample + [
        reverse("projects:search") + "?q=相談",
        reverse("indicators:results_csv"),
        reverse("indicators:results_json"),
    ]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_public_url_sends_a_strict_csp_and_security_headers(client):
    for url in sample_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        csp = csp_directives(response)
        assert csp["script-src"] == ["'self'"], url
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_proxy_header_marks_requests_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_public_pages_set_no_cookie(client):
    for url in sample_urls():
        response = client.get(url)
        assert not response.cookies, (url, list(response.cookies))


def test_no_inline_script_in_any_page(client):
    for url in sample_urls():
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/json"' in tag or 'src="/static/' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


def test_error_pages_are_japanese_without_a_traceback():
    request = RequestFactory().get("/missing/")
    missing = page_not_found(request, Exception("x"))
    assert missing.status_code == 404
    assert "ページが見つかりません" in missing.content.decode()
    broken = server_error(request)
    body = broken.content.decode()
    assert broken.status_code == 500
    assert "エラーが発生しました" in body and "Traceback" not in body


def test_the_admin_path_is_configurable():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    env = {
        **os.environ,
        "DJANGO_ADMIN_PATH": "kanri",
        "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "/kanri/"


def test_admin_login_locks_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_superuser("chief", password="correct-horse-battery")
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(
            url, {"username": "chief", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
        assert response.status_code in (200, 429)
    locked = client.post(
        url, {"username": "chief", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.9"
    )
    assert locked.status_code == 429
    assert "ログインが一時的に制限されています" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_response_limits_browser_features_and_cross_origin_reads(client):
    for url in [*sample_urls(), "/nothing-here", "/static/css/site.css"]:
        response = client.get(url)
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    cached = client.get("/")
    assert cached["Cross-Origin-Resource-Policy"] == "same-origin"


def test_no_internal_cache_header_is_sent(client, settings):
    settings.PAGE_CACHE_STATUS_HEADER = False  # production's default (the tests turn it on)
    for _ in range(2):
        response = client.get("/projects/sumairu/")
        assert not [name for name in response.headers if name.lower().startswith("x-page")]


def test_error_pages_are_not_kept_by_caches(client):
    for url in ["/nothing-here", "/indicators/no-such-indicator/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get("/", HTTP_HOST="evil.example")["Cache-Control"]


def test_there_is_no_password_reset_by_mail(client, django_user_model, mailoutbox):
    django_user_model.objects.create_user("hanako", email="hanako@example.jp", password="pw-12345x")
    assert client.get("/accounts/password_reset/").status_code == 404
    assert (
        client.post("/accounts/password_reset/", {"email": "hanako@example.jp"}).status_code == 404
    )
    assert mailoutbox == []
    assert client.get(reverse("login")).status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (4 * 1024 * 1024))
    with open(big, "rb") as handle:
        response = client.post(reverse("admin:login"), {"import_file": handle})
    assert response.status_code == 413
    assert "送信データが大きすぎます" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def deploy_check(**env):
    """`manage.py check --deploy --fail-level WARNING` as `make serve` runs it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "portal.example.jp",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_serve_starts_when_the_operator_turns_the_https_redirect_off():
    run = deploy_check(DJANGO_SECURE_SSL_REDIRECT="0")
    assert run.returncode == 0, run.stderr
    output = run.stdout + run.stderr
    assert "security.W008 is silenced: DJANGO_SECURE_SSL_REDIRECT=0" in output
    assert "(1 silenced)" in output  # only that one


def test_deploy_checks_still_fail_on_what_the_operator_did_not_opt_out_of():
    run = deploy_check(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECRET_KEY="too-short")
    assert run.returncode != 0
    assert "security.W009" in run.stderr  # the weak key still stops `make serve`
    assert "security.W008 is silenced" in run.stdout + run.stderr


def test_an_https_redirect_left_unset_is_still_required():
    from strategy_portal import settings as portal_settings

    assert "DJANGO_SECURE_SSL_REDIRECT" not in os.environ or portal_settings.SECURE_SSL_REDIRECT
    assert "security.W008" not in portal_settings.SILENCED_SYSTEM_CHECKS


@pytest.mark.parametrize("name", ["login", "admin:login"])
def test_the_login_forms_refuse_a_post_without_the_csrf_token(name, django_user_model):
    """wapiti 3.0.4 reports "Lack of anti CSRF token" here (it does not know the
    field's name); make security accepts that finding because of this test."""
    django_user_model.objects.create_superuser("chief", password="correct-horse-battery")
    browser = Client(enforce_csrf_checks=True)
    url = reverse(name)
    credentials = {"username": "chief", "password": "correct-horse-battery"}
    assert browser.post(url, credentials).status_code == 403
    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(url, {**credentials, "csrfmiddlewaretoken": token}).status_code == 302
