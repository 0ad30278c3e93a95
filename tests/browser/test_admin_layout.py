"""The editors' pages fit an office screen: no sideways scrolling at 1280 px."""

import pytest
from django.urls import reverse

from indicators.models import Indicator

from .test_yearly_round import editor, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 1280


@pytest.mark.parametrize("slug", ["p2-mirai-challenge-grants", "p1-marriage-support-consultations"])
def test_the_indicator_page_with_its_rows_fits_1280_px(writable_site, editor, page, slug):  # noqa: F811
    site = writable_site
    page.set_viewport_size({"width": WIDTH, "height": 900})
    sign_in(page, site)
    indicator = Indicator.objects.get(slug=slug)
    page.goto(site.url + reverse("admin:indicators_indicator_change", args=[indicator.pk]))

    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            results: document.querySelector('#results-group table').getBoundingClientRect().width,
            targets: document.querySelector('#targets-group table').getBoundingClientRect().width,
        })"""
    )

    assert widths["page"] <= WIDTH, widths
    assert widths["results"] <= WIDTH, widths
    assert widths["targets"] <= WIDTH, widths


def admin_pages():
    """The pages of the yearly round an editor works in (issue 19, part 11): a section
    (its lead and captions), a measure with its preview, the lists of figures, targets,
    measures and headings."""
    from projects.models import Measure, Section

    section = Section.objects.filter(edition__year=2018).order_by("-pk").first()
    measure = Measure.objects.filter(category__section__edition__year=2018).order_by("pk").first()
    return [
        reverse("admin:projects_section_change", args=[section.pk]),
        reverse("admin:projects_measure_change", args=[measure.pk]),
        reverse("admin:projects_measure_changelist"),
        reverse("admin:indicators_result_changelist"),
        reverse("admin:indicators_target_changelist"),
        reverse("admin:indicators_heading_changelist"),
    ]


def test_the_rounds_admin_pages_fit_1280_px(writable_site, editor, page):  # noqa: F811
    site = writable_site
    page.set_viewport_size({"width": WIDTH, "height": 900})
    sign_in(page, site)
    wide = {}
    for url in admin_pages():
        page.goto(site.url + url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[url] = width
    assert wide == {}
