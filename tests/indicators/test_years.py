"""Every kind of figure in the seed, with 1, 2, 5 and 20 fiscal years: card, chart, page, downloads."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.cards import card_for
from indicators.demo import _next_figure
from indicators.models import Indicator, Result
from indicators.series import group_series

pytestmark = pytest.mark.django_db

# One indicator per kind of result the seed holds, and whether consecutive
# figures of that kind may be compared (前年度比).
KINDS = {
    "count": ("p1-marriage-support-consultations", True),
    "denominator": ("p1-safe-childbirth-support-municipalities", True),
    "span": ("p1-furusato-center-consultations", False),  # cumulative spans from one start
    "span-cumulative": ("p1-furusato-center-seminar-municipalities", False),
    "as-of": ("p1-shogai-katsuyaku-intent-municipalities", True),
    "subset": ("p2-workstyle-center-advisor-companies", True),
    "budget": ("p2-mirai-challenge-budget", True),
    "breakdown": ("p2-mirai-challenge-grants", True),
    "month-approximate": ("p3-smart-agri-fair-visitors", True),
    "breakdown-as-of": ("p4-dmo-registrations", True),
    "breakdown-calendar-approximate": ("p5-net-outflow-outside-hokkaido", True),
    "breakdown-ratio": ("p5-total-fertility-rate", True),
}
YEARS = [1, 2, 5, 20]


def with_years(indicator, years: int) -> list:
    """Keep each series' newest seed figure and add published figures after it, up to `years`
    periods; the newest is a 速報値. Returns the newest figure of each series."""
    newest = []
    for series in group_series(indicator.results.all()):
        template = series.results[-1]
        Result.objects.filter(indicator=indicator, breakdown=series.breakdown).exclude(
            pk=template.pk
        ).delete()
        figures = []
        for step in range(1, years):
            value = Decimal(template.value) + step
            if template.denominator is not None:
                value = min(value, template.denominator)
            figure = _next_figure(template, template.fiscal_year + step, value)
            figures.append(figure)
        Result.objects.bulk_create(figures)
        latest = figures[-1] if figures else template
        Result.objects.filter(
            indicator=indicator, breakdown=series.breakdown, fiscal_year=latest.fiscal_year
        ).update(provisional=True)
        newest.append(Result.objects.get(pk=latest.pk) if latest.pk else latest)
    return newest


def card_html(html: str, indicator) -> str:
    """The figure card of `indicator` on a project page."""
    for article in re.findall(r'<article class="figure-card.*?</article>', html, re.S):
        if f'href="{indicator.get_absolute_url()}"' in article.split("</p>", 1)[0]:
            return article
    raise AssertionError(f"no card for {indicator.slug}")


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("years", YEARS)
@pytest.mark.parametrize("kind", KINDS)
def test_the_card_shows_the_newest_figure_a_chart_or_table_and_only_fair_comparisons(
    client, kind, years
):
    slug, comparable = KINDS[kind]
    indicator = Indicator.objects.select_related("measure").get(slug=slug)
    newest = with_years(indicator, years)
    page = client.get(indicator.measure.get_absolute_url().split("#")[0])
    card = card_html(page.content.decode(), indicator)
    text = text_of(card)
    for figure in newest:
        figure.indicator = indicator
        assert figure.value_display in text, (figure.value_display, text)
        assert figure.period_display in text
    drawn = 'data-chart="chart-' in card and 'class="table-scroll"' in card
    assert drawn or 'class="card-table"' in card
    if years > 1:
        assert 'data-chart="chart-' in card, "several years must be drawn as a series"
        assert "速報値" in text
    # Calendar-year statistics compare with the year before (前年比), the rest with
    # the fiscal year before (前年度比).
    word, other = ("前年比", "前年度比") if newest[0].period == "cy" else ("前年度比", "前年比")
    assert (word in text) == (years > 1 and comparable), text
    assert other not in text


@pytest.mark.parametrize("years", YEARS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_kind_of_figure_falls_back_to_the_table(kind, years):
    """The chart builder handles every kind in the seed: the fallback is never needed."""
    indicator = Indicator.objects.get(slug=KINDS[kind][0])
    with_years(indicator, years)
    card = card_for(indicator, Result.objects.filter(indicator=indicator), targets=())
    assert not card.chart_failed
    if years > 1:
        assert card.chart is not None
        drawn_years = {p for trace in card.chart.figure["data"] for p in trace["x"]}
        assert len(drawn_years) >= years


@pytest.mark.parametrize("years", [2, 20])
@pytest.mark.parametrize("kind", ["count", "breakdown", "span"])
def test_indicator_page_table_and_downloads_hold_every_year(client, kind, years):
    indicator = Indicator.objects.get(slug=KINDS[kind][0])
    with_years(indicator, years)
    count = Result.objects.filter(indicator=indicator).count()
    page = text_of(client.get(indicator.get_absolute_url()).content.decode())
    for result in Result.objects.filter(indicator=indicator):
        assert result.period_display in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("indicators:detail_csv", args=[indicator.slug])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == count
    data = json.loads(client.get(reverse("indicators:detail_json", args=[indicator.slug])).content)
    assert len(data["results"]) == count
    listed = client.get(reverse("indicators:list"), {"project": indicator.measure.project.pk})
    table = text_of(listed.content.decode())
    assert indicator.name in table


def test_overlapping_cumulative_spans_are_never_compared(client):
    """H28.10.1～H30.3.31 then H28.10.1～H31.3.31: no 「+744件（154.5%）」."""
    indicator = Indicator.objects.select_related("measure").get(
        slug="p1-furusato-center-consultations"
    )
    template = indicator.results.get()
    later = _next_figure(template, 2018, Decimal(2110))
    later.save()
    assert later.period_start == template.period_start
    card = text_of(
        card_html(
            client.get(indicator.measure.get_absolute_url().split("#")[0]).content.decode(),
            indicator,
        )
    )
    assert "2,110件" in card and "2016年10月1日～2019年3月31日" in card
    assert "前年度比" not in card
    # The chart names both ends of each span: they differ only at the end (part 15).
    chart = card_for(indicator, list(indicator.results.all())).chart
    ticks = [x for trace in chart.figure["data"] for x in trace["x"]]
    assert ticks == ["2016年10月～2018年3月", "2016年10月～2019年3月"], ticks


def test_a_measure_shows_its_activities_side_by_side(client):
    """農林漁業の一体的なPR: イベント 192名, 出前講座 317名, ツアー 23名 in one chart."""
    html = client.get(reverse("projects:detail", args=["seme-no-nourinsuisan"])).content.decode()
    figures = {
        m.group(1): json.loads(m.group(2))
        for m in re.finditer(
            r'<script id="(activities-[^"]+)" type="application/json">(.*?)</script>', html, re.S
        )
    }
    people = [f for f in figures.values() if f["data"][0]["x"] == [192.0, 317.0, 23.0]]
    assert len(people) == 1
    assert people[0]["data"][0]["y"] == [
        "移住・転職希望者対象イベント 来場者",
        "出前講座 参加者",
        "就業・暮らし体験ツアー 参加者",
    ]
    counts = [f for f in figures.values() if f["data"][0]["x"] == [11.0, 5.0, 13.0]]
    assert len(counts) == 1
    assert "この施策の取組の比較" in html
