"""Every page answers, in Japanese, and shows every measure and figure of the seed."""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from indicators.models import Indicator, Result
from municipalities.models import CollaborationArea, Municipality, Subprefecture
from projects.models import Measure, Project

pytestmark = pytest.mark.django_db


def page_text(response):
    """What a reader sees: the page's text without tags."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def public_urls():
    urls = [
        reverse("projects:home"),
        reverse("projects:about"),
        reverse("indicators:list"),
        reverse("municipalities:list"),
        reverse("municipalities:areas"),
    ]
    urls += [p.get_absolute_url() for p in Project.objects.all()]
    urls += [i.get_absolute_url() for i in Indicator.objects.all()]
    urls += [s.get_absolute_url() for s in Subprefecture.objects.all()]
    urls += [a.get_absolute_url() for a in CollaborationArea.objects.all()]
    urls += [m.get_absolute_url() for m in Municipality.objects.all()]
    return urls


def test_every_page_answers_in_japanese_with_a_title(client):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="ja">' in html, url
        title = re.search(r"<title>(.+?)</title>", html).group(1)
        assert "北海道創生総合戦略ポータル" in title and title.strip("｜"), url


def test_every_measure_and_result_is_on_its_project_page(client):
    pages = {p.pk: page_text(client.get(p.get_absolute_url())) for p in Project.objects.all()}
    for measure in Measure.objects.all():
        page = pages[measure.project.pk]
        assert f"◆ {measure.title}" in page, measure.title
    for result in Result.objects.select_related("indicator__measure"):
        page = pages[result.indicator.measure.project.pk]
        assert result.value_display in page, result
        assert result.period_display in page, result


def test_project_page_has_both_sections_and_the_edition_heading(client):
    response = client.get(reverse("projects:detail", args=["sumairu"]))
    page = response.content.decode()
    assert page.count(">これまでの主な取組</h3>") == 2
    assert page.count(">2018年度の推進方向</h3>") == 2
    assert "～ 安心して子どもを生み育てることができる環境づくり ～" in page
    assert "813件" in page_text(response)
    assert "80市町村（対象99市町村）" in page_text(response)


def test_municipality_list_is_grouped_by_subprefecture_with_codes(client):
    page = client.get(reverse("municipalities:list")).content.decode()
    for municipality in Municipality.objects.all():
        assert municipality.code in page and municipality.name in page
    assert page.index("空知総合振興局") < page.index("石狩振興局") < page.index("根室振興局")


def test_subprefecture_and_area_pages_list_their_members(client):
    hidaka = client.get(reverse("municipalities:subprefecture", args=["hidaka"])).content.decode()
    assert "浦河町" in hidaka and "016071" in hidaka
    area = CollaborationArea.objects.get(name__startswith="とんがりロード")
    page = client.get(area.get_absolute_url()).content.decode()
    for name in ("浦河町", "様似町", "えりも町", "広尾町"):
        assert name in page


def test_municipality_page_shows_its_areas_and_measures(client):
    page = client.get(reverse("municipalities:detail", args=["013030"])).content.decode()  # 当別町
    assert "当別町" in page and "薬用作物の地域生産モデルの構築" in page


@pytest.mark.parametrize(
    "url",
    [
        "/projects/no-such-project/",
        "/indicators/no-such-indicator/",
        "/municipalities/999999/",
        "/municipalities/%E6%9C%AD%E5%B9%8C/",
        "/municipalities/subprefectures/nowhere/",
        "/municipalities/areas/nowhere/",
        "/projects/sumairu/?edition=abc",
        "/projects/sumairu/?edition=1999",
    ],
)
def test_unknown_things_are_404_not_500(client, url):
    assert client.get(url).status_code == 404


def test_drafts_are_marked_for_staff_and_hidden_from_the_public(client, staff_client):
    result = Result.objects.get(indicator__slug="p1-marriage-support-consultations")
    result.status = "draft"
    result.save()
    url = reverse("projects:detail", args=["sumairu"])
    assert "813件" not in page_text(client.get(url))
    staff_page = page_text(staff_client.get(url))
    assert "813件" in staff_page and "未公開" in staff_page


# The one place the pages' query budgets are pinned (a project page: at most 12, its
# edition menu coming from the sections' query, one each for the edition's corrections
# and its 原資料の見出し). tests/indicators/test_demo_and_queries.py
# checks that the same pages keep these counts with twenty years of figures.
QUERY_BUDGETS = {
    ("projects:detail", ("sumairu",)): 12,
    ("projects:detail", ("chiiki-jiritsuken",)): 12,
    ("projects:home", ()): 10,
    ("indicators:list", ()): 7,
    ("municipalities:list", ()): 4,
    ("municipalities:areas", ()): 5,
}


@pytest.mark.parametrize(
    "name, args", list(QUERY_BUDGETS), ids=["-".join((n, *a)) for n, a in QUERY_BUDGETS]
)
def test_each_page_shows_its_content_within_its_query_budget(
    client, django_assert_max_num_queries, name, args
):
    """Themes, sections, categories, measures, places, indicators and results: no N+1."""
    with django_assert_max_num_queries(QUERY_BUDGETS[name, args]):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert heading and strip_tags(heading.group(1)).strip(), "the page has no heading"
    if name == "projects:detail":
        project = Project.objects.get(slug=args[0])
        assert project.name in page_text(response)


def test_home_shows_the_vision_timeline_and_five_projects(client):
    page = client.get(reverse("projects:home")).content.decode()
    assert "2040年に<strong>460～450</strong>万人" in page
    for year in range(2015, 2020):
        assert f"{year}年</h3>" in page
    for project in Project.objects.all():
        assert project.get_absolute_url() in page


def test_robots_txt_lets_crawlers_read_the_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /" not in lines  # the site itself stays crawlable


def test_the_projects_address_without_a_project_leads_to_the_list_of_five(client):
    """A reader who trims /projects/sumairu/ to /projects/ finds the projects, not a 404."""
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"] == "/#projects-title"
    home = client.get(response["Location"]).content.decode()
    assert 'id="projects-title"' in home
    for project in Project.objects.all():
        assert project.get_absolute_url() in home
