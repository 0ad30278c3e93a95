"""The public dashboard: cards, charts, the indicator table, downloads, search, map."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from indicators.charts import indicator_chart
from indicators.models import Indicator, Result
from indicators.series import group_series
from municipalities.models import DMO
from projects.models import Project

from .test_pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_times_the_data():
    """Every result again for 19 more fiscal years: 20 times the rows."""
    extra = []
    firsts = {}
    for result in Result.objects.order_by("fiscal_year"):
        firsts.setdefault((result.indicator_id, result.breakdown), result)
    for result in firsts.values():
        for year in range(1994, 2014):
            extra.append(
                Result(
                    indicator_id=result.indicator_id,
                    edition_id=result.edition_id,
                    fiscal_year=year,
                    value=result.value,
                    breakdown=result.breakdown,
                    status="published",
                    order=result.order,
                )
            )
    Result.objects.bulk_create(extra)
    assert Result.objects.count() >= 20 * 51


def json_scripts(html):
    return {
        m.group(1): json.loads(m.group(2))
        for m in re.finditer(
            r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S
        )
    }


def test_project_page_draws_charts_from_json_with_no_inline_script(client):
    html = client.get(reverse("projects:detail", args=["kitanomegumi"])).content.decode()
    figures = json_scripts(html)
    assert len(figures) == 3  # 登録プロジェクト数 H28→H29, 助成実績 by コース, 予算額 H29→H30
    budget = figures[f"chart-{Indicator.objects.get(slug='p2-mirai-challenge-budget').pk}"]
    assert budget["data"][0]["y"] == [20814.0, 27452.0]
    # every <script> is either the site's static file or JSON data
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or 'src="/static/' in tag, tag
    assert "plotly-basic-4.1.1.min.js" in html


def test_every_chart_has_a_text_alternative_and_its_numbers_in_a_table(client):
    text = page_text(client.get(reverse("projects:detail", args=["chiiki-jiritsuken"])))
    html = client.get(reverse("projects:detail", args=["chiiki-jiritsuken"])).content.decode()
    assert (
        'aria-label="合計特殊出生率（2016年（平成28年））の内訳：全国 1.44、道全体 1.29、札幌市 1.18"'
        in html
    )
    for value in ("1.44", "1.29", "1.18", "約6,900人", "うち約3,000人"):
        assert value in text


def test_cards_show_the_comparison_with_the_previous_year(client):
    text = page_text(client.get(reverse("projects:detail", args=["kitanomegumi"])))
    assert "前年度比 +6,638千円（131.9%）" in text
    assert "前年度比 +3件（127.3%）" in text


def test_share_chart_for_a_value_with_a_denominator():
    result = Result.objects.get(indicator__slug="p1-safe-childbirth-support-municipalities")
    chart = indicator_chart("実施市町村数", "市町村", group_series([result]))
    assert chart.kind == "share"
    assert chart.summary == "実施市町村数：対象99市町村のうち80市町村（80.8%）"


def test_dmo_registrations_by_type_match_the_dmo_table(client):
    results = {
        r.breakdown: r.value for r in Result.objects.filter(indicator__slug="p4-dmo-registrations")
    }
    assert results == {kind: DMO.objects.filter(kind=kind).count() for kind in results}
    html = client.get(reverse("projects:detail", args=["asia-no-hokkaido"])).content.decode()
    assert "日本版DMO登録数" in html and 'data-chart="chart-' in html


def test_home_shows_headline_figures_and_the_update_date(client):
    text = page_text(client.get(reverse("projects:home")))
    assert "結婚サポートセンターの運営：相談件数 813件" in text
    assert "データ更新日：" in text
    for project in Project.objects.all():
        assert project.name in text


def test_indicator_table_filters_sorts_and_pages(client):
    url = reverse("indicators:list")
    everything = page_text(client.get(url))
    assert "813件" in everything and "1.44" in everything
    p2 = Project.objects.get(number=2)
    only_p2 = page_text(client.get(url, {"project": p2.pk}))
    assert "20,814千円" in only_p2 and "813件" not in only_p2
    fy2016 = page_text(client.get(url, {"fiscal_year": "2016"}))
    assert "11件" in fy2016 and "813件" not in fy2016
    units = page_text(client.get(url, {"unit": "千円"}))
    assert "27,452千円" in units and "813件" not in units
    by_value = client.get(url, {"sort": "-value"}).content.decode()
    assert by_value.index("27,452千円") < by_value.index("813件")


@pytest.mark.parametrize(
    "params",
    [
        {"fiscal_year": "abc"},
        {"project": "999999"},
        {"unit": "\x00"},
        {"page": "abc"},
        {"page": "99999"},
        {"sort": "nonsense"},
        {"project": "1" * 500},
    ],
)
def test_indicator_table_survives_malformed_parameters(client, params):
    response = client.get(reverse("indicators:list"), params)
    assert response.status_code in (200, 404)
    for name in ("indicators:results_csv", "indicators:results_json"):
        assert client.get(reverse(name), params).status_code == 200


def test_csv_download_opens_in_excel_and_follows_the_filters(client):
    p1 = Project.objects.get(number=1)
    response = client.get(reverse("indicators:results_csv"), {"project": p1.pk})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {row["プロジェクト"] for row in rows} == {p1.name}
    consultations = next(r for r in rows if r["指標ID"] == "p1-marriage-support-consultations")
    assert (consultations["値"], consultations["単位"], consultations["年度"]) == (
        "813",
        "件",
        "2017",
    )
    span = next(r for r in rows if r["指標ID"] == "p1-furusato-center-consultations")
    assert (span["期間開始"], span["期間終了・時点"]) == ("2016-10-01", "2018-03-31")


def test_json_download_has_numbers_units_and_periods(client):
    data = client.get(reverse("indicators:detail_json", args=["p5-total-fertility-rate"])).json()
    assert data["indicator"]["name"] == "合計特殊出生率"
    assert [(r["breakdown"], r["value"]) for r in data["results"]] == [
        ("全国", 1.44),
        ("道全体", 1.29),
        ("札幌市", 1.18),
    ]
    assert data["results"][0]["period"] == "2016年（平成28年）"


def test_downloads_leave_out_drafts_for_the_public(client, staff_client):
    Result.objects.filter(indicator__slug="p1-marriage-support-consultations").update(
        status="draft"
    )
    for name, args in [
        ("indicators:results_json", []),
        ("indicators:detail_json", ["p1-marriage-support-consultations"]),
    ]:
        public = client.get(reverse(name, args=args)).json()["results"]
        assert not any(r["indicator"] == "p1-marriage-support-consultations" for r in public)
        staff = staff_client.get(reverse(name, args=args)).json()["results"]
        assert any(
            r["indicator"] == "p1-marriage-support-consultations" and r["status"] == "draft"
            for r in staff
        )
    csv_text = client.get(reverse("indicators:results_csv")).content.decode("utf-8-sig")
    assert "p1-marriage-support-consultations" not in csv_text


def test_csv_cells_that_excel_would_run_are_escaped(client):
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.breakdown = '=HYPERLINK("http://example.invalid")'
    result.save()
    text = client.get(
        reverse("indicators:detail_csv", args=["p1-marriage-support-consultations"])
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_indicator_page_has_definition_source_and_its_own_downloads(client):
    indicator = Indicator.objects.get(slug="p2-mirai-challenge-grants")
    html = client.get(indicator.get_absolute_url()).content.decode()
    assert indicator.description in html
    assert reverse("indicators:detail_csv", args=[indicator.slug]) in html
    assert reverse("indicators:detail_json", args=[indicator.slug]) in html
    assert "北海道総合政策部" in html
    assert 'data-chart="chart-' in html


def test_search_finds_measures_and_indicators(client):
    text = page_text(client.get(reverse("projects:search"), {"q": "結婚"}))
    assert "結婚サポートセンターの運営" in text
    text = page_text(client.get(reverse("projects:search"), {"q": "合計特殊出生率"}))
    assert "合計特殊出生率" in text and "指標 1件" in text
    both = page_text(client.get(reverse("projects:search"), {"q": "DMO 登録"}))
    assert "日本版DMO登録数" in both


@pytest.mark.parametrize("q", ["", "\x00", "あ" * 5000, "%", "_", "' OR 1=1 --"])
def test_search_survives_odd_queries(client, q):
    assert client.get(reverse("projects:search"), {"q": q}).status_code == 200


@pytest.mark.parametrize(
    "name, args, limit",
    [
        ("projects:home", [], 10),
        ("projects:detail", ["sumairu"], 12),
        ("projects:detail", ["kitanomegumi"], 12),
        ("indicators:list", [], 7),
        # 4, and 2 for open data 1.2: the departments, and the published self-assessments
        ("indicators:results_csv", [], 6),
        ("indicators:results_json", [], 6),
        ("indicators:detail", ["p2-mirai-challenge-budget"], 5),
        ("municipalities:areas", [], 5),
        ("projects:search", [], 1),
    ],
)
def test_query_counts_do_not_grow_with_20_times_the_data(
    client, django_assert_max_num_queries, twenty_times_the_data, name, args, limit
):
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200


def test_the_header_search_box_is_not_filled_with_the_table_filters(client):
    html = client.get(reverse("indicators:list"), {"fiscal_year": "2017"}).content.decode()
    box = re.search(r'<input type="search" id="site-search"[^>]*>', html).group(0)
    assert 'value=""' in box
    assert 'href="/indicators/results.csv?fiscal_year=2017"' in html
