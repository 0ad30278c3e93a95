"""The checklist loop (issue 19, part 9): from a 未入力 link, the form shows last year's
figure, 「保存して次の未入力へ」 walks on to the next missing indicator, and a duplicate
links to the stored figure."""

import re

import pytest
from django.urls import reverse

from indicators import checklist
from indicators.models import Indicator, Result

from .conftest import ADD_URL, add_result

pytestmark = pytest.mark.django_db

SLUG = "p1-marriage-support-consultations"


def test_the_form_shows_last_years_figure(editor_client):
    indicator = Indicator.objects.get(slug=SLUG)
    page = editor_client.get(f"{ADD_URL}?indicator={indicator.pk}&fiscal_year=2018")
    text = page.content.decode()
    assert "前年度の実績</strong>：相談件数 813件（2017年度（平成29年度）・公開）" in text


def test_save_and_go_to_the_next_missing_indicator(editor_client):
    missing = checklist.checklist(fiscal_year=2018).missing
    first, second = missing[0], missing[1]
    page = editor_client.get(f"{ADD_URL}?indicator={first.pk}&fiscal_year=2018")
    assert 'name="_next_missing"' in page.content.decode()
    response = add_result(
        editor_client, slug=first.slug, value="1", _next_missing="保存して次の未入力へ"
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ADD_URL}?indicator={second.pk}&fiscal_year=2018"
    assert Result.objects.filter(indicator=first, fiscal_year=2018).exists()
    followed = editor_client.get(response["Location"]).content.decode()
    assert f"次の未入力：{second.name}" in followed


def test_a_duplicate_links_to_the_stored_figure(editor_client):
    stored = Result.objects.get(indicator__slug=SLUG, fiscal_year=2017)
    response = add_result(editor_client, fiscal_year="2017", value="900")
    text = response.content.decode()
    link = reverse("admin:indicators_result_change", args=[stored.pk])
    assert re.search(rf'<a href="{link}">その実績を開いて修正</a>', text)


@pytest.mark.parametrize(
    "query", ["indicator=99999999999999999999&fiscal_year=2018", "indicator=1&fiscal_year=70000"]
)
def test_the_form_survives_out_of_range_parameters(editor_client, query):
    assert editor_client.get(f"{ADD_URL}?{query}").status_code == 200
