"""Every kind of public page in a real browser: it loads, its charts draw, it
makes no console error and no request off this machine, and axe-core finds
no serious or critical accessibility violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from indicators.models import Indicator
from municipalities.models import CollaborationArea

from .conftest import charts_drawn, scroll_to_every_chart, settle

AXE = Axe()


def page_urls():
    """(kind, path, number of charts expected at least)."""
    area = CollaborationArea.objects.get(name__startswith="とんがりロード")
    return [
        ("home", reverse("projects:home"), 0),
        ("project", reverse("projects:detail", args=["sumairu"]), 1),
        ("project", reverse("projects:detail", args=["kitanomegumi"]), 3),
        ("project", reverse("projects:detail", args=["chiiki-jiritsuken"]), 2),
        ("indicator table", reverse("indicators:list"), 0),
        (
            "indicator",
            Indicator.objects.get(slug="p2-mirai-challenge-budget").get_absolute_url(),
            1,
        ),
        ("municipalities", reverse("municipalities:list"), 0),
        ("subprefecture", reverse("municipalities:subprefecture", args=["hidaka"]), 0),
        ("municipality", reverse("municipalities:detail", args=["016071"]), 0),
        ("areas and map", reverse("municipalities:areas"), 0),  # maps: tests/browser/test_maps.py
        ("area", area.get_absolute_url(), 0),
        ("search", reverse("projects:search") + "?q=相談", 0),
        ("about", reverse("projects:about"), 0),
        ("login", "/accounts/login/", 0),
    ]


def serious(violations):
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_every_kind_of_page_loads_draws_and_passes_axe(site, watched):
    page, watch = watched
    for kind, path, charts in page_urls():
        response = page.goto(site.url + path)
        assert response.status == 200, (kind, path)
        settle(page)
        if charts:
            scroll_to_every_chart(page, charts)
        assert page.title().endswith("北海道創生総合戦略ポータル"), path
        violations = AXE.run(page).response["violations"]
        assert serious(violations) == [], (kind, path)
    assert watch.errors == []
    assert watch.foreign == []


def test_a_visitor_goes_from_home_to_a_measure_and_its_figures(site, watched):
    page, watch = watched
    page.goto(site.url + "/")
    page.get_by_role(
        "link", name="北のめぐみ「資源・ひと・経済好循環」創出プロジェクト"
    ).first.click()
    assert page.get_by_role("heading", name="◆ ほっかいどう未来チャレンジ基金").is_visible()
    card = page.locator(".figure-card", has_text="予算額")
    assert "27,452" in card.locator(".big-number").inner_text()
    assert "前年度比" in card.inner_text()
    card.get_by_role("link", name="予算額").click()
    assert page.get_by_role("heading", name="予算額", level=1).is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV（Excel対応）").click()
    assert download.value.suggested_filename == "p2-mirai-challenge-budget.csv"
    assert watch.errors == [] and watch.foreign == []


def test_search_from_the_header(site, watched):
    page, _ = watched
    page.goto(site.url + "/")
    page.get_by_role("searchbox", name="施策・指標を検索").fill("出生率")
    page.get_by_role("button", name="検索").first.click()
    assert page.get_by_role("link", name="合計特殊出生率").is_visible()


def test_indicator_table_filters_in_the_browser(site, watched):
    page, _ = watched
    page.goto(site.url + reverse("indicators:list"))
    page.get_by_label("単位").select_option("千円")
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("table.results-table tbody tr")
    assert rows.count() == 2
    assert "20,814千円" in rows.nth(0).inner_text() + rows.nth(1).inner_text()


@pytest.mark.parametrize(
    "path", ["/", "/projects/sumairu/", "/indicators/", "/municipalities/areas/"]
)
def test_pages_fit_a_phone_screen(site, page, path):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site.url + path)
    settle(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_a_project_page_prints_with_its_charts_address_and_date(site, page):
    page.goto(site.url + "/projects/kitanomegumi/")
    settle(page)
    assert charts_drawn(page) == 0  # not scrolled: nothing drawn yet
    page.emulate_media(media="print")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart][data-state=drawn]').length == 3"
    )
    assert page.locator(".print-only").is_visible()
    assert site.url + "/projects/kitanomegumi/" in page.locator(".print-only").inner_text()
    assert not page.locator(".site-nav").is_visible()
    assert page.locator(".main-svg").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
