"""No request makes a 5xx: malformed or huge parameters, unknown ids, odd bytes."""

import logging
from urllib.parse import quote

import pytest
from django.urls import URLResolver, get_resolver, reverse

from indicators.models import Indicator
from tests.test_pages import public_urls

pytestmark = pytest.mark.django_db

HUGE = "9" * 10_000
ODD_VALUES = [
    "",
    "abc",
    "-1",
    "0",
    "1e309",
    "NaN",
    "999999999999999999999",
    HUGE,
    "\x00",
    "%00",
    "<script>",
    "' OR 1=1 --",
    "１２３",
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
    "../../etc/passwd",
]
PARAMS = ["page", "sort", "project", "fiscal_year", "unit", "progress", "q", "edition", "per_page"]
ODD_PATHS = [
    "/projects/%00/",
    "/projects/%FF%FE/",
    "/indicators/%C0%AF/",
    "/municipalities/%00/",
    "/municipalities/subprefectures/..%2F/",
    "/municipalities/areas/" + "a" * 5000 + "/",
    "/indicators/" + quote("指標") + "/",
    "/static/%00.js",
    "/nothing-here",
    "/admin/%00/",
]


def sweep_urls():
    urls = public_urls()
    # One of each kind is enough for the parameter sweep (every URL gets the plain
    # GET): the top-level pages, one detail page of each kind, and the API.
    kinds = {}
    for url in urls:
        parts = url.strip("/").split("/")
        kinds.setdefault(parts[0] if len(parts) == 1 else tuple(parts[:-1]), url)
    indicator = Indicator.objects.first().slug
    api = [
        reverse("indicators:detail_csv", args=[indicator]),
        reverse("indicators:detail_json", args=[indicator]),
    ]
    return urls, sorted(set(kinds.values())) + api


def test_every_public_url_answers_below_500(client):
    urls, _ = sweep_urls()
    for url in urls:
        assert client.get(url).status_code < 500, url
        assert client.head(url).status_code < 500, url


def declared_parameters(patterns) -> set:
    """Every query parameter a view of these URL patterns declares (`@reads`)."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= declared_parameters(pattern.url_patterns)
        else:
            names |= getattr(pattern.callback, "page_parameters", set())
    return names


def test_the_sweep_covers_every_parameter_the_pages_read():
    declared = declared_parameters(get_resolver().url_patterns)
    assert {"q", "edition", "per_page"} <= declared
    assert declared <= set(PARAMS)


def test_malformed_parameters_never_make_a_5xx(client):
    _, kinds = sweep_urls()
    kinds += ["/search/", "/indicators/results.csv", "/indicators/results.json"]
    for url in kinds:
        for name in PARAMS:
            for value in ODD_VALUES:
                response = client.get(url, {name: value})
                assert response.status_code < 500, (url, name, value[:20])


def test_odd_paths_never_make_a_5xx(client):
    for path in ODD_PATHS:
        assert client.get(path).status_code < 500, path


def test_unsafe_methods_on_public_pages_are_refused_cleanly(client):
    for url in ["/", "/projects/sumairu/", "/indicators/", "/search/"]:
        assert client.post(url).status_code in (403, 405), url
        assert client.put(url).status_code in (403, 405), url


HOSTS = [
    "evil.example",
    "",
    "localhost:abc",
    "a" * 300,
    "[::1",
    "host with space",
    "testserver\x00",
    "testserver/../",
    "xn--zckzah.example",
]


def test_a_bad_host_header_answers_400_in_japanese_never_500(client):
    urls = ["/", "/projects/sumairu/", "/indicators/", "/nothing-here", "/accounts/login/"]
    for url in urls:
        client.get(url)  # cached for the right host first
        for host in HOSTS:
            response = client.get(url, HTTP_HOST=host)
            assert response.status_code == 400, (url, host[:20], response.status_code)
            assert "リクエストが正しくありません" in response.content.decode()


def test_a_bad_host_is_logged_in_one_line_without_a_traceback(client):
    """Anyone can send one: each would otherwise put a traceback in the error log."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("django.security.DisallowedHost")
    logger.addHandler(handler)
    try:
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1
    assert "evil.example" in records[0].getMessage()
    assert records[0].exc_info is None


COOKIES = [
    "sessionid=made-up-session-key",
    "sessionid=" + "x" * 4000,
    "sessionid=%00%ff",
    "csrftoken=bogus; sessionid=",
    "a=b; =; ;; c",
    "sessionid=\xe3\x81\x82",  # UTF-8 bytes, as WSGI hands them over (latin-1)
]


def test_odd_cookies_never_make_a_5xx(client):
    for url in ["/", "/projects/sumairu/", "/indicators/", "/indicators/results.json"]:
        for cookie in COOKIES:
            response = client.get(url, HTTP_COOKIE=cookie)
            assert response.status_code == 200, (url, cookie[:30])


@pytest.mark.parametrize("value", ["-1", "0", "100000", "abc", "1e3", "", "50.5"])
def test_per_page_is_bounded(client, value):
    response = client.get("/indicators/", {"per_page": value})
    assert response.status_code == 200
    rows = response.context["table"].page.object_list
    assert 1 <= len(rows) <= 200
