"""Update rounds (調査) through the admin: the office opens one, a department submits,
the office returns and accepts; every state change is in the task's history."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from indicators import rounds
from indicators.models import Indicator, Result, Round, Task
from projects.models import Department
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

TASKS = reverse("admin:indicators_task_changelist")
ROUND_ADD = reverse("admin:indicators_round_add")
OWN = "p1-marriage-support-consultations"


@pytest.fixture
def world(django_user_model):
    keizai = Department.objects.create(name="経済部", order=1)
    nousei = Department.objects.create(name="農政部", order=2)
    own = Indicator.objects.get(slug=OWN)
    own.measure.department = keizai
    own.measure.save()
    theirs = Indicator.objects.exclude(measure=own.measure).first()
    theirs.department = nousei
    theirs.save()
    office = django_user_model.objects.create_user(
        "office", password=None, is_staff=True, email="office@example.jp"
    )
    office.groups.add(Group.objects.get(name="report_editor"))
    member = django_user_model.objects.create_user(
        "keizai", password=None, is_staff=True, email="keizai@example.jp"
    )
    member.groups.add(Group.objects.get(name="department_editor"))
    keizai.members.add(member)
    return {
        "office": office,
        "member": member,
        "keizai": keizai,
        "nousei": nousei,
        "own": own,
        "theirs": theirs,
        "owned": rounds.owned_indicators().count(),
    }


def open_round(client, year=2019, due=None):
    due = due or timezone.localdate() + datetime.timedelta(days=30)
    return client.post(
        ROUND_ADD,
        {
            "fiscal_year": str(year),
            "due_on": due.isoformat(),
            "remind_days_before": "7",
            "message": "",
        },
    )


def act(client, action, tasks, **extra):
    return client.post(
        TASKS,
        {"action": action, "_selected_action": [t.pk for t in tasks], "index": 0, **extra},
        follow=True,
    )


def test_a_round_is_opened_by_the_office_with_a_task_per_owned_indicator(world):
    office = signed_in(world["office"])
    response = open_round(office)
    assert response.status_code == 302
    round_ = Round.objects.get(fiscal_year=2019)
    assert round_.opened_by == world["office"]
    tasks = Task.objects.filter(round=round_)
    # The measure's indicators (経済部) and the one indicator of 農政部.
    assert tasks.count() == world["owned"] == world["own"].measure.indicators.count() + 1
    assert set(tasks.values_list("department__name", flat=True)) == {"経済部", "農政部"}
    assert set(tasks.values_list("state", flat=True)) == {Task.State.NOT_STARTED}
    page = office.get(reverse("admin:indicators_round_change", args=[round_.pk])).content.decode()
    assert "部局ごとの進み具合" in page and "経済部" in page and "農政部" in page


def test_a_department_cannot_open_a_round(world):
    assert open_round(signed_in(world["member"])).status_code == 403
    assert not Round.objects.exists()


def test_a_department_submits_the_office_returns_and_accepts(world):
    office, member = signed_in(world["office"]), signed_in(world["member"])
    open_round(office)
    task = Task.objects.get(indicator=world["own"])

    # 「担当の更新」 lists the department's own tasks only.
    mine = member.get(TASKS).content.decode()
    assert str(world["own"]) in mine
    assert str(world["theirs"]) not in mine

    # No figure yet: submitting is refused with the reason.
    page = act(member, "submit_selected", [task]).content.decode()
    assert "実績がまだ入力されていません" in page
    task.refresh_from_db()
    assert task.state == Task.State.NOT_STARTED

    Result.objects.create(indicator=world["own"], fiscal_year=2019, value=5, source="経済部の調べ")
    from indicators import services

    figure = Result.objects.get(indicator=world["own"], fiscal_year=2019)
    services.save_result(figure, reason="入力", user=world["member"])
    task.refresh_from_db()
    assert task.state == Task.State.IN_PROGRESS

    act(member, "submit_selected", [task])
    task.refresh_from_db()
    assert task.state == Task.State.SUBMITTED and task.submitted_at is not None

    # A department cannot accept its own submission.
    act(member, "accept_selected", [task])
    task.refresh_from_db()
    assert task.state == Task.State.SUBMITTED

    # Returning asks for a reason first, then returns.
    asked = act(office, "return_selected", [task]).content.decode()
    assert "差し戻す理由" in asked
    task.refresh_from_db()
    assert task.state == Task.State.SUBMITTED
    act(office, "return_selected", [task], comment="単位が千円ではなく円です", apply="1")
    task.refresh_from_db()
    assert task.state == Task.State.RETURNED
    listed = member.get(TASKS).content.decode()
    assert "差戻し" in listed and "単位が千円ではなく円です" in listed

    act(member, "submit_selected", [task])
    act(office, "accept_selected", [task])
    task.refresh_from_db()
    assert task.state == Task.State.ACCEPTED

    history = list(task.history.order_by("history_date"))
    assert [h.state for h in history] == [
        "not_started",
        "in_progress",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert history[3].history_user == world["office"]
    assert history[3].history_change_reason == "単位が千円ではなく円です"
    assert history[2].history_user == world["member"]
    page = office.get(reverse("admin:indicators_task_history", args=[task.pk])).content.decode()
    assert "単位が千円ではなく円です" in page and "office" in page


def test_another_departments_task_cannot_be_submitted(world):
    office, member = signed_in(world["office"]), signed_in(world["member"])
    open_round(office)
    theirs = Task.objects.get(indicator=world["theirs"])
    Result.objects.create(
        indicator=world["theirs"], fiscal_year=2019, value=5, source="農政部の調べ"
    )
    act(member, "submit_selected", [theirs])
    theirs.refresh_from_db()
    assert theirs.state == Task.State.NOT_STARTED


def test_progress_counts_by_department_and_overdue(world):
    office = signed_in(world["office"])
    open_round(office, due=timezone.localdate() - datetime.timedelta(days=1))
    round_ = Round.objects.get()
    rows = {row["department"].name: row for row in rounds.progress(round_)}
    assert rows["農政部"]["total"] == 1 and rows["農政部"]["overdue"] == 1
    assert rows["経済部"]["overdue"] == rows["経済部"]["total"]
    overdue = office.get(TASKS + "?overdue=1&mine=0").content.decode()
    assert "期限切れ" in overdue


def test_a_department_editor_is_made_with_create_user(world, monkeypatch):
    from django.contrib.auth.models import User
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_USER_PASSWORD", "pw-jiro-2019-X")
    quiet = {"stdout": open("/dev/null", "w")}
    role = ["--role", "department_editor", "--noinput"]
    call_command("create_user", "jiro", *role, "--department", "農政部", **quiet)
    with pytest.raises(CommandError, match="担当部局「水産部」はありません"):
        call_command("create_user", "saburo", *role, "--department", "水産部", **quiet)
    jiro = User.objects.get(username="jiro")
    assert jiro.is_staff and list(jiro.departments.values_list("name", flat=True)) == ["農政部"]
    assert not User.objects.filter(username="saburo").exists()


def test_a_task_page_has_no_save_button(world):
    office = signed_in(world["office"])
    open_round(office)
    task = Task.objects.first()
    page = office.get(reverse("admin:indicators_task_change", args=[task.pk])).content.decode()
    assert 'name="_save"' not in page and "未着手" in page
