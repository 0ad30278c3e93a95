"""The public year filter lists only years with a published figure."""

import pytest

from indicators.models import Indicator, Result
from projects.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_2019():
    return Result.objects.create(
        indicator=Indicator.objects.get(slug="p1-marriage-support-consultations"),
        fiscal_year=2019,
        value=900,
        status="draft",
        edition=Edition.objects.get(year=2018),
    )


def year_choices(response):
    return [value for value, label in response.context["filter"].form.fields["fiscal_year"].choices]


def test_a_year_whose_only_figure_is_a_draft_is_not_offered_to_the_public(client, draft_2019):
    public = client.get("/indicators/")
    assert "2019" not in year_choices(public)
    assert "2019年度" not in public.content.decode()
    assert "2017" in year_choices(public)


def test_staff_see_the_draft_year(staff_client, draft_2019):
    assert "2019" in year_choices(staff_client.get("/indicators/"))


def test_the_draft_year_cannot_be_asked_for_by_the_public(client, draft_2019):
    response = client.get("/indicators/results.json", {"fiscal_year": "2019"})
    assert response.status_code == 200
    assert "900" not in response.content.decode()
