"""A backup restores into an empty database with every row."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [
    "projects.Strategy",
    "projects.StrategyPhase",
    "projects.Edition",
    "projects.Project",
    "projects.Theme",
    "projects.Section",
    "projects.Category",
    "projects.Measure",
    "projects.SourceCorrection",
    "indicators.Indicator",
    "indicators.Result",
    "indicators.HistoricalResult",
    "municipalities.Subprefecture",
    "municipalities.Municipality",
    "municipalities.CollaborationArea",
    "municipalities.DMO",
    "auth.User",
    "auth.Group",
]


def snapshot():
    counts = {label: apps.get_model(label).objects.count() for label in MODELS}
    Measure = apps.get_model("projects.Measure")
    Result = apps.get_model("indicators.Result")
    details = {
        "measure_places": sorted(
            Measure.municipalities.through.objects.values_list("measure_id", "municipality_id")
        ),
        "results": sorted(
            (r.indicator.slug, r.fiscal_year, r.breakdown, str(r.value), r.status)
            for r in Result.objects.select_related("indicator")
        ),
    }
    return counts, details


def test_backup_then_restore_into_an_empty_database_finds_every_row(tmp_path, django_user_model):
    call_command("load_seed", stdout=open("/dev/null", "w"))
    django_user_model.objects.create_user("editor-1", password="pw-editor-1234")
    before = snapshot()
    assert before[0]["indicators.Result"] > 0

    path = tmp_path / "portal.json.gz"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))
    call_command("flush", interactive=False, verbosity=0)
    assert apps.get_model("indicators.Result").objects.count() == 0

    call_command("restore", str(path), stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_restore_refuses_a_database_that_has_data(tmp_path):
    call_command("load_seed", stdout=open("/dev/null", "w"))
    path = tmp_path / "portal.json.gz"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="empty"):
        call_command("restore", str(path))
