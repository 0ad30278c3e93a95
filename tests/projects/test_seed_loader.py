"""Malformed fixture files are refused with a message naming the file and place."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from projects.models import Edition, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition_copy(tmp_path, seed_dir):
    folder = tmp_path / "2018"
    shutil.copytree(seed_dir / "editions" / "2018", folder)
    return folder


def test_a_typo_in_a_key_is_refused_and_nothing_is_written(edition_copy):
    path = edition_copy / "project_2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("body:", "bdy:", 1), encoding="utf-8")
    measures = Measure.objects.count()
    with pytest.raises(CommandError, match=r"project_2\.yaml.*unknown keys \['bdy'\]"):
        call_command("load_seed", edition=edition_copy, replace=True)
    assert Measure.objects.count() == measures
    assert Edition.objects.filter(year=2018).exists()


def test_invalid_yaml_is_refused_with_its_file(edition_copy):
    (edition_copy / "project_3.yaml").write_text("project: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match=r"project_3\.yaml"):
        call_command("load_seed", edition=edition_copy, replace=True)


def test_an_unknown_municipality_is_refused(edition_copy):
    path = edition_copy / "project_3.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('["当別町"', '["存在しない町"', 1),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="存在しない町"):
        call_command("load_seed", edition=edition_copy, replace=True)
