"""No request makes a 5xx: malformed or huge parameters, unknown ids, odd bytes."""

from urllib.parse import quote

import pytest

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
PARAMS = ["page", "sort", "project", "fiscal_year", "unit", "q", "edition", "per_page"]
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
    # one of each kind is enough for the parameter sweep; every URL gets the plain GET
    kinds = {}
    for url in urls:
        kinds.setdefault(url.rstrip("/").rsplit("/", 1)[0], url)
    return urls, list(kinds.values())


def test_every_public_url_answers_below_500(client):
    urls, _ = sweep_urls()
    for url in urls:
        assert client.get(url).status_code < 500, url
        assert client.head(url).status_code < 500, url


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
