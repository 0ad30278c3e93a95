"""The year's checklist on the admin index and the page 「未入力の指標」."""

import pytest
from django.urls import reverse

from indicators.models import Indicator, Result, Target
from projects import services
from projects.models import Edition

from ..test_pages import page_text

pytestmark = pytest.mark.django_db


def test_the_admin_index_says_what_is_left_for_this_year(editor_client):
    services.start_next_edition(Edition.objects.get(year=2018))  # results to FY2018
    consultations = Indicator.objects.get(slug="p1-marriage-support-consultations")
    Result.objects.create(
        indicator=consultations, edition=Edition.objects.get(year=2019), fiscal_year=2018, value=845
    )
    Target.objects.create(indicator=consultations, fiscal_year=2019, value=1000)
    text = page_text(editor_client.get(reverse("admin:index")))
    total = Indicator.objects.count()
    already = Indicator.objects.filter(results__fiscal_year=2018).distinct().count()
    assert "今年度の作業（2018年度の実績・2019年版（下書き））" in text
    assert f"実績を入力済みの指標{already} / {total}" in text
    assert f"まだ実績がない指標{total - already}" in text
    assert "公開を待つ実績（下書き）1" in text and "公開を待つ目標（下書き）1" in text
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert f"?indicator={Indicator.objects.get(slug='p1-child-ibasho-municipalities').pk}" in html


def test_the_missing_page_lists_each_indicator_without_a_figure_with_a_link_to_enter_it(
    editor_client,
):
    url = reverse("admin:indicators_result_missing")
    page = editor_client.get(url, {"fiscal_year": "2017"})
    text = page_text(page)
    missing = Indicator.objects.exclude(results__fiscal_year=2017)
    assert f"まだないのは{missing.count()}指標" in text
    for indicator in missing:
        assert indicator.name in text
    assert "相談件数" not in text.split("まだないのは")[1].split("プロジェクト")[0]
    add = reverse("admin:indicators_result_add")
    form = editor_client.get(add, {"indicator": missing.first().pk, "fiscal_year": "2017"})
    assert form.status_code == 200 and 'value="2017"' in form.content.decode()
    assert editor_client.get(url, {"fiscal_year": "abc"}).status_code == 200


def test_staff_without_the_admin_cannot_open_the_missing_page(staff_client):
    response = staff_client.get(reverse("admin:indicators_result_missing"))
    assert response.status_code == 302  # to the admin login
