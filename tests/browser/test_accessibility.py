"""The automated checks of the accessibility results page, in Debian's Chromium.

Each test is one check of strategy_portal/a11y.py (marker `a11y_check`) over
every page type; `make a11y` runs them and writes a11y/results.json, which
the 「ウェブアクセシビリティ試験結果」 page shows. A failure names the page and
what a reader would meet there.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from harness.page_types import page_types

from .conftest import draw_every_map, scroll_to_every_chart, settle

SITE_NAME = "北海道創生総合戦略ポータル"
AXE = Axe()
WCAG_20_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
    "resultTypes": ["violations"],
}


def visit(page, site, page_type, draw=True):
    """Open a page type; with `draw`, as a reader has it once they act: every
    chart and map drawn (a reader's first key press starts the maps, so a check
    that presses keys must not count the page's controls while one is drawing)."""
    response = page.goto(site.url + page_type.path)
    assert response.status == page_type.status, page_type.path
    settle(page)
    if not draw:
        return
    if page_type.charts:
        scroll_to_every_chart(page, page_type.charts)
        page.evaluate("window.scrollTo(0, 0)")
    if page.locator("[data-map]").count():
        draw_every_map(page)


# --- axe-core ---------------------------------------------------------------


@pytest.mark.a11y_check("axe")
def test_axe_finds_no_violation_on_any_page_type(site, page):
    found = []
    for page_type in page_types():
        visit(page, site, page_type)
        for v in AXE.run(page, options=WCAG_20_AA).response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            found.append(f"{page_type.name}: {v['id']} ({v['impact']}) {v['help']} {targets}")
    assert found == [], "\n".join(found)


# --- IBM Equal Access -------------------------------------------------------

# The engine alone (npm accessibility-checker-engine, pinned in package-lock.json),
# read from disk and run in the page as axe is: its command-line checker would
# fetch the rules from the internet, the engine holds them. A failure is a
# result of value ["VIOLATION", "FAIL"]; "potential violations" and "manual"
# results need a person and do not fail the check (docs/accessibility.md).
ACE_JS = settings.BASE_DIR / "node_modules" / "accessibility-checker-engine" / "ace.js"
ACE_POLICY = "IBM_Accessibility"
ACE_VIOLATIONS = """async policy => {
  const report = await new ace.Checker().check(document, [policy]);
  return report.results
    .filter(r => r.value[0] === "VIOLATION" && r.value[1] === "FAIL")
    .map(r => ({rule: r.ruleId, message: r.message, path: r.path.dom}));
}"""


def ace_violations(page) -> list[dict]:
    """The IBM engine's violations on the page as it is now."""
    if not ACE_JS.exists():
        pytest.fail("accessibility-checker-engine is missing: run `make test`, which installs it")
    page.evaluate(ACE_JS.read_text(encoding="utf-8"))  # like axe: not subject to the page's CSP
    return page.evaluate(ACE_VIOLATIONS, ACE_POLICY)


@pytest.mark.a11y_check("ibm")
def test_the_ibm_engine_finds_no_violation_on_any_page_type(site, page):
    found = []
    for page_type in page_types():
        visit(page, site, page_type)
        for v in ace_violations(page):
            found.append(f"{page_type.name}: {v['rule']} {v['message']} {v['path']}")
    assert found == [], "\n".join(found)


# --- keyboard ---------------------------------------------------------------

FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea, details > summary, [tabindex]:not([tabindex="-1"])'
)].filter(e => {
  // inside a closed <details>, only its <summary> can take the focus
  const closed = e.closest('details:not([open])');
  if (closed && !(e.tagName === 'SUMMARY' && e.parentElement === closed)) return false;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return style.visibility !== 'hidden' && style.display !== 'none' && (box.width > 0 || box.height > 0);
}).length"""

# `first`: the element itself is the first stop again (headless Chromium may wrap
# from the last control straight to the first). By identity, not position: a
# script the first key press loads (plotly.js, into <head>) moves every position.
FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  if (window.firstFocusStop === undefined) window.firstFocusStop = e;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  const all = [...document.body.querySelectorAll('*')];
  return {
    first: e === window.firstFocusStop,
    index: all.indexOf(e),
    name: (e.getAttribute('aria-label') || e.textContent || e.value || e.name || e.tagName).trim().slice(0, 40),
    tag: e.tagName,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    inView: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    sized: box.width > 0 && box.height > 0,
  };
}"""


@pytest.mark.a11y_check("keyboard")
def test_every_page_type_works_with_the_keyboard_alone(site, page):
    problems = []
    for page_type in page_types():
        visit(page, site, page_type)
        url = page.url
        expected = page.evaluate(FOCUSABLE)
        stops, last = [], -1
        for _ in range(expected + 5):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state is None or (stops and state["first"]):
                break  # past the last stop: focus left the page, so no trap
            if state["index"] <= last:
                problems.append(f"{page_type.name}: focus went back to {state['name']!r}")
            if not (state["outline"] or state["shadow"]) or not state["sized"]:
                problems.append(f"{page_type.name}: no visible focus on {state['name']!r}")
            if not state["inView"]:
                problems.append(f"{page_type.name}: focused {state['name']!r} is off screen")
            last = state["index"]
            stops.append(state)
        else:
            problems.append(f"{page_type.name}: Tab never left the page (keyboard trap)")
        if len(stops) != expected:
            problems.append(f"{page_type.name}: {len(stops)} Tab stops for {expected} controls")
        if page.url != url:
            problems.append(f"{page_type.name}: moving the focus changed the page to {page.url}")
    assert problems == [], "\n".join(problems)


@pytest.mark.a11y_check("skip_link")
def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(site, page):
    problems = []
    for page_type in page_types():
        visit(page, site, page_type, draw=False)
        page.keyboard.press("Tab")
        link = page.locator(":focus")
        if link.inner_text() != "本文へ移動":
            problems.append(f"{page_type.name}: the first Tab stop is {link.inner_text()!r}")
            continue
        box = link.bounding_box()
        if not box or box["x"] < 0 or box["y"] < 0:
            problems.append(f"{page_type.name}: the focused skip link is not visible")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "(() => { const main = document.getElementById('main'), e = document.activeElement;"
            " return main.contains(e) || !!(main.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING); })()"
        )
        if not inside:
            problems.append(f"{page_type.name}: after the skip link, Tab is not in the content")
    assert problems == [], "\n".join(problems)


# --- zoom and reflow --------------------------------------------------------

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.a11y_check("zoom_reflow")
def test_no_horizontal_scroll_at_200_percent_zoom_320_px_or_200_percent_text(site, page):
    problems = []
    for width, text in ((640, "100%"), (320, "100%"), (1280, "200%")):
        page.set_viewport_size({"width": width, "height": 800})
        for page_type in page_types():
            visit(page, site, page_type, draw=False)
            page.evaluate(f"document.documentElement.style.fontSize = '{text}'")
            if page_type.charts:
                scroll_to_every_chart(page, page_type.charts)
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                problems.append(f"{page_type.name}: {overflow}px scroll at {width}px, text {text}")
    assert problems == [], "\n".join(problems)


# --- colour -----------------------------------------------------------------


def luminance(hex_or_rgb: str) -> float:
    numbers = re.findall(r"[\d.]+", hex_or_rgb)
    if hex_or_rgb.startswith("#"):
        h = hex_or_rgb.lstrip("#")
        numbers = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    channels = []
    for value in [float(n) / 255 for n in numbers[:3]]:
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


CHART_COLOURS = """() => [...document.querySelectorAll('[data-chart][data-state=drawn]')].map(chart => {
  const marks = [...chart.querySelectorAll('.barlayer .point path, .scatterlayer .point')]
    .filter(p => { const b = p.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
    .map(p => ({fill: getComputedStyle(p).fill, box: p.getBoundingClientRect().toJSON()}));
  const texts = [...chart.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => { const b = t.getBoundingClientRect(); return {
      text: t.textContent.trim(), fill: getComputedStyle(t).fill,
      x: b.x + b.width / 2, y: b.y + b.height / 2}; });
  return {chart: chart.getAttribute('aria-label').slice(0, 30), marks, texts};
})"""


def background_of(text, marks):
    for mark in marks:
        box = mark["box"]
        if box["x"] <= text["x"] <= box["x"] + box["width"] and (
            box["y"] <= text["y"] <= box["y"] + box["height"]
        ):
            return mark["fill"]
    return "#ffffff"  # the cards' and the page's paper


@pytest.mark.a11y_check("contrast")
def test_text_and_chart_colours_contrast_with_their_background(site, page):
    problems = []
    for page_type in page_types():
        visit(page, site, page_type)
        rule = {**WCAG_20_AA, "runOnly": {"type": "rule", "values": ["color-contrast"]}}
        for v in AXE.run(page, options=rule).response["violations"]:
            problems.append(
                f"{page_type.name}: text contrast {[n['target'] for n in v['nodes']][:3]}"
            )
        for chart in page.evaluate(CHART_COLOURS):
            for mark in chart["marks"]:
                ratio = contrast(mark["fill"], "#ffffff")
                if ratio < 3:
                    problems.append(
                        f"{page_type.name}: {chart['chart']}: mark {mark['fill']} {ratio:.2f}:1"
                    )
            for text in chart["texts"]:
                ratio = contrast(text["fill"], background_of(text, chart["marks"]))
                if ratio < 4.5:
                    problems.append(
                        f"{page_type.name}: {chart['chart']}: {text['text']!r} {ratio:.2f}:1"
                    )
    assert problems == [], "\n".join(problems)


CHART_LABELS = """() => [...document.querySelectorAll('[data-chart][data-state=drawn]')].map(chart => {
  const figure = JSON.parse(document.getElementById(chart.dataset.chart).textContent);
  const shown = [...chart.querySelectorAll('text')].map(t => t.textContent.trim()).filter(Boolean);
  return {chart: chart.getAttribute('aria-label').slice(0, 30), figure, shown};
})"""


@pytest.mark.a11y_check("chart_not_colour_only")
def test_charts_never_mean_by_colour_alone(site, page):
    """Every value a chart draws is also written as text on it; where colours tell
    groups apart (the map), the marks differ in size too and a legend names them."""
    problems = []
    for page_type in [p for p in page_types() if p.charts]:
        visit(page, site, page_type)
        for chart in page.evaluate(CHART_LABELS):
            data, layout = chart["figure"]["data"], chart["figure"]["layout"]
            shown = " ".join(chart["shown"])
            if data[0]["type"] == "scatter":
                sizes = {trace["marker"]["size"] for trace in data}
                names = [trace["name"] for trace in data]
                if len(sizes) < len(data) or not all(name in shown for name in names):
                    problems.append(f"{page_type.name}: {chart['chart']}: groups by colour only")
                continue
            for trace in data:
                if trace.get("hoverinfo") == "skip":
                    continue  # the rest of a whole (share bar): its total is in the text
                labels = trace.get("text") or []
                annotations = [a["text"] for a in layout.get("annotations", [])]
                points = len(trace.get("x") or [])
                written = [t for t in labels if t in shown] + [a for a in annotations if a in shown]
                if len(written) < points:
                    problems.append(f"{page_type.name}: {chart['chart']}: values not written out")
    assert problems == [], "\n".join(problems)


# --- text alternatives, images of text --------------------------------------

ALTERNATIVES = """() => [...document.querySelectorAll('[data-chart]')].map(chart => {
  const card = chart.closest('.figure-card');
  const table = card && card.querySelector('table');
  const placeholder = chart.querySelector('.chart-placeholder');
  return {
    role: chart.getAttribute('role'),
    label: chart.getAttribute('aria-label') || '',
    placeholder: placeholder ? placeholder.innerText : '',
    values: table ? [...table.querySelectorAll('td.num')].map(td => td.innerText) : [],
  };
})"""


@pytest.mark.a11y_check("chart_text_alternative")
def test_every_chart_has_its_numbers_as_text_before_and_after_it_is_drawn(site, page):
    problems = []
    for page_type in [p for p in page_types() if p.charts]:
        visit(page, site, page_type, draw=False)
        charts = page.evaluate(ALTERNATIVES)
        if len(charts) < page_type.charts:
            problems.append(f"{page_type.name}: {len(charts)} charts")
        for chart in charts:
            numbers = re.findall(r"[\d,.]+", chart["label"])
            if chart["role"] != "img" or not numbers:
                problems.append(f"{page_type.name}: a chart without a text alternative")
            if chart["placeholder"] != chart["label"]:
                problems.append(
                    f"{page_type.name}: before drawing, {chart['label'][:30]} is not shown"
                )
            for value in chart["values"]:
                for number in re.findall(r"\d[\d,.]*", value):
                    if number not in chart["label"]:
                        problems.append(f"{page_type.name}: {number} not in {chart['label'][:30]}")
    assert problems == [], "\n".join(problems)


IMAGES = """() => [...document.querySelectorAll('img, canvas, input[type=image], picture, *')]
  .filter(e => ['IMG', 'CANVAS', 'INPUT', 'PICTURE'].includes(e.tagName) && (e.tagName !== 'INPUT' || e.type === 'image')
    || getComputedStyle(e).backgroundImage.includes('url('))
  .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""


@pytest.mark.a11y_check("no_images_of_text")
def test_no_page_shows_text_as_an_image(site, page):
    problems = []
    for page_type in page_types():
        visit(page, site, page_type)
        found = page.evaluate(IMAGES)
        if found:
            problems.append(f"{page_type.name}: {found[:5]}")
        if page_type.charts and not page.locator("[data-chart] svg text").count():
            problems.append(f"{page_type.name}: chart labels are not SVG text")
    assert problems == [], "\n".join(problems)


# --- language, titles, navigation -------------------------------------------

# Proper names are exempt from 3.1.2; this one is French, printed in the report.
PROPER_NAMES = ["Domaine de Montille"]
ENGLISH_RUNS = r"""names => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let text = node.textContent.replace(/https?:\/\/\S+/g, '').trim();  // addresses are not English
    names.forEach(name => { text = text.replace(name, ''); });
    if (!/[A-Za-z]+(?:[ ,.'-]+[A-Za-z]+){2,}/.test(text)) continue;   // three English words or more
    const parent = node.parentElement;
    if (parent.closest('code, script, style, [aria-hidden=true]')) continue;
    const lang = parent.closest('[lang]').getAttribute('lang');
    if (!lang.startsWith('en')) found.push(text.slice(0, 60));
  }
  return found;
}"""


@pytest.mark.a11y_check("language")
def test_the_page_language_is_japanese_and_english_parts_say_so(site, page):
    problems = []
    for page_type in page_types():
        visit(page, site, page_type)
        if page.get_attribute("html", "lang") != "ja":
            problems.append(f"{page_type.name}: <html> is not lang=ja")
        for text in page.evaluate(ENGLISH_RUNS, PROPER_NAMES):
            problems.append(f"{page_type.name}: English without lang=en: {text!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.a11y_check("titles")
def test_every_page_type_has_a_title_naming_its_content(site, page):
    problems, titles = [], {}
    for page_type in page_types():
        visit(page, site, page_type, draw=False)
        title = page.title()
        topic = title.removesuffix(f"｜{SITE_NAME}")
        heading = page.locator("h1").first.inner_text()
        if topic == title or not topic:
            problems.append(f"{page_type.name}: title {title!r}")
        elif page_type.path != "/" and topic not in heading and heading not in topic:
            problems.append(f"{page_type.name}: title {title!r} but heading {heading!r}")
        titles.setdefault(page.url.split("?")[0], set()).add(title)
    if len({t for group in titles.values() for t in group}) < len(titles):
        problems.append("two different pages share a title")
    assert problems == [], "\n".join(problems)


NAVIGATION = """() => ({
  header: [...document.querySelectorAll('.site-header a, .site-header button, .site-header input')]
    .map(e => (e.textContent || e.getAttribute('aria-label') || e.id).trim() + ' ' + (e.getAttribute('href') || '')),
  footer: [...document.querySelectorAll('.site-footer a')].map(a => a.textContent.trim() + ' ' + a.getAttribute('href')),
  search: !!document.querySelector('[role=search] input[type=search]'),
  breadcrumbs: !!document.querySelector('nav.breadcrumbs'),
})"""


@pytest.mark.a11y_check("consistent_navigation")
def test_navigation_is_the_same_on_every_page_type(site, page):
    problems, first = [], None
    for page_type in page_types():
        visit(page, site, page_type, draw=False)
        nav = page.evaluate(NAVIGATION)
        first = first or nav
        if nav["header"] != first["header"] or nav["footer"] != first["footer"]:
            problems.append(f"{page_type.name}: header or footer differs from the home page's")
        if not nav["search"]:
            problems.append(f"{page_type.name}: no site search")
        if page_type.path != "/" and not nav["breadcrumbs"]:
            problems.append(f"{page_type.name}: no breadcrumbs")
    assert "ウェブアクセシビリティ方針 /accessibility/" in first["footer"]
    assert problems == [], "\n".join(problems)


# --- forms --------------------------------------------------------------------

UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""


@pytest.mark.a11y_check("forms")
def test_forms_are_labelled_do_not_jump_and_explain_errors(writable_site, page):
    site = writable_site  # a failed login is written down (django-axes)
    problems = []
    for page_type in page_types():
        visit(page, site, page_type, draw=False)
        for name in page.evaluate(UNLABELLED):
            problems.append(f"{page_type.name}: field {name!r} has no label")

    # Choosing a filter does not submit the form by itself (3.2.2).
    page.goto(site.url + "/indicators/")
    before = page.url
    page.get_by_label("単位").select_option("千円")
    page.wait_for_load_state("networkidle")  # a submit would have started loading by now
    if page.url != before:
        problems.append("指標と実績の一覧: choosing a filter reloaded the page")

    # A wrong password says so in text, and says what to do (3.3.1, 3.3.3).
    page.goto(site.url + "/accounts/login/")
    page.get_by_label("ユーザー名").fill("nobody")
    page.get_by_label("パスワード").fill("wrong-password")
    with page.expect_navigation():  # the form posts, and the answer is a new page
        page.get_by_role("button", name="ログイン").click()
    alert = page.get_by_role("alert")
    if not alert.count() or "正しくありません" not in alert.inner_text():
        problems.append("ログイン: a failed login is not announced as text")
    elif "確かめて" not in alert.inner_text():
        problems.append("ログイン: the error does not say how to correct it")
    assert problems == [], "\n".join(problems)
