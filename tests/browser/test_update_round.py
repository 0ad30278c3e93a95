"""An update round (調査) played in a real browser with three departments: 経済部
submits on time and is accepted; 農政部 is returned, sees why, corrects and submits
again, and is accepted; 建設部 does nothing and goes overdue. The office watches it on
the round's page. Screenshots of each step go to $ROUND_SCREENSHOTS when set."""

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Result, Round, Task
from projects.models import Department

from .test_yearly_round import roles

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-round-2019-X"
SHOTS = os.environ.get("ROUND_SCREENSHOTS")
TASKS = reverse("admin:indicators_task_changelist")


@pytest.fixture
def people(writable_site):
    roles()
    indicators = list(Indicator.objects.order_by("pk")[:3])
    people = {}
    for order, (name, login, indicator) in enumerate(
        zip(
            ("経済部", "農政部", "建設部"),
            ("keizai", "nousei", "kensetsu"),
            indicators,
            strict=True,
        ),
        1,
    ):
        department = Department.objects.create(name=name, order=order)
        indicator.department = department
        indicator.save()
        user = User.objects.create_user(login, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name="department_editor"))
        department.members.add(user)
        people[login] = indicator
    office = User.objects.create_user("office", password=PASSWORD, is_staff=True)
    office.groups.add(Group.objects.get(name="report_editor"))
    return people


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, site, login):
    page.context.clear_cookies()
    page.goto(site.url + "/admin/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "/admin/login/" not in page.url, f"{login} could not sign in"


def run_action(page, label, indicator):
    row = page.locator("#result_list tbody tr", has_text=indicator.name)
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", label=label)
    with page.expect_navigation():
        page.click("button[name=index]")


def enter_figure(page, site, indicator, value):
    """From 「担当の更新」, the indicator's page: a new row for FY2019, saved."""
    page.goto(site.url + TASKS)
    with page.expect_navigation():
        page.click(f"a:has-text('{indicator.name}')")
    group = page.locator("#results-group")
    group.locator(".add-row a").click()
    row = group.locator("tr.dynamic-results").last
    row.locator("input[name$='-fiscal_year']:not([type=hidden])").fill("2019")
    row.locator("input[name$='-value']:not([type=hidden])").fill(value)
    source = row.locator("input[name$='-source']:not([type=hidden])")
    if source.count():
        source.fill("部局の調べ")
    page.fill("#id_change_reason", "2019年度実績の入力")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert Result.objects.filter(indicator=indicator, fiscal_year=2019).exists(), page.content()[
        -3000:
    ]


def test_a_round_with_three_departments(page, writable_site, people):
    site = writable_site
    keizai, nousei, kensetsu = people["keizai"], people["nousei"], people["kensetsu"]

    # The office opens the round.
    sign_in(page, site, "office")
    page.goto(site.url + reverse("admin:indicators_round_add"))
    page.fill("#id_fiscal_year", "2019")
    page.fill("#id_due_on", (timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert "3件の入力依頼を作りました" in page.inner_text("body")
    round_ = Round.objects.get(fiscal_year=2019)
    assert Task.objects.filter(round=round_).count() == 3

    # 経済部: its own task only, enters the figure, submits.
    sign_in(page, site, "keizai")
    page.goto(site.url + TASKS)
    listed = page.inner_text("#result_list")
    assert keizai.name in listed and "未着手" in listed
    assert nousei.name not in listed and kensetsu.name not in listed
    shot(page, "1-keizai-tasks")
    enter_figure(page, site, keizai, "120")
    page.goto(site.url + TASKS)
    assert "入力中" in page.inner_text("#result_list")
    run_action(page, "選択した依頼を提出する（部局）", keizai)
    assert "1件を提出しました" in page.inner_text("body")

    # 農政部: submits too.
    sign_in(page, site, "nousei")
    enter_figure(page, site, nousei, "3,400")
    page.goto(site.url + TASKS)
    run_action(page, "選択した依頼を提出する（部局）", nousei)

    # The office accepts 経済部 and returns 農政部 with a reason.
    sign_in(page, site, "office")
    page.goto(site.url + reverse("admin:indicators_round_change", args=[round_.pk]))
    shot(page, "2-office-progress-submitted")
    page.click("text=提出済の依頼を確認する")
    run_action(page, "選択した依頼を確認済にする（総合政策部）", keizai)
    page.goto(site.url + TASKS + "?mine=0&state__exact=submitted")
    run_action(page, "選択した依頼を差し戻す（総合政策部・理由を書く）", nousei)
    page.fill("textarea[name=comment]", "単位は千円です。3,400千円で正しいか確認してください")
    shot(page, "3-office-returns")
    with page.expect_navigation():
        page.click("input[value=差し戻す]")
    assert "1件を差し戻しました" in page.inner_text("body")

    # 農政部 sees why, corrects the figure and submits again; the office accepts.
    sign_in(page, site, "nousei")
    page.goto(site.url + TASKS)
    listed = page.inner_text("#result_list")
    assert "差戻し" in listed and "3,400千円で正しいか" in listed
    shot(page, "4-nousei-returned")
    run_action(page, "選択した依頼を提出する（部局）", nousei)
    sign_in(page, site, "office")
    page.goto(site.url + TASKS + "?mine=0&state__exact=submitted")
    run_action(page, "選択した依頼を確認済にする（総合政策部）", nousei)

    # 建設部 never enters anything; the due date passes.
    Round.objects.filter(pk=round_.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page.goto(site.url + reverse("admin:indicators_round_change", args=[round_.pk]))
    progress = page.inner_text(".round-progress")
    shot(page, "5-office-progress-overdue")
    rows = {line.split("\t")[0]: line for line in progress.splitlines() if "\t" in line}
    assert rows["経済部"].split("\t")[5] == "1"  # 確認済
    assert rows["農政部"].split("\t")[5] == "1"
    assert (
        rows["建設部"].split("\t")[1] == "1" and rows["建設部"].split("\t")[7] == "1"
    )  # 未着手, 期限切れ
    page.goto(site.url + TASKS + "?mine=0&overdue=1")
    overdue = page.inner_text("#result_list")
    assert kensetsu.name in overdue and "期限切れ" in overdue and keizai.name not in overdue

    states = dict(Task.objects.values_list("department__name", "state"))
    assert states == {"経済部": "accepted", "農政部": "accepted", "建設部": "not_started"}
    returned = Task.objects.get(department__name="農政部")
    assert [h.state for h in returned.history.order_by("history_date")] == [
        "not_started",
        "in_progress",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
