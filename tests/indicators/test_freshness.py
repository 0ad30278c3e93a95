"""In public, on every measure and indicator: the owning department, 最終更新日,
次回更新予定 and a plain 更新遅れ mark when a round's due date passed without a
published figure of its year (indicators.freshness)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import rounds
from indicators.models import Indicator, Result, Round
from projects.models import Department

from ..test_pages import page_text

pytestmark = pytest.mark.django_db

SLUG = "p1-marriage-support-consultations"


@pytest.fixture
def owned():
    keizai = Department.objects.create(name="経済部", order=1)
    nousei = Department.objects.create(name="農政部", order=2)
    indicator = Indicator.objects.get(slug=SLUG)
    indicator.measure.department = keizai
    indicator.measure.save()
    indicator.measure.related_departments.add(nousei)
    return indicator


def open_round(year, days):
    round_ = Round.objects.create(
        fiscal_year=year, due_on=timezone.localdate() + datetime.timedelta(days=days)
    )
    rounds.open_round(round_)
    return round_


def test_the_seed_names_no_department(client):
    text = page_text(client.get(reverse("indicators:detail", args=[SLUG])))
    assert "担当部局" not in text and "更新遅れ" not in text


def test_an_indicator_page_shows_its_owner_and_freshness(client, owned):
    newest = max(r.updated_at for r in owned.results.filter(status="published"))
    open_round(2019, days=20)
    text = page_text(client.get(reverse("indicators:detail", args=[SLUG])))
    assert "担当部局経済部" in text
    assert f"最終更新日{timezone.localdate(newest):%Y年%-m月%-d日}" in text
    due = timezone.localdate() + datetime.timedelta(days=20)
    assert f"次回更新予定{due:%Y年%-m月%-d日}（実績の提出期限）" in text
    assert "更新遅れ" not in text


def test_a_passed_due_date_without_a_published_figure_is_late(client, owned):
    open_round(2019, days=-3)
    Result.objects.create(indicator=owned, fiscal_year=2019, value=1, source="経済部の調べ")
    url = reverse("indicators:detail", args=[SLUG])
    text = page_text(client.get(url))
    assert "更新遅れ" in text and "2019年度の実績が、提出期限を過ぎても公開されていません" in text
    # Published: no longer late.
    Result.objects.filter(indicator=owned, fiscal_year=2019).update(status="published")
    from strategy_portal import pagecache

    pagecache.clear_pages()
    assert "更新遅れ" not in page_text(client.get(url))


def test_a_project_page_names_each_measures_department(client, owned):
    open_round(2019, days=-3)
    project = owned.measure.project
    text = page_text(client.get(project.get_absolute_url()))
    assert "担当部局：経済部" in text
    assert "担当：経済部" in text and "更新遅れ" in text
