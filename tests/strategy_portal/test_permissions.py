"""The one list of who holds what (permissions.ROLES): the groups hold exactly it, the
editors' guide (docs/editors-and-roles.md) shows it, and the rules of state (public
records) apply to every role."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from indicators.models import Result
from projects.models import Edition, Measure
from strategy_portal.permissions import ROLES, apply_roles, may, role_permissions, roles_table

pytestmark = pytest.mark.django_db

ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "editors-and-roles.md"


def held(role):
    group = Group.objects.get(name=role)
    return {(p.content_type.app_label, p.codename) for p in group.permissions.all()}


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_group_holds_exactly_what_the_table_says(role):
    print(role, sorted(f"{app}.{codename}" for app, codename in held(role)))
    assert held(role) == role_permissions(role)


def test_the_editors_guide_roles_table_is_the_one_generated_from_the_permission_home():
    text = ROLES_DOC.read_text(encoding="utf-8")
    shown = re.search(r"<!-- roles:start -->\n(.*?)\n<!-- roles:end -->", text, re.S).group(1)
    assert shown == roles_table(), (
        "docs/editors-and-roles.md's roles table is out of date: paste roles_table()"
    )


def test_a_permission_granted_by_hand_is_put_back_after_migrate():
    group = Group.objects.get(name="staff")
    group.permissions.add(Permission.objects.get(codename="change_result"))
    group.permissions.remove(Permission.objects.get(codename="view_measure"))
    call_command("migrate", verbosity=0)
    assert held("staff") == role_permissions("staff")
    apply_roles()
    assert held("staff") == role_permissions("staff")


def test_a_published_record_is_deleted_by_nobody_but_a_superuser(django_user_model):
    editor = django_user_model.objects.create_user("e", is_staff=True)
    editor.groups.add(Group.objects.get(name="editor"))
    root = django_user_model.objects.create_superuser("root", password=None)
    published = Result.objects.public().first()
    draft = Result.objects.create(
        indicator=published.indicator,
        edition=Edition.objects.get(year=2018),
        fiscal_year=2031,
        value=1,
        version=1,
    )
    assert may(editor, "delete", model=Result)
    assert not may(editor, "delete", published)
    assert may(editor, "delete", draft)
    assert may(root, "delete", published)
    assert may(editor, "view", Measure.objects.first())
    assert not may(editor, "change", Measure.objects.first())


def test_no_migration_sets_a_roles_permissions():
    """ROLES is applied after every migrate (apply_roles); a migration with its own
    copy of the table would be a second home that drifts from it."""
    root = Path(__file__).resolve().parents[2]
    for migration in root.glob("*/migrations/0*.py"):
        text = migration.read_text(encoding="utf-8")
        assert "create_permissions" not in text and "permissions.add" not in text, migration
