"""Charts cost nothing until they are needed: the first view of a page fetches no
plotly.js; scrolling draws each chart into the space its placeholder kept."""

import pytest

from .conftest import NEXT_PAINTS, charts_drawn, scroll_to_every_chart

RECORD = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
window.__layoutShift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) { window.__layoutShift += entry.value; (window.__shifts = window.__shifts || []).push([entry.value, entry.sources.map(s => s.node && (s.node.className || s.node.nodeName))]); }
  }
}).observe({type: "layout-shift", buffered: true});
"""


def plotly_requests(requests):
    return [url for url in requests if "/vendor/plotly/" in url]


@pytest.mark.parametrize("width, height", [(1280, 900), (412, 823)])
def test_a_project_page_loads_plotly_only_when_a_chart_is_scrolled_near(
    site, watched, width, height
):
    page, watch = watched
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(RECORD)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(site.url + "/projects/kitanomegumi/")
    page.wait_for_load_state("networkidle")
    page.evaluate(NEXT_PAINTS)  # the observers that would load a chart have run

    assert plotly_requests(requests) == []
    assert page.evaluate("typeof window.Plotly") == "undefined"
    placeholders = page.locator("[data-chart] .chart-placeholder")
    assert placeholders.count() == 3
    assert "予算額の推移：" in placeholders.nth(2).inner_text()  # the numbers, at once
    reserved = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].map(c => c.getBoundingClientRect().height)"
    )
    figure_heights = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].map(c => "
        "JSON.parse(document.getElementById(c.dataset.chart).textContent).layout.height)"
    )
    assert reserved == figure_heights

    scroll_to_every_chart(page, 3)
    drawn = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].map(c => c.getBoundingClientRect().height)"
    )
    assert drawn == reserved
    assert len([u for u in plotly_requests(requests) if u.endswith(".js")]) == 1
    assert page.locator("[data-chart] .chart-placeholder").count() == 0
    assert watch.errors == []
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate("window.__layoutShift") < 0.01, page.evaluate("window.__shifts")


def test_a_reader_can_ask_for_every_chart_at_once(site, watched):
    page, watch = watched
    page.goto(site.url + "/projects/chiiki-jiritsuken/")
    page.wait_for_load_state("networkidle")
    assert charts_drawn(page) == 0
    page.get_by_role("button", name="すべてのグラフを表示").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart][data-state=drawn]').length == 2"
    )
    assert page.get_by_role("status").inner_text() == "すべてのグラフを表示しました。"
    assert page.evaluate("window.scrollY") == 0  # drawn where they are, the reader stays put
    assert watch.errors == []


def test_without_charts_a_page_loads_no_chart_code(site, watched):
    page, _ = watched
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site.url + "/indicators/")
    page.mouse.wheel(0, 2000)
    page.wait_for_load_state("networkidle")
    assert [u for u in requests if "charts.js" in u or "/vendor/plotly/" in u] == []
    assert page.get_by_role("button", name="すべてのグラフを表示").count() == 0
