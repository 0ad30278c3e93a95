"""Charts drawn on the server (strategy_portal/pictures.py, issue 21): each figure a page
shows is rendered to SVG by kaleido with the real Chromium, off the request path, once
per content; pages show the pictures once drawn and their text until then."""

import gzip
import re
from html import unescape
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

import brotli
import pytest
from django.core.management import call_command
from django.urls import reverse

from harness.page_types import page_types
from indicators.models import Result
from municipalities.maps import MAP_WIDTHS
from strategy_portal import pagecache, pictures
from strategy_portal.charts import FONT
from strategy_portal.permissions import Status

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The page types, as `render_charts --page` arguments: what most tests draw (the whole
# sitemap, with every 振興局's and area's map, is the first test's).
PAGES = [arg for page in page_types() if page.status == 200 for arg in ("--page", page.path)]
IMG = re.compile(r'<img class="chart-svg chart-svg-(\d+)" src="(/charts/([0-9a-f]{32})-\d+\.svg)"')


@pytest.fixture
def charts(settings, tmp_path):
    settings.CHART_DIR = tmp_path / "charts"
    settings.CHART_RENDERING = "off"  # this test draws, in this process
    pagecache.clear_pages()
    return settings.CHART_DIR


def render(*args) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("render_charts", *args, stdout=out, stderr=err)
    text = out.getvalue()
    match = re.search(r"(\d+) figures drawn \((\d+) files\)", text)
    assert match, text + err.getvalue()
    return {"figures": int(match[1]), "files": int(match[2])}, err.getvalue()


def drawn_files(charts: Path) -> tuple[set[str], set[str]]:
    return {p.name for p in charts.glob("*.svg")}, {p.name for p in charts.glob("*-share.png")}


def pictures_on(client, path) -> dict[str, set[int]]:
    """key → the widths of the pictures the page shows."""
    shown: dict[str, set[int]] = {}
    for width, _, key in IMG.findall(client.get(path).content.decode()):
        shown.setdefault(key, set()).add(int(width))
    return shown


def test_every_chart_of_every_page_type_gets_its_pictures(client, charts):
    pages = {p.path: client.get(p.path).content.decode() for p in page_types() if p.charts}
    expected = {path: html.count("data-chart=") for path, html in pages.items()}
    for page in page_types():
        if page.charts:
            assert expected[page.path] >= page.charts, page.path
            # nothing drawn yet: each chart is its text, as before
            assert pages[page.path].count('class="chart-placeholder"') == expected[page.path]
            assert "chart-svg" not in pages[page.path]

    counts, _ = render("--crawl")
    svgs, shares = drawn_files(charts)
    assert counts["figures"] >= 5
    by_key: dict[str, set[int]] = {}
    for name in svgs:
        key, width = name.removesuffix(".svg").split("-")
        by_key.setdefault(key, set()).add(int(width))
    # A chart at every width; a map at its two (municipalities.maps.MAP_WIDTHS).
    assert {frozenset(w) for w in by_key.values()} == {
        frozenset(pictures.WIDTHS),
        frozenset(MAP_WIDTHS),
    }
    assert counts["files"] == len(svgs) + len(shares)
    assert shares  # the indicators' share images (og.png) drew their charts too

    for path, number in expected.items():
        html = client.get(path).content.decode()
        shown = pictures_on(client, path)
        assert len(shown) == number, path
        assert all(widths == set(pictures.WIDTHS) for widths in shown.values()), path
        assert 'class="chart-placeholder"' not in html, path

    # Maps too: each 振興局's and area's, and the lists', at the two widths a map has; the
    # 179 small locator maps stay drawn by the script (municipalities/maps.py).
    for page in page_types():
        html = client.get(page.path).content.decode()
        maps = re.findall(r'<div class="map map-(\d+)"[^>]*>(.*?)</div>', html, re.S)
        for height, inside in maps:
            widths = {int(w) for w in re.findall(r"chart-svg-(\d+)", inside)}
            if height == "300":
                assert widths == set(), page.path  # a locator map
            else:
                assert widths == set(MAP_WIDTHS), page.path
                assert 'loading="lazy"' in inside


def test_a_picture_is_an_image_with_the_charts_text_and_real_text(client, charts):
    render(*PAGES)
    path = reverse("indicators:detail", args=["p2-mirai-challenge-budget"])
    html = client.get(path).content.decode()
    summary = unescape(re.search(r'data-chart="[^"]+" role="img" aria-label="([^"]+)"', html)[1])
    url = IMG.search(html)[2]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # Opened by itself (to copy it), it is styled, and runs no script.
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src 'none'" in policy
    svg = b"".join(response.streaming_content).decode()
    assert svg.startswith("<svg") and 'role="img"' in svg[:400]
    assert f"<title>{escape(summary)}</title><desc>{escape(summary)}</desc>" in svg
    assert "千円" in " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))  # text, not outlines
    first_family = FONT.split(",")[0].strip('"')
    assert f"font-family: '{first_family}'" in svg  # the page's own fonts
    assert "<script" not in svg
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        packed = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
        assert packed["Content-Encoding"] == encoding and packed["Vary"] == "Accept-Encoding"
        body = b"".join(packed.streaming_content)
        assert decompress(body).decode() == svg and len(body) < len(svg) / 3


def test_the_first_charts_load_at_once_and_the_rest_when_near(client, charts):
    render(*PAGES)
    page = client.get(reverse("projects:detail", args=["kitanomegumi"])).content.decode()
    loading = re.findall(r'<span class="chart-picture">(.*?)</span>', page)
    assert len(loading) >= 3
    per_chart = [set(re.findall(r'loading="(\w+)"', chart)) for chart in loading]
    assert per_chart[:2] == [{"eager"}, {"eager"}]  # in the first paint
    assert all(kinds == {"lazy"} for kinds in per_chart[2:])
    report = client.get(reverse("projects:edition_report", args=[2018])).content.decode()
    assert 'loading="lazy"' not in report and report.count('loading="eager"') >= 4 * 4  # print


def test_a_figure_change_draws_its_charts_again_and_no_others(client, charts):
    render(*PAGES)
    assert render(*PAGES)[0] == {"figures": 0, "files": 0}  # nothing changed: nothing drawn

    path = reverse("indicators:detail", args=["p2-mirai-challenge-budget"])
    before = {p.path: pictures_on(client, p.path) for p in page_types() if p.charts}
    result = Result.objects.public().filter(indicator__slug="p2-mirai-challenge-budget").last()
    result.value += 1
    result.save()
    pagecache.clear_pages()  # the test's transaction never commits

    files = drawn_files(charts)
    counts, _ = render(*PAGES)
    after = {p.path: pictures_on(client, p.path) for p in page_types() if p.charts}
    changed = {key for shown in after.values() for key in shown} - {
        key for shown in before.values() for key in shown
    }
    new_svgs, new_shares = (now - was for now, was in zip(drawn_files(charts), files, strict=True))
    assert new_svgs == {f"{key}-{w}.svg" for key in changed for w in pictures.WIDTHS}
    assert new_shares == {f"{key}-share.png" for key in set(after[path])}  # its og.png
    assert counts == {"figures": len(changed) + 1, "files": len(new_svgs) + 1}
    assert changed == set(after[path]) != set(before[path])
    for other, shown in after.items():  # every other chart kept its picture
        if not set(shown) & changed:
            assert shown == before[other], other


def test_without_a_browser_the_pages_answer_and_the_log_says_why(client, charts, settings):
    settings.CHART_BROWSER = "/nonexistent/chromium"
    counts, err = render(*PAGES)
    assert counts == {"figures": 0, "files": 0}
    assert "no Chromium found (/nonexistent/chromium)" in err
    assert list((charts / "queue").glob("*.json"))  # kept for when a browser is there
    for page in page_types():
        assert client.get(page.path).status_code == page.status, page.path


def test_a_full_or_unwritable_disk_costs_the_pictures_not_the_page(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.CHART_DIR = blocked / "charts"  # cannot be made
    settings.CHART_RENDERING = "background"
    pagecache.clear_pages()
    for page in page_types():
        response = client.get(page.path)
        assert response.status_code == page.status, page.path
        html = response.content.decode()
        assert html.count('class="chart-placeholder"') == html.count("data-chart="), page.path


def test_a_picture_address_that_is_not_one_is_a_404(client, charts):
    key = "0" * 32
    assert client.get(f"/charts/{key}-320.svg").status_code == 404  # not drawn
    assert client.get(f"/charts/{key}-321.svg").status_code == 404  # not a width
    assert client.get("/charts/zz-320.svg").status_code == 404
    assert client.post(f"/charts/{key}-320.svg").status_code in (403, 405)


def test_a_card_with_drafts_never_gets_a_picture(staff_client, charts):
    result = Result.objects.public().filter(indicator__slug="p2-mirai-challenge-budget").last()
    result.pk = None
    result.fiscal_year += 5
    result.status = Status.DRAFT
    result.save()
    path = reverse("indicators:detail", args=["p2-mirai-challenge-budget"])
    assert "chart-placeholder" in staff_client.get(path).content.decode()
    assert not list(Path(charts).glob("queue/*.json"))  # the draft's figure was not queued
