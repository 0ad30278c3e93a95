"""Department editors (部局の編集者) enter figures only for what their department owns:
HTTP-level, through the admin, as a browser sends the forms. The one rule is in
strategy_portal.permissions (DEPARTMENT_RULES); the generated matrix
(tests/strategy_portal/test_permission_matrix.py) holds the role too."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from harness.forms import browser_form
from indicators.models import Indicator, Result
from projects.models import Department, Edition
from strategy_portal.permissions import may
from tests.conftest import signed_in

from .conftest import add_result, sheet_row, upload, write_csv

pytestmark = pytest.mark.django_db

OWN = "p1-marriage-support-consultations"
OTHER = "p2-mirai-challenge-budget"


@pytest.fixture
def departments(django_user_model):
    """経済部 owns OWN's measure; 農政部 owns OTHER itself. A department editor of 経済部."""
    keizai = Department.objects.create(name="経済部", order=1)
    nousei = Department.objects.create(name="農政部", order=2)
    own = Indicator.objects.get(slug=OWN)
    own.measure.department = keizai
    own.measure.save()
    Indicator.objects.filter(slug=OTHER).update(department=nousei)
    user = django_user_model.objects.create_user("keizai-editor", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="department_editor"))
    keizai.members.add(user)
    return {"keizai": keizai, "nousei": nousei, "user": user}


@pytest.fixture
def dept_client(departments):
    return signed_in(departments["user"])


def draft(slug, value=1234):
    return Result.objects.create(
        indicator=Indicator.objects.get(slug=slug),
        fiscal_year=2019,
        value=value,
        version=1,
        source="部局の調べ",
    )


def change_url(result):
    return reverse("admin:indicators_result_change", args=[result.pk])


def test_ownership_comes_from_the_indicator_or_its_measure(departments):
    assert Indicator.objects.get(slug=OWN).owning_department == departments["keizai"]
    assert Indicator.objects.get(slug=OTHER).owning_department == departments["nousei"]
    user = departments["user"]
    assert may(user, "change", draft(OWN))
    assert not may(user, "change", draft(OTHER, 99))
    assert may(user, "add", model=Result)  # some figure: the form opens


def test_another_departments_figure_opens_read_only_and_a_post_is_refused(dept_client):
    mine, theirs = draft(OWN), draft(OTHER)
    own_page = dept_client.get(change_url(mine)).content.decode()
    assert 'name="_save"' in own_page
    page = dept_client.get(change_url(theirs))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode(), "another department's figure: read only"

    data = browser_form(dept_client.get(change_url(mine)))
    data.update(value="4321")
    data.update(change_reason="部局の確認で修正")
    assert dept_client.post(change_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.value == Decimal("4321")

    data = browser_form(signed_in_superuser_form(theirs))
    data.update(value="1", change_reason="部局の確認で修正")
    response = dept_client.post(change_url(theirs), data)
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.value == Decimal("1234") and theirs.version == 1


def signed_in_superuser_form(result):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("dept-root", password=None)
    return signed_in(root).get(change_url(result))


def test_a_new_figure_only_for_an_own_indicator(dept_client):
    before = Result.objects.count()
    refused = add_result(
        dept_client, slug=OTHER, fiscal_year="2019", edition="", source="部局の調べ"
    )
    assert refused.status_code == 200
    assert "担当部局のものではない" in refused.content.decode()
    assert Result.objects.count() == before
    allowed = add_result(dept_client, slug=OWN, fiscal_year="2019", edition="", source="部局の調べ")
    assert allowed.status_code == 302, allowed.content.decode()[-3000:]
    assert Result.objects.filter(indicator__slug=OWN, fiscal_year=2019).exists()


def test_rows_under_another_departments_indicator_are_refused_with_a_reason(dept_client):
    for slug, allowed in ((OTHER, False), (OWN, True)):
        indicator = Indicator.objects.get(slug=slug)
        url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
        data = browser_form(dept_client.get(url))
        prefix = "results"
        total = int(data[f"{prefix}-TOTAL_FORMS"])
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
        row = f"{prefix}-{total}"
        data.update(
            {
                f"{row}-fiscal_year": "2019",
                f"{row}-breakdown": "",
                f"{row}-value": "777",
                f"{row}-source": "部局の調べ",
                f"{row}-period": "fy",
                f"{row}-indicator": str(indicator.pk),
                "change_reason": "2019年度実績の入力",
            }
        )
        response = dept_client.post(url, data)
        made = Result.objects.filter(indicator=indicator, fiscal_year=2019).exists()
        if allowed:
            assert response.status_code == 302, response.content.decode()[-2000:]
            assert made
        else:
            assert response.status_code == 200
            assert "担当部局のものではない" in response.content.decode()
            assert not made


def test_published_figures_and_publishing_stay_with_the_office(dept_client, departments):
    published = Result.objects.filter(indicator__slug=OWN, status=Result.Status.PUBLISHED).first()
    assert not may(departments["user"], "change", published)
    page = dept_client.get(change_url(published)).content.decode()
    assert 'name="_save"' not in page
    mine = draft(OWN)
    changelist = reverse("admin:indicators_result_changelist")
    assert "publish_selected" not in dept_client.get(changelist).content.decode()
    dept_client.post(
        changelist, {"action": "publish_selected", "_selected_action": [mine.pk], "index": 0}
    )
    mine.refresh_from_db()
    assert mine.is_draft


def test_an_import_refuses_the_rows_of_another_department(dept_client, tmp_path):
    path = write_csv(
        tmp_path / "keizai.csv",
        [
            sheet_row(OWN, 2019, "55", 出典="部局の調べ"),
            sheet_row(OTHER, 2019, "66", 出典="部局の調べ"),
        ],
    )
    preview = upload(dept_client, path)
    html = preview.content.decode()
    assert "担当部局のものではない" in html
    assert preview.context.get("confirm_form") is None  # nothing can be confirmed
    assert not Result.objects.filter(fiscal_year=2019).exists()


def test_an_editor_without_a_department_enters_nothing(django_user_model):
    user = django_user_model.objects.create_user("nobody", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="department_editor"))
    assert not may(user, "add", Result(indicator=Indicator.objects.get(slug=OWN), fiscal_year=2019))
    assert Edition.objects.filter(year=2018).exists()
