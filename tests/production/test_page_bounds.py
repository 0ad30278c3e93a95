"""A page number from the query string is bounded: only real pages are rendered.

The page cache keys a list page by the parameters its view reads, `page`
among them, so every distinct value was a render: `?per_page=200&page=<random>`
showed the last page again under a new key each time (a cached page's p50 went
from 12 to 60 ms under 8 threads). Now a `page` that is not one of the list's
pages (past the last, not a positive whole number as the site writes it)
answers the Japanese 404 page, which is small and never cached.
"""

import math

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import Result
from tests.test_pages import page_text

pytestmark = pytest.mark.django_db

LIST = reverse("indicators:list")
PER_PAGE = 20


def pages_of_results() -> int:
    return math.ceil(Result.objects.public().count() / PER_PAGE)


def paged_views(patterns, prefix=""):
    """The URL names of every view that reads `page`."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from paged_views(pattern.url_patterns, prefix + namespace)
        elif isinstance(pattern, URLPattern):
            if "page" in getattr(pattern.callback, "page_parameters", ()):
                yield prefix + str(pattern.name)


def test_the_indicator_list_is_the_only_page_that_takes_a_page_number():
    """A new paged list must join the tests below (search shows its first 50, unpaged)."""
    assert sorted(paged_views(get_resolver().url_patterns)) == ["indicators:list"]


def test_every_page_of_the_list_answers_and_the_last_one_has_the_last_rows(client):
    last = pages_of_results()
    assert last > 2
    for page in (1, 2, last):
        response = client.get(LIST, {"per_page": PER_PAGE, "page": page})
        assert response.status_code == 200, page
        assert response.context["table"].page.number == page
    rows = response.context["table"].page.object_list
    assert 1 <= len(rows) <= PER_PAGE
    assert "次のページ" not in page_text(response)
    assert client.get(LIST).status_code == 200  # no page: the first


@pytest.mark.parametrize(
    "value",
    ["past the last", "99999", "abc", "0", "-1", "01", "1.5", "１", "", "1e3", "9" * 10_000],
)
def test_a_page_that_is_not_one_of_the_lists_pages_is_not_found(client, value):
    if value == "past the last":
        value = str(pages_of_results() + 1)
    response = client.get(LIST, {"per_page": PER_PAGE, "page": value})
    assert response.status_code == 404, value[:20]
    text = page_text(response)
    assert "ページが見つかりません" in text and "指標と実績の一覧" in text
    assert "<table" not in response.content.decode()  # no render of the list


def test_a_page_past_the_end_of_a_filtered_list_is_not_found(client):
    one_year = {"fiscal_year": "2016", "per_page": PER_PAGE}
    first = client.get(LIST, {**one_year, "page": 1})
    assert first.status_code == 200
    pages = first.context["table"].paginator.num_pages
    assert client.get(LIST, {**one_year, "page": pages + 1}).status_code == 404


def test_random_page_numbers_make_no_new_cached_pages(client):
    from django.core.cache import caches

    client.get(LIST, {"per_page": 200})
    before = len(caches["pages"]._cache)
    for n in range(20):
        response = client.get(LIST, {"per_page": 200, "page": 1000 + n})
        assert response.status_code == 404
    assert len(caches["pages"]._cache) == before
