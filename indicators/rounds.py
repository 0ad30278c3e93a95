"""Update rounds (調査): the strategy office asks every department for a fiscal year's
figures; each owned indicator becomes a task (`Task`) of its department.

The one place a task changes state, each change written to its history (who, when,
the comment):

    未着手 ──(a figure of the year is saved)──▶ 入力中 ──(the department submits)──▶ 提出済
    提出済 ──(the office accepts)──▶ 確認済
    提出済 / 確認済 ──(the office returns it, with a comment)──▶ 差戻し ──(submits again)──▶ 提出済

Who may: a department editor submits its own department's tasks (`may(user,
"change", task)`); the strategy office accepts and returns (`may(user, "review",
task)`): strategy_portal.permissions decides both.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects.models import Department
from strategy_portal import fiscal_years
from strategy_portal.editing import mark
from strategy_portal.permissions import may

from .models import OPEN_STATES, Indicator, Result, Round, Task

State = Task.State


class TransitionError(Exception):
    """A state change that is not allowed now; the message is for the user."""


def owned_indicators():
    """Indicators with an owner: their own department, else their measure's."""
    return (
        Indicator.objects.annotate(owner_id=Coalesce("department_id", "measure__department_id"))
        .filter(owner_id__isnull=False)
        .order_by("owner_id", "pk")
    )


def open_round(round_: Round, user=None) -> int:
    """Make a task of every owned indicator that has none in this round yet (a round
    opened again after departments changed hands gains the new ones); returns how
    many were made."""
    with transaction.atomic():
        tasked = set(round_.tasks.values_list("indicator_id", flat=True))
        tasks = [
            Task(round=round_, indicator_id=indicator.pk, department_id=indicator.owner_id)
            for indicator in owned_indicators()
            if indicator.pk not in tasked
        ]
        bulk_create_with_history(
            tasks,
            Task,
            default_user=user if user is not None and user.is_authenticated else None,
            default_change_reason="調査の開始",
        )
    return len(tasks)


def has_figure(task: Task) -> bool:
    return Result.objects.filter(
        indicator_id=task.indicator_id, fiscal_year=task.round.fiscal_year
    ).exists()


def set_state(task: Task, state: str, comment: str, user) -> Task:
    """Write the new state (no check of who may: callers ask the permission home)."""
    task.state = state
    if state == State.SUBMITTED:
        task.submitted_at = timezone.now()
    if comment or state == State.RETURNED:
        task.comment = comment
    mark(task, comment or State(state).label, user)
    task.save()
    return task


def note_entry(result: Result, user=None) -> None:
    """A figure was saved: the indicator's task for that year, if not started, is now
    入力中 (services.create_result and save_result call this)."""
    task = (
        Task.objects.filter(
            indicator_id=result.indicator_id,
            round__fiscal_year=result.fiscal_year,
            state=State.NOT_STARTED,
        )
        .select_related("round")
        .first()
    )
    if task is not None:
        set_state(task, State.IN_PROGRESS, "", user)


def submit(task: Task, user) -> Task:
    if not may(user, "change", task):
        raise TransitionError(f"「{task}」は、あなたの担当部局の入力依頼ではありません。")
    if task.state not in OPEN_STATES:
        raise TransitionError(f"「{task}」はすでに{task.get_state_display()}です。")
    if not has_figure(task):
        raise TransitionError(
            f"「{task}」の{fiscal_years.label(task.round.fiscal_year)}の実績がまだ入力されて"
            "いません。実績を入力してから提出してください。"
        )
    return set_state(task, State.SUBMITTED, "", user)


def accept(task: Task, user) -> Task:
    if not may(user, "review", task):
        raise TransitionError("入力依頼を確認できるのは総合政策部（報告書の編集者）です。")
    if task.state != State.SUBMITTED:
        raise TransitionError(f"「{task}」は{task.get_state_display()}で、提出されていません。")
    return set_state(task, State.ACCEPTED, "", user)


def return_task(task: Task, user, comment: str) -> Task:
    if not may(user, "review", task):
        raise TransitionError("入力依頼を差し戻せるのは総合政策部（報告書の編集者）です。")
    comment = (comment or "").strip()
    if not comment:
        raise TransitionError("差し戻す理由を書いてください（部局の担当者に届きます）。")
    if task.state not in (State.SUBMITTED, State.ACCEPTED):
        raise TransitionError(f"「{task}」は{task.get_state_display()}で、提出されていません。")
    return set_state(task, State.RETURNED, comment, user)


def is_overdue(task: Task, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return task.state in OPEN_STATES and task.round.due_on < today


def progress(round_: Round, today: datetime.date | None = None) -> list[dict]:
    """Per department, in the list's order: how many tasks in each state, and how
    many are overdue (still open after the due date). One query."""
    today = today or timezone.localdate()
    late = round_.due_on < today
    counts = {
        f"n_{state}": Count("tasks", filter=Q(tasks__round=round_, tasks__state=state))
        for state in State.values
    }
    rows = []
    for department in (
        Department.objects.annotate(total=Count("tasks", filter=Q(tasks__round=round_)), **counts)
        .filter(total__gt=0)
        .order_by("order", "name")
    ):
        by_state = {state: getattr(department, f"n_{state}") for state in State.values}
        open_count = sum(by_state[state] for state in OPEN_STATES)
        rows.append(
            {
                "department": department,
                "total": department.total,
                "by_state": [
                    (State(state).label, state, by_state[state]) for state in State.values
                ],
                "open": open_count,
                "overdue": open_count if late else 0,
                "done": by_state[State.ACCEPTED] == department.total,
            }
        )
    return rows


# The progress chart on the round's page: one stacked bar per department (SVG drawn
# by the template from these numbers; the table beside it carries the same counts).
BAR_WIDTH = 320
STATE_COLOURS = {
    State.NOT_STARTED: "#aeb6bf",
    State.IN_PROGRESS: "#e0a800",
    State.SUBMITTED: "#1f6fb5",
    State.RETURNED: "#c0392b",
    State.ACCEPTED: "#217a3c",
}


def with_bars(rows: list[dict]) -> list[dict]:
    for row in rows:
        x, segments = 0.0, []
        for label, state, count in row["by_state"]:
            width = round(BAR_WIDTH * count / row["total"], 1) if row["total"] else 0
            if width:
                segments.append(
                    {
                        "x": x,
                        "width": width,
                        "colour": STATE_COLOURS[state],
                        "label": label,
                        "count": count,
                    }
                )
            x += width
        row["bar"] = segments
    return rows


def legend() -> list[tuple[str, str]]:
    return [(State(state).label, colour) for state, colour in STATE_COLOURS.items()]
