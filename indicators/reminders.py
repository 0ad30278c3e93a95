"""The update rounds' mails (調査の通知), in Japanese, each with a link to the tasks:

- to a department's 入力担当者: when a round opens; `remind_days_before` days
  before the due date while it has tasks open; once a week once the due date has
  passed while it still has; when the office returns one of its tasks;
- to the strategy office (報告書の編集者 with an address): when a department submits.

`send_due()` sends what is due today and records each mail (`Notice`) before it is
handed to the mail server, in one transaction: a failed send records nothing and
is tried again on the next run; a recorded one is never sent again, so
`manage.py send_reminders` (daily, from cron or a systemd timer) may run any
number of times a day. A round opened, or a task submitted or returned, starts
the command in the background at once (`send_soon`), so nobody waits a day.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from projects.models import Department
from strategy_portal import background, display, fiscal_years

from .models import OPEN_STATES, Notice, Round, Task

log = logging.getLogger(__name__)

Kind = Notice.Kind
OFFICE_ROLE = "report_editor"
SIGNATURE = (
    "\n\n――\nこのメールは北海道創生総合戦略ポータルから自動で送信しています。"
    "\n問い合わせ先：総合政策部（北海道創生総合戦略の担当）"
)


def send_soon() -> None:
    """After the commit: `manage.py send_reminders` in the background (never waited for;
    off with DJANGO_REMINDERS=off, as in the tests)."""
    if settings.REMINDERS == "background":
        transaction.on_commit(lambda: background.start_command("send_reminders"))


def tasks_url(round_: Round, department=None, **filters) -> str:
    query = {"round__id__exact": round_.pk, "mine": "0", **filters}
    if department is not None:
        query["department__id__exact"] = department.pk
    return f"{settings.SITE_URL}{reverse('admin:indicators_task_changelist')}?{urlencode(query)}"


def department_addresses(department) -> list[str]:
    return sorted(
        department.members.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )


def office_addresses() -> list[str]:
    return sorted(
        get_user_model()
        .objects.filter(is_active=True, groups__name=OFFICE_ROLE)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _year(round_: Round) -> str:
    return fiscal_years.label(round_.fiscal_year)


def _due(round_: Round) -> str:
    return display.date_label(round_.due_on)


def _listing(tasks) -> str:
    lines = []
    for task in tasks:
        line = f"・{task.indicator}（{task.get_state_display()}）"
        if task.state == Task.State.RETURNED and task.comment:
            line += f"\n　差戻しの理由：{task.comment}"
        lines.append(line)
    return "\n".join(lines)


class Sender:
    """Sends over one connection; counts what it sent and what failed."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.connection = get_connection(fail_silently=False)
        self.sent = dict.fromkeys(Kind.values, 0)
        self.failed = 0
        self.without_address = 0

    def send(self, round_, department, kind, key, recipients, subject, body) -> bool:
        if Notice.objects.filter(round=round_, department=department, kind=kind, key=key).exists():
            return False
        if not recipients:
            self.without_address += 1
            log.warning("reminders: nobody to tell (%s, %s, %s)", round_, department, kind)
            return False
        try:
            with transaction.atomic():
                Notice.objects.create(
                    round=round_,
                    department=department,
                    kind=kind,
                    key=key,
                    recipients=", ".join(recipients),
                    subject=subject,
                )
                EmailMessage(
                    subject,
                    body + SIGNATURE,
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                    connection=self.connection,
                ).send()
        except IntegrityError:
            return False  # another run recorded it a moment ago
        except (smtplib.SMTPException, OSError) as error:
            self.failed += 1
            log.warning("reminders: not sent, tried again next run (%s: %s)", subject, error)
            return False
        self.sent[kind] += 1
        return True


def _department_mails(sender: Sender, round_: Round, department, tasks: list[Task]) -> None:
    today = sender.today
    to = department_addresses(department)
    link = tasks_url(round_, department)
    open_tasks = [task for task in tasks if task.state in OPEN_STATES]
    head = f"{department.name} 入力担当者 様\n\n"
    sender.send(
        round_,
        department,
        Kind.OPENED,
        "",
        to,
        f"【北海道創生総合戦略】{_year(round_)}の実績の調査（{department.name}・提出期限 {_due(round_)}）",
        head
        + f"総合政策部から、{_year(round_)}の実績の入力と提出をお願いします。\n\n"
        + f"担当の指標：{len(tasks)}件\n提出期限：{_due(round_)}\n"
        + (f"\n{round_.message}\n" if round_.message else "")
        + f"\n入力と提出（担当の更新）：\n{link}\n\n{_listing(tasks)}",
    )
    if not open_tasks:
        return
    days_left = (round_.due_on - today).days
    if 0 <= days_left <= round_.remind_days_before:
        sender.send(
            round_,
            department,
            Kind.DUE_SOON,
            "",
            to,
            f"【北海道創生総合戦略】提出期限まであと{days_left}日：{_year(round_)}の実績"
            f"（{department.name}・未提出{len(open_tasks)}件）",
            head
            + f"{_year(round_)}の実績の提出期限（{_due(round_)}）まであと{days_left}日です。"
            + f"未提出の指標が{len(open_tasks)}件あります。\n\n"
            + f"入力と提出（担当の更新）：\n{link}\n\n{_listing(open_tasks)}",
        )
    if days_left < 0:
        week = (-days_left - 1) // 7  # days 1–7 after the due date: week 0, and so on
        sender.send(
            round_,
            department,
            Kind.OVERDUE,
            f"week-{week}",
            to,
            f"【北海道創生総合戦略】提出期限を過ぎています：{_year(round_)}の実績"
            f"（{department.name}・未提出{len(open_tasks)}件）",
            head
            + f"{_year(round_)}の実績の提出期限（{_due(round_)}）を{-days_left}日過ぎました。"
            + f"未提出の指標が{len(open_tasks)}件あります。入力して提出してください。\n\n"
            + f"入力と提出（担当の更新）：\n{link}\n\n{_listing(open_tasks)}",
        )
    returned = [task for task in tasks if task.state == Task.State.RETURNED]
    if returned:
        last = max(task.updated_at for task in returned)
        sender.send(
            round_,
            department,
            Kind.RETURNED,
            last.isoformat(timespec="seconds"),
            to,
            f"【北海道創生総合戦略】差し戻しがあります：{_year(round_)}の実績（{department.name}・{len(returned)}件）",
            head
            + f"総合政策部が{_year(round_)}の実績を{len(returned)}件差し戻しました。"
            + "理由を確かめ、直して提出し直してください。\n\n"
            + f"担当の更新：\n{tasks_url(round_, department, state__exact='returned')}\n\n"
            + _listing(returned),
        )


def _office_mails(sender: Sender, round_: Round, department, tasks: list[Task]) -> None:
    """To the office: a department submitted (once per batch of submissions)."""
    submitted = [task for task in tasks if task.state == Task.State.SUBMITTED]
    if not submitted:
        return
    last = max(task.submitted_at or task.updated_at for task in submitted)
    sender.send(
        round_,
        department,
        Kind.SUBMITTED,
        last.isoformat(timespec="seconds"),
        office_addresses(),
        f"【北海道創生総合戦略】{department.name}が{_year(round_)}の実績を提出しました（確認待ち{len(submitted)}件）",
        "総合政策部 ご担当者 様\n\n"
        + f"{department.name}が{_year(round_)}の実績を提出しました。確認待ちは{len(submitted)}件です。"
        + "確認済にするか、理由を付けて差し戻してください。\n\n"
        + f"確認する：\n{tasks_url(round_, department, state__exact='submitted')}\n\n"
        + _listing(submitted),
    )


def send_due(today: datetime.date | None = None) -> Sender:
    """Send every mail that is due and not yet sent (see the module's note)."""
    sender = Sender(today or timezone.localdate())
    rounds = Round.objects.order_by("fiscal_year")
    departments = {d.pk: d for d in Department.objects.all()}
    for round_ in rounds:
        by_department = {}
        for task in round_.tasks.select_related("indicator").order_by("department_id", "pk"):
            by_department.setdefault(task.department_id, []).append(task)
        for department_id, tasks in by_department.items():
            department = departments[department_id]
            _department_mails(sender, round_, department, tasks)
            _office_mails(sender, round_, department, tasks)
    try:
        sender.connection.close()
    except (smtplib.SMTPException, OSError):
        pass
    return sender
