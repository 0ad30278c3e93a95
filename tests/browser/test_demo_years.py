"""Demo data (FY2018–FY2022 and a target for every indicator) in a real browser:
every card of every project page draws, with no console error, and axe is clean."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from projects.models import Project

from .test_public_pages import serious

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site(writable_site):
    call_command("demo_years", "--force", stdout=open("/dev/null", "w"))
    return writable_site


@pytest.mark.parametrize("width", [1280, 375])
def test_every_card_of_every_project_page_draws_with_demo_years(demo_site, watched, width):
    page, watch = watched
    page.set_viewport_size({"width": width, "height": 900})
    for project in Project.objects.in_order():
        page.goto(demo_site.url + project.get_absolute_url())
        cards = page.locator(".figure-card")
        assert cards.count() > 0, project.slug
        page.click(
            "[data-draw-all]"
        )  # 「すべてのグラフを表示」: charts otherwise wait for a scroll
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart]')]"
            ".every(c => c.querySelector('.main-svg'))"
        )
        # Every card has a chart (several years of demo figures) and a status in words.
        assert page.locator(".figure-card [data-chart]").count() == cards.count(), project.slug
        assert page.locator(".figure-card .status-badge").count() >= cards.count()
        assert page.get_by_text("デモ環境").is_visible()
        # Nothing is wider than the screen: tables scroll inside their card.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (project.slug, width, overflow)
        assert serious(Axe().run(page).response["violations"]) == [], project.slug
    assert watch.errors == []
    assert watch.foreign == []
