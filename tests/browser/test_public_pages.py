"""Every kind of public page in a real browser: it loads, its charts draw, it
makes no console error and no request off this machine (axe-core judges each
page type in test_accessibility.py); a visitor's paths through the site."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from harness.page_types import page_types

from .conftest import charts_drawn, scroll_to_every_chart, settle


def serious(violations):
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_type_loads_and_draws_with_no_console_error_or_outside_request(site, watched):
    """The page types of harness.page_types (axe runs on each in test_accessibility)."""
    page, watch = watched
    for page_type in page_types():
        response = page.goto(site.url + page_type.path)
        assert response.status == page_type.status, page_type.path
        settle(page)
        if page_type.charts:
            scroll_to_every_chart(page, page_type.charts)
        if page_type.status == 200:  # a 404 is logged by Chromium as a failed load
            assert watch.errors == [], page_type.path
        watch.errors.clear()
    assert watch.foreign == []


def test_a_visitor_goes_from_home_to_a_measure_and_its_figures(site, watched):
    page, watch = watched
    page.goto(site.url + "/")
    page.get_by_role(
        "link", name="北のめぐみ「資源・ひと・経済好循環」創出プロジェクト"
    ).first.click()
    expect(page.get_by_role("heading", name="◆ ほっかいどう未来チャレンジ基金")).to_be_visible()
    card = page.locator(".figure-card", has_text="予算額")
    assert "27,452" in card.locator(".big-number").inner_text()
    assert "前年度比" in card.inner_text()
    card.get_by_role("link", name="予算額").click()
    expect(page.get_by_role("heading", name="予算額", level=1)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV（Excel対応）").click()
    assert download.value.suggested_filename == "p2-mirai-challenge-budget.csv"
    assert watch.errors == [] and watch.foreign == []


def test_search_from_the_header(site, watched):
    page, _ = watched
    page.goto(site.url + "/")
    page.get_by_role("searchbox", name="施策・指標を検索").fill("出生率")
    page.get_by_role("button", name="検索").first.click()
    expect(page.get_by_role("link", name="合計特殊出生率")).to_be_visible()


def test_indicator_table_filters_in_the_browser(site, watched):
    page, _ = watched
    page.goto(site.url + reverse("indicators:list"))
    page.get_by_label("単位").select_option("千円")
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(2)
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
