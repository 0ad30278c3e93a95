"""The boundary maps in a real browser: they draw under the strict CSP, with no
console error, no request to another host, and nothing loaded before it is needed."""

import pytest
from django.urls import reverse

from .conftest import NEXT_PAINTS, reader_acts
from .test_csp import RECORD_VIOLATIONS

DRAWN = "() => document.querySelector('[data-map][data-drawn=yes] .main-svg') !== null"


@pytest.mark.parametrize(
    "name, args",
    [
        ("municipalities:areas", []),
        ("municipalities:list", []),
        ("municipalities:subprefecture", ["rumoi"]),
        ("municipalities:detail", ["016071"]),
        ("municipalities:area", ["nemuro"]),
    ],
)
def test_map_draws_offline_under_the_csp(site, watched, name, args):
    page, watch = watched
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(site.url + reverse(name, args=args))
    reader_acts(page)
    page.wait_for_function(DRAWN)
    # every layer is on the map: one trace each
    traces = page.evaluate("document.querySelector('[data-map]').data.length")
    paths = page.evaluate("document.querySelectorAll('[data-map] .scatterlayer .trace').length")
    assert paths >= traces - 1  # the grey rest is empty when every town is in a layer
    layers = page.evaluate(
        "JSON.parse(document.querySelector('script[id$=-map-spec]').textContent).layers.length"
    )
    assert traces == layers + 2  # the grey rest, each layer, the towns' hover points
    labels = page.locator("[data-map] .annotation-text").all_text_contents()
    assert labels, "the map names what it colours"
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert watch.errors == [] and watch.foreign == []
    assert "国土数値情報（行政区域データ）（国土交通省）" in page.locator("figcaption").inner_text()


def test_area_map_labels_every_model_area(site, watched):
    page, _ = watched
    page.goto(site.url + reverse("municipalities:areas"))
    reader_acts(page)
    page.wait_for_function(DRAWN)
    labels = page.locator("[data-map] .annotation-text").all_text_contents()
    assert len(labels) == 11 and labels[0].startswith("①") and "南空知4町" in labels[0]
    page.screenshot(path="/tmp/portal-areas-map.png", full_page=False)
    page.goto(site.url + reverse("municipalities:list"))
    reader_acts(page)
    page.wait_for_function(DRAWN)
    page.locator("[data-map]").screenshot(path="/tmp/portal-subprefectures-map.png")


def test_a_click_on_a_town_opens_its_page(site, page):
    page.goto(site.url + reverse("municipalities:subprefecture", args=["hidaka"]))
    reader_acts(page)
    page.wait_for_function(DRAWN)
    # the towns' hover points are the last trace; click the one of 浦河町 (016071)
    point = page.evaluate(
        """() => {
          const map = document.querySelector('[data-map]');
          const towns = map.data[map.data.length - 1];
          const i = towns.customdata.findIndex(u => u.includes('016071'));
          const xa = map._fullLayout.xaxis, ya = map._fullLayout.yaxis;
          const box = map.querySelector('.nsewdrag').getBoundingClientRect();
          return [box.left + xa.l2p(towns.x[i]), box.top + ya.l2p(towns.y[i])];
        }"""
    )
    page.mouse.move(*point)
    page.mouse.click(*point)
    page.wait_for_url("**/municipalities/016071/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("浦河町")


def test_the_locator_map_loads_nothing_until_it_nears_the_viewport(site, page):
    """A phone-sized window: the map is below the fold, so plotly.js and the
    boundaries are fetched only after scrolling to it."""
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.set_viewport_size({"width": 375, "height": 500})
    measures = reverse("municipalities:detail", args=["011002"])
    page.goto(site.url + measures)
    page.wait_for_load_state("networkidle")
    below = page.evaluate(
        "document.querySelector('[data-map]').getBoundingClientRect().top > innerHeight + 400"
    )
    if below:
        assert not any("plotly" in url or "hokkaido-municipalities" in url for url in requested)
    page.locator("[data-map]").scroll_into_view_if_needed()
    page.wait_for_function(DRAWN)
    assert any("plotly-basic" in url for url in requested)
    assert any("hokkaido-municipalities.json" in url for url in requested)


def test_a_map_in_the_first_view_loads_nothing_until_the_reader_acts(site, page):
    """Lighthouse (no interaction) scored the map pages 79–83 with 376 KiB of plotly.js
    and boundaries loaded for a map in view; the first view now costs what the table does."""
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + reverse("municipalities:list"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate(
        "document.querySelector('[data-map]').getBoundingClientRect().top < innerHeight"
    ), "the map is in the first view"
    page.evaluate(NEXT_PAINTS)  # the observers that would load the map have run
    fetched = [u for u in requested if "plotly-basic" in u or "hokkaido-municipalities" in u]
    assert fetched == []
    reader_acts(page)
    page.wait_for_function(DRAWN)
    assert any("plotly-basic" in url for url in requested)
