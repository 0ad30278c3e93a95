"""Sharing: Open Graph / Twitter metadata with a server-drawn image, and the embed view,
the only page another site may frame."""

import html
import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from indicators.charts import BLUE
from indicators.models import Indicator, Result
from opendata import licence
from tests.test_pages import public_urls

pytestmark = pytest.mark.django_db

SLUG = "p2-mirai-challenge-budget"  # 20,814千円 (FY2017) → 27,452千円 (FY2018)


def meta(html: str) -> dict:
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html))


def test_indicator_page_has_open_graph_and_twitter_card_metadata(client):
    html = client.get(reverse("indicators:detail", args=[SLUG])).content.decode()
    tags = meta(html)
    assert tags["og:title"].startswith("予算額")
    assert "27,452千円" in tags["og:description"]
    assert tags["og:image"] == "http://testserver" + reverse("indicators:og_image", args=[SLUG])
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image:width"] == "1200" and tags["og:image:height"] == "630"


def blue_in_chart_area(content: bytes) -> int:
    """Pixels of the newest bar's blue right of the headline (where the chart goes)."""
    image = Image.open(io.BytesIO(content)).convert("RGB").crop((600, 150, 1200, 560))
    blue = tuple(int(BLUE[i : i + 2], 16) for i in (1, 3, 5))
    return sum(n for n, colour in image.getcolors(maxcolors=1_000_000) if colour == blue)


def test_share_image_shows_the_pages_own_chart_and_the_newest_figures(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.CHART_DIR = tmp_path / "charts"
    settings.CHART_RENDERING = "off"  # drawn below, in this process (real Chromium)
    url = reverse("indicators:og_image", args=[SLUG])
    first = client.get(url)
    assert first["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(first.content)).size == (1200, 630)
    assert blue_in_chart_area(first.content) == 0  # its chart is not drawn yet: queued

    call_command("render_charts", stdout=io.StringIO())
    page_path = reverse("indicators:detail", args=[SLUG])
    call_command("render_charts", "--page", page_path, stdout=io.StringIO())  # its pictures
    drawn = client.get(url).content
    assert blue_in_chart_area(drawn) > 1000  # the newest bar, by the page's renderer
    page = client.get(reverse("indicators:detail", args=[SLUG])).content.decode()
    key = re.search(r'src="/charts/([0-9a-f]{32})-\d+\.svg"', page)[1]
    assert (settings.CHART_DIR / f"{key}-share.png").is_file()  # one figure, both pictures

    # A correction changes the image at once (its new chart follows); a draft takes
    # its figure out of it.
    newest = Result.objects.get(indicator__slug=SLUG, fiscal_year=2017)
    newest.value = 40000
    with django_capture_on_commit_callbacks(execute=True):  # committed, as an editor's save
        newest.save()  # the cached image goes stale
    corrected = client.get(url).content
    assert corrected not in (first.content, drawn)
    with django_capture_on_commit_callbacks(execute=True):
        for result in Result.objects.filter(indicator__slug=SLUG):
            result.status = "draft"
            result.save()
    empty = client.get(url).content
    assert empty not in (first.content, drawn, corrected)
    assert blue_in_chart_area(empty) == 0


def test_a_calendar_year_statistic_shares_道全体_with_年(client):
    """合計特殊出生率: 全国 1.44, 道全体 1.29, 札幌市 1.18 (H28): the share card names 道全体's
    figure and its calendar year."""
    page = client.get(reverse("indicators:detail", args=["p5-total-fertility-rate"]))
    description = meta(page.content.decode())["og:description"]
    assert "道全体 1.29" in description and "2016年（平成28年）" in description
    assert "1.44" not in description and "年度" not in description


def test_embed_view_is_framable_and_shows_chart_table_and_credit(client):
    url = reverse("indicators:embed", args=[SLUG])
    for attempt in ("rendered", "from the page cache"):
        response = client.get(url)
        assert response.status_code == 200, attempt
        policy = response["Content-Security-Policy"]
        assert (
            "frame-ancestors *" in policy
            and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
        )
        assert not response.has_header("X-Frame-Options"), attempt
    html = response.content.decode()
    assert 'data-chart="chart-' in html and "表で見る" in html
    assert "27,452" in html and "CC BY 4.0" in html and "北海道総合政策部" in html
    assert "site-nav" not in html  # a minimal page
    page = client.get(reverse("indicators:detail", args=[SLUG])).content.decode()
    assert "埋め込み" in page and "&lt;iframe src=&quot;http://testserver" + url in page


def test_every_other_page_refuses_to_be_framed(client):
    urls = public_urls() + [
        reverse("opendata:catalog"),
        reverse("api_docs"),
        reverse("api:projects"),
        reverse("indicators:results_csv"),
        reverse("indicators:og_image", args=[SLUG]),
        "/accounts/login/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url


class Elements(HTMLParser):
    """The start tags of an HTML fragment, with their attributes."""

    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_embed_snippet_carries_a_name_with_markup_only_as_text(client):
    """A name with markup stays text in the snippet a reader copies, and on the share pages."""
    payload = '"><script>alert(1)</script>'
    Indicator.objects.filter(slug=SLUG).update(name="予算額" + payload)
    name = "予算額" + payload
    page = client.get(reverse("indicators:detail", args=[SLUG])).content.decode()
    shown = re.search(r'<pre class="embed-code"><code>(.*?)</code></pre>', page, re.S)
    copied = html.unescape(shown.group(1))  # what the reader selects and pastes
    tags = Elements(copied).tags
    assert [tag for tag, _ in tags] == ["iframe"], copied
    assert tags[0][1]["title"] == f"{name}（{licence.SITE_CREDIT}）"
    assert tags[0][1]["src"] == "http://testserver" + reverse("indicators:embed", args=[SLUG])
    # The share endpoints print the name as text, never as markup.
    embed = client.get(reverse("indicators:embed", args=[SLUG])).content.decode()
    for output in (page, embed):
        assert "<script>alert(1)" not in output
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output
    assert meta(page)["og:title"].startswith(html.escape(name))


def test_the_share_image_loads_from_other_sites_and_nothing_else_does(client):
    """og.png was same-origin only, so other sites could not show it (issue 22, part 6)."""
    image = client.get(reverse("indicators:og_image", args=[SLUG]))
    assert image["Cross-Origin-Resource-Policy"] == "cross-origin"
    page = client.get(reverse("indicators:detail", args=[SLUG]))
    assert page["Cross-Origin-Resource-Policy"] == "same-origin"
