"""Charts in the first paint (issue 21): with their pictures drawn, every chart of every
page type shows in Chromium with JavaScript off, and the interactive chart takes its
place without moving anything."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse

from harness.page_types import page_types
from projects.report import print_page

from .conftest import scroll_to_every_chart, settle
from .test_accessibility import ace_violations
from .test_lazy_charts import RECORD
from .test_public_pages import serious

EMBED = "/indicators/p2-mirai-challenge-budget/embed/"
# Every page type with a chart, and the embed (other sites' iframes), which works with
# no script at all.
CHART_PAGES = [p.path for p in page_types() if p.charts] + [EMBED]
MAP_PAGES = [
    reverse("municipalities:list"),
    reverse("municipalities:areas"),
    reverse("municipalities:subprefecture", args=["hidaka"]),
    reverse("municipalities:area", args=["tongari-road"]),
]

# Each chart: is its picture shown, loaded and as tall as the box the figure keeps?
PICTURES = """
[...document.querySelectorAll('[data-chart]')].map(chart => {
  const shown = [...chart.querySelectorAll('img.chart-svg')]
    .filter(img => getComputedStyle(img).display !== 'none');
  const img = shown[0];
  return {
    shown: shown.length,
    loaded: !!img && img.complete && img.naturalWidth > 0,
    height: img ? img.getBoundingClientRect().height : 0,
    box: chart.getBoundingClientRect().height,
    text: !!chart.querySelector('.chart-placeholder'),
  };
})
"""


@pytest.fixture
def drawn(site, settings, tmp_path):
    settings.CHART_DIR = tmp_path / "charts"
    settings.CHART_RENDERING = "off"
    paths = [*CHART_PAGES, *MAP_PAGES, reverse("projects:edition_report", args=[2018])]
    call_command(
        "render_charts", *[a for p in paths for a in ("--page", p)], stdout=open("/dev/null", "w")
    )
    return site


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("kind, paths", [("[data-chart]", CHART_PAGES), ("[data-map]", MAP_PAGES)])
def test_every_chart_and_map_shows_its_picture_with_javascript_off(
    drawn, browser, width, kind, paths
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    try:
        for path in paths:
            page.goto(drawn.url + path)
            for box in page.locator(kind).all():
                box.scroll_into_view_if_needed()  # pictures below the fold load lazily
            page.wait_for_function(
                f"() => [...document.querySelectorAll('{kind} img.chart-svg')]"
                ".filter(i => getComputedStyle(i).display !== 'none').every(i => i.complete)"
            )
            shown = page.evaluate(PICTURES.replace("[data-chart]", kind))
            assert shown, path
            for box in shown:
                assert box["shown"] == 1 and box["loaded"], (path, box)
                assert not box["text"], path
                assert box["height"] == box["box"], (path, box)
    finally:
        context.close()


@pytest.mark.parametrize("width, height", [(1280, 900), (412, 823)])
def test_the_interactive_chart_takes_the_pictures_place_without_a_shift(
    drawn, watched, width, height
):
    page, watch = watched
    page.add_init_script(RECORD)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(drawn.url + "/projects/kitanomegumi/")
    settle(page)
    before = page.evaluate(PICTURES)
    assert before and all(c["shown"] == 1 for c in before)
    boxes = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].map(c => c.getBoundingClientRect().height)"
    )

    scroll_to_every_chart(page, len(before))
    assert page.locator("[data-chart] .chart-picture").count() == 0
    after = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].map(c => c.getBoundingClientRect().height)"
    )
    assert after == boxes
    assert page.evaluate("window.__layoutShift") < 0.01
    assert watch.errors == []
    assert watch.foreign == []


def test_the_printed_report_prints_the_pictures_with_no_chart_script(drawn, page, tmp_path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    path = tmp_path / "edition-2018.pdf"
    print_page(page, drawn.url + reverse("projects:edition_report", args=[2018]), path)
    assert page.locator("[data-chart] img.chart-svg").count() >= 4 * 4
    assert page.locator("[data-chart] .main-svg").count() == 0  # no chart drawn by script
    assert [url for url in requests if "/vendor/plotly/" in url] == []
    assert path.stat().st_size > 0


def test_pages_with_pictures_pass_axe_and_the_ibm_engine(drawn, page):
    found = []
    for path in CHART_PAGES:
        page.goto(drawn.url + path)
        settle(page)
        assert page.locator("img.chart-svg").count() > 0, path  # the embed's too
        found += [f"{path}: axe {v}" for v in serious(Axe().run(page).response["violations"])]
        found += [f"{path}: IBM {v['rule']} {v['path']}" for v in ace_violations(page)]
    assert found == [], "\n".join(found)
