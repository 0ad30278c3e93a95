"""The home page reads only what it shows: its work does not grow with the data."""

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from indicators.models import Result
from strategy_portal import pagecache as page_cache

from ..test_dashboard import twenty_times_the_data  # noqa: F401  (a fixture)
from ..test_pages import page_text

pytestmark = pytest.mark.django_db


class RowsRead:
    """Results the ORM turned into objects while a page was rendered (rows read)."""

    def __init__(self):
        self.count = 0

    def __call__(self, sender, **kwargs):
        self.count += 1


def home_reads(client, django_assert_max_num_queries, queries):
    page_cache.clear_pages()  # an uncached render
    rows = RowsRead()
    post_init.connect(rows, sender=Result)
    try:
        with django_assert_max_num_queries(queries) as captured:
            response = client.get(reverse("projects:home"))
    finally:
        post_init.disconnect(rows, sender=Result)
    assert response.status_code == 200
    return page_text(response), len(captured.captured_queries), rows.count


def headlines(text):
    start = text.index("重点戦略プロジェクト")
    return text[start : text.index("指標 ", start)]


def test_home_reads_only_the_results_it_shows(client, django_assert_max_num_queries):
    text, queries, rows = home_reads(client, django_assert_max_num_queries, 10)
    # two cards per project, each its latest year: 813件 is FY2017's 相談件数
    assert "結婚サポートセンターの運営：相談件数 813件" in text
    assert rows <= 5 * 2 * 3, rows  # at most a few breakdowns per card


def test_home_reads_no_more_rows_nor_queries_at_20_times_the_data(
    client, django_assert_max_num_queries, request
):
    text, queries, rows = home_reads(client, django_assert_max_num_queries, 10)
    request.getfixturevalue("twenty_times_the_data")
    text20, queries20, rows20 = home_reads(client, django_assert_max_num_queries, 10)
    assert Result.objects.count() >= 20 * 51
    assert (queries20, rows20) == (queries, rows)
    assert headlines(text20) == headlines(text)  # the same cards, the same numbers
