"""sitemap.xml and the Atom feed of updates (issue 22, parts 4 and 5): every public page
and update, never a draft; the feed is valid Atom (feedparser, and RFC 4287's rules)."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.urls import reverse

from indicators.models import Indicator, Result
from municipalities.models import Municipality
from projects import services
from projects.models import Category, Edition, Measure, Project

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def draft_world():
    """A draft 2019 edition with a measure and indicator of its own, and a draft figure."""
    draft = services.start_next_edition(Edition.objects.get(year=2018))
    category = Category.objects.filter(section__edition=draft).order_by("pk").first()
    measure = Measure.objects.create(category=category, order=999, title="下書きの施策")
    Indicator.objects.create(slug="draft-only-indicator", measure=measure, name="下書きの指標")
    Result.objects.create(
        indicator=Indicator.objects.get(slug="p1-marriage-support-consultations"),
        edition=draft,
        fiscal_year=2018,
        value=97531,
        version=1,
    )
    return draft


def locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_every_public_page_and_no_draft(client, draft_world):
    urls = locations(client)
    assert len(urls) == len(set(urls))
    assert reverse("projects:home") in urls
    for project in Project.objects.all():
        assert project.get_absolute_url() in urls
    for indicator in Indicator.objects.public():
        assert indicator.get_absolute_url() in urls
    assert reverse("indicators:detail", args=["draft-only-indicator"]) not in urls
    assert reverse("projects:errata", args=[2018]) in urls
    assert reverse("projects:errata", args=[2019]) not in urls
    assert sum(1 for u in urls if u.startswith("/municipalities/0")) == Municipality.objects.count()
    for url in urls[:40]:  # the pages exist
        assert client.get(url).status_code == 200, url


def test_robots_txt_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()


def test_the_feed_is_valid_atom_of_public_updates_only(client, editor_client, draft_world):
    result = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2017
    )
    from harness.forms import browser_form

    url = reverse("admin:indicators_result_change", args=[result.pk])
    data = browser_form(editor_client.get(url))
    data.update(value="815", change_reason="報告書と照合して訂正")
    assert editor_client.post(url, data).status_code == 302

    response = client.get(reverse("projects:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    # RFC 4287: the feed has an id, a title, an updated and an author; so has each entry
    # an id, a title, an updated and a link; ids are unique.
    root = ET.fromstring(response.content)
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    entries = root.findall(f"{ATOM}entry")
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert entries and len(ids) == len(set(ids))
    for entry in entries:
        for name in ("title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    titles = [entry.title for entry in parsed.entries]
    assert any(t.startswith("2018年版「") for t in titles)
    assert not any(t.startswith("2019年版") for t in titles), "a draft edition"
    assert any("2018年版の訂正：実績「相談件数 2017年度」の値" == t for t in titles), titles[:5]
    text = response.content.decode()
    assert "97,531" not in text and "下書きの" not in text


def test_every_page_links_the_feed(client):
    page = client.get(reverse("projects:home")).content.decode()
    assert (
        f'type="application/atom+xml" title="北海道創生総合戦略ポータル 更新情報" href="{reverse("projects:feed")}"'
        in page
    )
