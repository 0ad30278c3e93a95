"""The round's reminder mails, delivered to a real SMTP server (aiosmtpd) that the test
starts on 127.0.0.1, and read as they arrived: recipients, subjects, links; none twice."""

import datetime
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group
from django.core.management import call_command

from indicators import rounds, services
from indicators.models import Indicator, Notice, Result, Round, Task
from projects.models import Department

pytestmark = pytest.mark.django_db

DUE = datetime.date(2019, 6, 28)
OWN = "p1-marriage-support-consultations"


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append(
            {
                "to": sorted(envelope.rcpt_tos),
                "from": envelope.mail_from,
                "subject": str(message["subject"]),
                "body": message.get_body(preferencelist=("plain",)).get_content(),
            }
        )
        return "250 OK"

    def take(self):
        mails, self.mails = self.mails, []
        return mails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "portal@example.jp"
    settings.SITE_URL = "https://portal.example.jp"
    yield box
    controller.stop()


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
    users = {}
    for name, group, department in (
        ("office", "report_editor", None),
        ("keizai1", "department_editor", keizai),
        ("keizai2", "department_editor", keizai),
        ("nousei1", "department_editor", nousei),
    ):
        user = django_user_model.objects.create_user(
            name, password=None, is_staff=True, email=f"{name}@example.jp"
        )
        user.groups.add(Group.objects.get(name=group))
        if department is not None:
            department.members.add(user)
        users[name] = user
    round_ = Round.objects.create(fiscal_year=2019, due_on=DUE, remind_days_before=7)
    rounds.open_round(round_, users["office"])
    return {"round": round_, "users": users, "keizai": keizai, "nousei": nousei}


def run(day):
    call_command("send_reminders", "--today", day.isoformat(), stdout=open("/dev/null", "w"))


def by_subject(mails, text):
    found = [mail for mail in mails if text in mail["subject"]]
    assert found, [mail["subject"] for mail in mails]
    return found


def test_a_round_mails_each_step_once_to_the_right_people(inbox, world):
    users, round_ = world["users"], world["round"]
    link = f"https://portal.example.jp/admin/indicators/task/?round__id__exact={round_.pk}"

    # The round opens: each department's editors, once.
    run(DUE - datetime.timedelta(days=30))
    opened = inbox.take()
    assert len(opened) == 2
    keizai = by_subject(opened, "経済部")[0]
    assert keizai["to"] == ["keizai1@example.jp", "keizai2@example.jp"]
    assert keizai["from"] == "portal@example.jp"
    assert (
        "2019年度（令和元年度）の実績の調査" in keizai["subject"]
        and "提出期限 2019年6月28日" in keizai["subject"]
    )
    assert (
        link in keizai["body"] and f"department__id__exact={world['keizai'].pk}" in keizai["body"]
    )
    assert by_subject(opened, "農政部")[0]["to"] == ["nousei1@example.jp"]
    run(DUE - datetime.timedelta(days=30))
    assert inbox.take() == [], "a second run the same day sends nothing"

    # Seven days before: both still have open tasks.
    run(DUE - datetime.timedelta(days=7))
    soon = inbox.take()
    assert {tuple(m["to"]) for m in soon} == {
        ("keizai1@example.jp", "keizai2@example.jp"),
        ("nousei1@example.jp",),
    }
    assert all("あと7日" in m["subject"] for m in soon)
    run(DUE - datetime.timedelta(days=6))
    assert inbox.take() == []

    # 経済部 enters and submits every task: the office is told, once.
    keizai_tasks = list(Task.objects.filter(department=world["keizai"]).select_related("round"))
    for task in keizai_tasks:
        figure = Result(indicator=task.indicator, fiscal_year=2019, value=10, source="経済部の調べ")
        services.create_result(figure, reason="入力", user=users["keizai1"])
        rounds.submit(task, users["keizai1"])
    run(DUE - datetime.timedelta(days=3))
    submitted = inbox.take()
    assert len(submitted) == 1
    assert submitted[0]["to"] == ["office@example.jp"]
    assert "経済部が2019年度（令和元年度）の実績を提出しました" in submitted[0]["subject"]
    assert "state__exact=submitted" in submitted[0]["body"]

    # The office returns one: 経済部 is told why.
    returned = keizai_tasks[0]
    rounds.return_task(Task.objects.get(pk=returned.pk), users["office"], "内訳の合計が合いません")
    for task in keizai_tasks[1:]:
        rounds.accept(Task.objects.get(pk=task.pk), users["office"])
    run(DUE - datetime.timedelta(days=2))
    back = inbox.take()
    assert len(back) == 1 and back[0]["to"] == ["keizai1@example.jp", "keizai2@example.jp"]
    assert "差し戻し" in back[0]["subject"] and "内訳の合計が合いません" in back[0]["body"]

    # After the due date: whoever still has a task open, once a week.
    run(DUE + datetime.timedelta(days=1))
    late = inbox.take()
    assert {m["to"][0] for m in late} == {"keizai1@example.jp", "nousei1@example.jp"}
    assert all("提出期限を過ぎています" in m["subject"] for m in late)
    run(DUE + datetime.timedelta(days=1))
    run(DUE + datetime.timedelta(days=5))
    assert inbox.take() == []
    run(DUE + datetime.timedelta(days=8))
    assert len(inbox.take()) == 2

    total = Notice.objects.count()
    print(f"mails in the test round: {total}")
    assert total == 2 + 2 + 1 + 1 + 2 + 2


def test_a_mail_server_that_is_down_loses_nothing(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    run(DUE - datetime.timedelta(days=30))
    assert not Notice.objects.exists(), "nothing recorded: the next run sends it"


def test_the_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="2019-06-30"):
        call_command("send_reminders", "--today", "6/30")
