"""The admin: every model is registered, its pages open, its names are Japanese."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from strategy_portal.permissions import ADDED_BY_CODE_ONLY, WRITTEN_BY_COMMANDS_ONLY

pytestmark = pytest.mark.django_db

OUR_APPS = ("projects", "indicators", "municipalities")


def our_models():
    """Our models, less simple-history's Historical* copies (shown through their model)."""
    return [
        model
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not hasattr(model, "history_object")
    ]


def test_every_model_is_registered_with_a_japanese_name():
    for model in our_models():
        assert admin.site.is_registered(model), model
        name = str(model._meta.verbose_name)
        assert not name.isascii() or name.startswith("DMO") or "DMO" in name, name


def test_every_changelist_and_add_page_opens(admin_client_):
    """Each list names its model and lists its rows; each add page is a form to fill."""
    for model in our_models():
        info = (model._meta.app_label, model._meta.model_name)
        listing = admin_client_.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert listing.status_code == 200, info
        page = listing.content.decode()
        assert escape(str(model._meta.verbose_name)) in page, info
        first = model.objects.first()
        if first is not None:
            assert escape(str(first))[:40] in page or f"/{first.pk}/change/" in page, info
        add = admin_client_.get(reverse("admin:{}_{}_add".format(*info)))
        if model._meta.label_lower in WRITTEN_BY_COMMANDS_ONLY | ADDED_BY_CODE_ONLY:  # by code only
            assert add.status_code == 403
            continue
        assert add.status_code == 200, info
        assert 'type="submit"' in add.content.decode() and "保存" in add.content.decode(), info


def test_change_pages_open_for_seed_rows(admin_client_):
    for model in our_models():
        obj = model.objects.first()
        if obj is None:
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        # The editor sees which row this is: its name in the page's heading.
        assert escape(str(obj))[:40] in response.content.decode(), url


def test_search_and_filters_on_results(admin_client_):
    url = reverse("admin:indicators_result_changelist")
    page = admin_client_.get(url, {"q": "相談件数"}).content.decode()
    assert "813件" in page
    assert (
        admin_client_.get(url, {"fiscal_year": "2017", "status__exact": "published"}).status_code
        == 200
    )


def test_admin_pages_are_in_japanese(admin_client_, editor_client):
    """Export, restore and superuser forms: no English left by the add-ons or unnamed fields."""
    from indicators.models import Result

    export = editor_client.get(reverse("admin:indicators_result_export")).content.decode()
    assert "次の列を書き出します" in export and "すべて選択" in export
    assert "This exporter" not in export and "Select all" not in export
    result = Result.objects.first()
    result._change_reason = "試験"
    result.save()
    record = result.history.first()
    restore = editor_client.get(
        reverse("admin:indicators_result_simple_history", args=[result.pk, record.history_id])
    ).content.decode()
    assert "を以前の版に戻す" in restore and "Revert" not in restore
    assert "Historical" not in restore
    for name in ("projects_edition_add", "projects_category_add", "projects_section_changelist"):
        page = admin_client_.get(reverse(f"admin:{name}")).content.decode()
        for english in ("Strategy:", ">Parent", "PARENT", "project で絞り込む"):
            assert english not in page, (name, english)
