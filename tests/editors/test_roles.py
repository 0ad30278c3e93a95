"""Who may reach what: editors in the admin, staff reading drafts, the public neither."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from indicators.models import Result
from projects.models import Measure, Strategy

from .conftest import add_result

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
USERS = reverse("admin:auth_user_changelist")


def codenames(role):
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_the_roles_exist_with_exactly_their_permissions():
    editor = codenames("editor")
    assert {"add_result", "change_result", "add_target", "change_target"} <= editor
    assert {"view_project", "view_measure", "view_indicator", "view_result"} <= editor
    assert {c for c in editor if c.startswith("delete_")} == {"delete_result"}, (
        "an editor deletes only figures (drafts, see ResultAdmin), nothing else"
    )
    assert not editor & {"change_indicator", "change_measure", "change_strategy", "change_theme"}
    assert not {c for c in editor if c.endswith(("_user", "_group", "_permission"))}
    staff = codenames("staff")
    assert staff and all(c.startswith("view_") for c in staff)
    assert {"view_result", "view_municipality", "view_strategy"} <= staff


def test_an_editor_reaches_results_indicators_and_targets(editor_client):
    index = editor_client.get(ADMIN).content.decode()
    for name in ("実績", "指標", "目標", "施策", "重点戦略プロジェクト"):
        assert name in index
    assert "ユーザー" not in index and "グループ" not in index
    for url in (
        reverse("admin:indicators_result_changelist"),
        reverse("admin:indicators_result_add"),
        reverse("admin:indicators_indicator_changelist"),
        reverse("admin:indicators_target_add"),
        reverse("admin:projects_measure_changelist"),
    ):
        assert editor_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:indicators_indicator_add"),
        reverse("admin:projects_strategy_add"),
    ],
)
def test_an_editor_cannot_open_users_groups_or_add_text(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_an_editor_cannot_post_to_users_or_the_strategys_text(editor_client, editor_user):
    assert (
        editor_client.post(
            reverse("admin:auth_user_add"),
            {"username": "intruder", "password1": "x-Long-pass-9", "password2": "x-Long-pass-9"},
        ).status_code
        == 403
    )
    assert not User.objects.filter(username="intruder").exists()
    group = Group.objects.get(name="staff")
    response = editor_client.post(
        reverse("admin:auth_user_change", args=[editor_user.pk]),
        {"username": "editor", "is_superuser": "on", "groups": [group.pk]},
    )
    assert response.status_code == 403
    editor_user.refresh_from_db()
    assert not editor_user.is_superuser
    measure = Measure.objects.first()
    response = editor_client.post(
        reverse("admin:projects_measure_change", args=[measure.pk]),
        {"title": "書き換え", "category": measure.category_id, "order": measure.order},
    )
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.title != "書き換え"
    strategy = Strategy.objects.get()
    assert (
        editor_client.post(
            reverse("admin:projects_strategy_delete", args=[strategy.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_strategys_text_is_read_only_for_an_editor(editor_client):
    measure = Measure.objects.first()
    page = editor_client.get(reverse("admin:projects_measure_change", args=[measure.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' not in html and "_save" not in html


def test_an_editor_cannot_delete_a_published_result_even_by_a_crafted_post(editor_client):
    result = Result.objects.filter(status="published").first()
    assert (
        editor_client.post(
            reverse("admin:indicators_result_delete", args=[result.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    editor_client.post(
        reverse("admin:indicators_result_changelist"),
        {"action": "delete_selected", "_selected_action": [result.pk], "post": "yes"},
    )
    assert Result.objects.filter(pk=result.pk).exists()


def test_a_crafted_post_cannot_publish_through_the_form(editor_client):
    response = add_result(editor_client, status="published", version="99")
    assert response.status_code == 302
    result = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2018
    )
    assert result.status == Result.Status.DRAFT
    assert result.version == 1


def test_a_crafted_post_cannot_change_an_indicator(editor_client, consultations):
    indicator = consultations.indicator
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = {
        "name": "書き換え",
        "unit": "人",
        "slug": "hacked",
        "change_reason": "試し",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    editor_client.post(url, data)
    indicator.refresh_from_db()
    assert (indicator.name, indicator.unit, indicator.slug) == (
        "相談件数",
        "件",
        "p1-marriage-support-consultations",
    )
    assert indicator.history.count() == 1, "no history row for a change that did not happen"


def test_staff_cannot_open_the_admin(staff_client):
    for url in (ADMIN, reverse("admin:indicators_result_changelist"), USERS):
        response = staff_client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_public_cannot_open_the_admin(client):
    response = client.get(reverse("admin:indicators_result_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def draft_figure():
    base = Result.objects.get(indicator__slug="p1-marriage-support-consultations", fiscal_year=2017)
    return Result.objects.create(
        indicator=base.indicator, edition=base.edition, fiscal_year=2018, value=9999
    )


def test_staff_sign_in_at_accounts_login_and_read_drafts(staff_user, client):
    draft_figure()
    assert "9,999" not in client.get("/projects/sumairu/").content.decode()

    response = client.post("/accounts/login/", {"username": "staff", "password": "pw-staff-123"})

    assert response.status_code == 302
    assert "9,999" in client.get("/projects/sumairu/").content.decode()


def test_the_public_never_sees_a_draft(client):
    draft_figure()
    assert "9,999" not in client.get("/projects/sumairu/").content.decode()
    assert (
        "9,999" not in client.get("/indicators/p1-marriage-support-consultations/").content.decode()
    )


# The create_user command --------------------------------------------------------------


def test_create_user_makes_an_editor_who_signs_in_to_the_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-edit")
    call_command(
        "create_user", "hanako", "--role", "editor", "--email", "h@example.jp", "--noinput"
    )

    user = User.objects.get(username="hanako")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["editor"]
    browser = Client()
    response = browser.post(
        reverse("admin:login"),
        {"username": "hanako", "password": "Hokkaido-2018-edit", "next": ADMIN},
    )
    assert response.status_code == 302
    assert browser.get(reverse("admin:indicators_result_changelist")).status_code == 200
    assert browser.get(USERS).status_code == 403


def test_create_user_makes_staff_who_cannot_use_the_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-read")
    call_command("create_user", "taro", "--role", "staff", "--noinput")
    user = User.objects.get(username="taro")
    assert not user.is_staff
    assert user.has_perm("indicators.view_result") and not user.has_perm("indicators.change_result")


def test_create_user_changes_a_role_with_update(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-read")
    call_command("create_user", "taro", "--role", "staff", "--noinput")
    call_command("create_user", "taro", "--role", "editor", "--update")
    user = User.objects.get(username="taro")
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["editor"]


def roles_of(username):
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_one_person_holds_both_editor_roles(monkeypatch):
    """The figures and the report's text: `--role` repeated, both groups kept."""
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-both")
    call_command(
        "create_user", "hanako", "--role", "editor", "--role", "report_editor", "--noinput"
    )
    user = User.objects.get(username="hanako")
    assert roles_of("hanako") == {"editor", "report_editor"}
    assert user.is_staff
    assert user.has_perm("indicators.change_result") and user.has_perm("projects.add_measure")


def test_a_role_is_added_and_taken_away_keeping_the_others(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-read")
    call_command("create_user", "taro", "--role", "staff", "--noinput")
    call_command("create_user", "taro", "--add-role", "editor")
    assert roles_of("taro") == {"staff", "editor"}
    assert User.objects.get(username="taro").is_staff  # an editor signs in to /admin/
    call_command("create_user", "taro", "--remove-role", "editor")
    assert roles_of("taro") == {"staff"}
    assert not User.objects.get(username="taro").is_staff


def test_the_admins_user_list_names_each_persons_roles(admin_client_, monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-both")
    call_command(
        "create_user", "hanako", "--role", "report_editor", "--role", "editor", "--noinput"
    )
    page = admin_client_.get(USERS, {"q": "hanako"}).content.decode()
    assert "役割" in page
    assert "編集者・報告書の編集者" in page


@pytest.mark.parametrize(
    "args, message",
    [
        (["taro", "--role", "staff", "--add-role", "editor"], "一緒に使えません"),
        (["taro"], "--role で指定"),
        (["nobody", "--add-role", "editor"], "ありません"),
        (["editor", "--remove-role", "editor"], "役割がなくなります"),
    ],
)
def test_role_changes_are_refused_with_a_reason(editor_user, monkeypatch, args, message):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Hokkaido-2018-x")
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args, "--noinput")
    assert roles_of("editor") == {"editor"}  # nothing changed


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["taro", "--role", "admin"], "Hokkaido-2018-x", "invalid choice"),
        (["editor", "--role", "staff"], "Hokkaido-2018-x", "すでにあります"),
        (["jiro", "--role", "staff"], "12345678", "パスワードが使えません"),
        (["jiro", "--role", "staff"], "", "DJANGO_USER_PASSWORD"),
        (["nobody", "--role", "staff", "--update"], "Hokkaido-2018-x", "ありません"),
    ],
)
def test_create_user_refuses_with_a_reason(monkeypatch, editor_user, args, password, message):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args, "--noinput")


def test_an_editor_deletes_a_draft_entered_against_the_wrong_indicator(editor_client):
    add_result(editor_client, value="845")
    wrong = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2018
    )
    assert wrong.is_draft
    response = editor_client.post(
        reverse("admin:indicators_result_delete", args=[wrong.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Result.objects.filter(pk=wrong.pk).exists()
    record = Result.history.filter(id=wrong.pk).order_by("-history_id").first()
    assert (record.history_type, record.history_change_reason) == ("-", "管理画面で削除")
