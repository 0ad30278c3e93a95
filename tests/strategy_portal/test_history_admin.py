"""Every model with history has the one history admin: Japanese pages, readable changes."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from projects.models import Measure
from strategy_portal.admin import HistoryAdmin


def test_every_model_with_history_has_the_one_history_admin():
    with_history = [
        model
        for model in apps.get_models()
        if hasattr(model, "history")
        and not hasattr(model, "history_object")
        and model._meta.app_label in ("projects", "indicators", "municipalities")
    ]
    names = {model.__name__ for model in with_history}
    assert names == {
        "Edition",
        "SourceCorrection",
        "Section",
        "Category",
        "Measure",
        "Indicator",
        "Heading",
        "Result",
        "Target",
        "Task",
        "SelfAssessment",
        "CommitteeMeeting",
        "CommitteeComment",
    }
    for model in with_history:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, HistoryAdmin), model
        assert model_admin.object_history_template == "admin/history/object_history.html"


@pytest.mark.django_db
def test_a_change_to_bullets_reads_as_lines_not_as_python(admin_client_):
    """箇条書き (JSON) old → new as ・lines, sub-items in brackets: no [{'text': …."""
    measure = Measure.objects.order_by("pk").first()
    measure.bullets = [{"text": "移住相談", "items": ["東京", "大阪"]}, "就業支援"]
    measure._change_reason = "箇条書きを整理"
    measure.save()
    url = reverse("admin:projects_measure_history", args=[measure.pk])
    page = admin_client_.get(url).content.decode()
    assert "・移住相談［東京、大阪］ ・就業支援" in page
    measure.bullets = []
    measure._change_reason = "箇条書きを削除"
    measure.save()
    page = admin_client_.get(url).content.decode()
    assert "・移住相談［東京、大阪］ ・就業支援 → （なし）" in page
    assert "{&#x27;text&#x27;" not in page and "{'text'" not in page


@pytest.mark.django_db
def test_a_past_versions_breadcrumb_names_the_app_in_japanese(admin_client_):
    """Results' history was Japanese, but its breadcrumb said 「Indicators」."""
    from indicators.models import Result

    result = Result.objects.order_by("pk").first()
    record = result.history.first()
    url = reverse("admin:indicators_result_simple_history", args=[result.pk, record.history_id])
    page = admin_client_.get(url).content.decode()
    crumbs = page.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0]
    assert "指標と実績" in crumbs and "Indicators" not in crumbs
