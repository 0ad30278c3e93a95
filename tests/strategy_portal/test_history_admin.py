"""Every model with history has the one history admin: Japanese pages, readable changes."""

from django.apps import apps
from django.contrib import admin

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
        "Result",
        "Target",
    }
    for model in with_history:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, HistoryAdmin), model
        assert model_admin.object_history_template == "admin/history/object_history.html"
