"""The outside review's write findings, replayed as the reviewer did them: each door a
view-only role (or an inline row) could change a published record through."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from harness.forms import browser_form
from indicators.models import Indicator, Result
from projects import services
from projects.models import Category, Edition, Measure, Section

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_editor_client(django_user_model):
    user = django_user_model.objects.create_user("bunsho", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="report_editor"))
    return signed_in(user)


def history_form_url(obj):
    info = f"{obj._meta.app_label}_{obj._meta.model_name}"
    record = obj.history.order_by("-history_id").first()
    return reverse(f"admin:{info}_simple_history", args=[obj.pk, record.history_id])


def result_row(data, result):
    """The prefix of the row the indicator's page shows for `result` (results-3)."""
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("results-") and key.endswith("-id") and value == str(result.pk)
    )


def published_measure():
    return Measure.objects.get(
        title="結婚サポートセンターの運営", category__section__edition__year=2018
    )


def test_an_editor_view_only_on_measures_cannot_revert_a_measure_through_its_history(
    editor_client, admin_client_, client
):
    measure = published_measure()
    url = history_form_url(measure)
    data = browser_form(admin_client_.get(url))
    data.update(title="書き換えた題名", change_reason="履歴から戻す")
    response = editor_client.post(url, data)
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.title == "結婚サポートセンターの運営"
    assert "書き換えた題名" not in client.get("/projects/sumairu/").content.decode()


def test_an_editor_cannot_retitle_an_edition_or_a_category_through_their_history(
    editor_client, admin_client_
):
    edition = Edition.objects.get(year=2018)
    category = Category.objects.filter(section__edition=edition).first()
    for obj, field in ((edition, "title"), (category, "title")):
        url = history_form_url(obj)
        data = browser_form(admin_client_.get(url))
        data.update({field: "改ざん", "change_reason": "x"})
        assert editor_client.post(url, data).status_code == 403
        obj.refresh_from_db()
        assert getattr(obj, field) != "改ざん"


def test_a_report_editor_view_only_on_results_cannot_change_a_figure_through_its_history(
    report_editor_client, admin_client_, client
):
    result = Result.objects.filter(status="published").order_by("pk").first()
    url = history_form_url(result)
    data = browser_form(admin_client_.get(url))
    data.update(value="99999", change_reason="履歴から")
    assert report_editor_client.post(url, data).status_code == 403
    result.refresh_from_db()
    assert result.value != 99999
    assert client.get(f"/api/v1/results/{result.pk}").json()["data"]["value"] != 99999


def test_an_editor_cannot_delete_a_published_result_through_the_indicators_rows(
    editor_client, admin_client_
):
    result = Result.objects.filter(status="published").order_by("pk")[1]
    indicator = result.indicator
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = browser_form(editor_client.get(url))
    row = result_row(data, result)
    data.update({f"{row}-DELETE": "on", "change_reason": "行を削除"})
    response = editor_client.post(url, data)
    assert Result.objects.filter(pk=result.pk).exists()
    assert response.status_code == 200
    assert "公開中の実績" in response.content.decode() and "削除できません" in (
        response.content.decode()
    )


def test_an_editor_still_deletes_a_draft_row_under_its_indicator(editor_client):
    indicator = Indicator.objects.order_by("pk").first()
    draft = Result.objects.create(
        indicator=indicator,
        edition=Edition.objects.get(year=2018),
        fiscal_year=2030,
        value=1,
        version=1,
    )
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = browser_form(editor_client.get(url))
    row = result_row(data, draft)
    data.update({f"{row}-DELETE": "on", "change_reason": "誤って入力した行"})
    assert editor_client.post(url, data).status_code == 302
    assert not Result.objects.filter(pk=draft.pk).exists()


def test_a_report_editor_cannot_delete_or_retitle_published_measures_in_a_headings_rows(
    report_editor_client,
):
    measure = published_measure()
    category = measure.category
    url = reverse("admin:projects_category_change", args=[category.pk])
    page = report_editor_client.get(url)
    data = browser_form(page)
    assert not any(key.startswith("measures-0-") and key.endswith("title") for key in data), (
        "measures are listed with links to their own pages, not edited in the heading's table"
    )
    # The review's crafted POST: the rows as an editable inline would send them.
    data.update(
        {
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "1",
            "measures-0-id": str(measure.pk),
            "measures-0-category": str(category.pk),
            "measures-0-order": str(measure.order),
            "measures-0-title": "消した",
            "measures-0-DELETE": "on",
            "change_reason": "",
        }
    )
    report_editor_client.post(url, data)
    measure.refresh_from_db()
    assert measure.title == "結婚サポートセンターの運営"


def test_a_published_sections_lead_changes_only_with_a_reason_kept_in_its_history(
    report_editor_client,
):
    section = Section.objects.filter(edition__year=2018).order_by("pk").first()
    url = reverse("admin:projects_section_change", args=[section.pk])
    data = browser_form(report_editor_client.get(url))
    data["lead"] = "理由なしの書き換え"
    response = report_editor_client.post(url, data)
    assert response.status_code == 200
    assert "理由を入力してください" in response.content.decode()
    section.refresh_from_db()
    assert section.lead != "理由なしの書き換え"

    data.update(lead="誤字を直したリード文", change_reason="誤字の訂正")
    assert report_editor_client.post(url, data).status_code == 302
    record = section.history.order_by("-history_id").first()
    assert (record.lead, record.history_change_reason) == ("誤字を直したリード文", "誤字の訂正")


def test_a_draft_editions_text_is_changed_and_deleted_without_a_reason(report_editor_client):
    draft = services.start_next_edition(Edition.objects.get(year=2018))
    measure = Measure.objects.filter(category__section__edition=draft).order_by("pk").first()
    url = reverse("admin:projects_measure_delete", args=[measure.pk])
    assert report_editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()
    published = published_measure()
    url = reverse("admin:projects_measure_delete", args=[published.pk])
    assert report_editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Measure.objects.filter(pk=published.pk).exists()
