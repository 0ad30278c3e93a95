"""Write paths for figures. Every change is a transaction that leaves a history row.

A new result is added only through `create_result`, a stored one saved only
through `save_result`: an update succeeds only if the
stored version is still the one the editor saw, and bumps the version in the
same statement, so of two editors who opened version 3, the second to save is
refused and the first value stands. Forms, admin actions and imports all come
through here, each with a reason that simple-history keeps as
history_change_reason (strategy_portal.editing.mark: clipped to the column); the user
comes from HistoryRequestMiddleware or is given.
"""

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from projects.models import Edition
from strategy_portal import display
from strategy_portal.editing import mark

from . import rounds
from .models import INDICATOR_REPORT_ORDER, Indicator, Result, Target

# What a bulk publish or withdrawal (set_status) writes to the history.
STATUS_REASONS = {
    (Result, Result.Status.PUBLISHED): "一括操作：公開",
    (Result, Result.Status.DRAFT): "一括操作：下書きに戻す",
    (Target, Target.Status.PUBLISHED): "一括操作：目標を公開",
    (Target, Target.Status.DRAFT): "一括操作：目標を下書きに戻す",
}


class StaleVersionError(Exception):
    """The result changed (or vanished) after the editor loaded it; nothing was written."""

    def __init__(self, result, current):
        self.result = result
        self.current = current  # the stored row now, or None if it was deleted
        super().__init__(stale_message(result, current))


def stale_message(result, current, *, kept=False) -> str:
    """Why a save was refused: who changed the figure since the editor opened it, when,
    and to what. `kept`: the form is shown again with what the editor typed."""
    if current is None:
        return f"「{result}」は、画面を開いた後に削除されました。変更は保存していません。"
    last = current.history.select_related("history_user").first()
    who = ""
    if last is not None:
        user = last.history_user
        name = (user.get_full_name() or user.get_username()) if user else "（記録なし）"
        when = timezone.localtime(last.history_date)
        who = f"{name}さんが{display.date_label(when)} {when:%H:%M}に"
    text = (
        f"「{current}」は、あなたが画面を開いた後に{who or '他の人が'}変更しました"
        f"（他の人が変更した現在の値：{display.value_label(current, current.indicator.unit)}、"
        f"{current.get_status_display()}）。あなたの変更は保存していません。"
    )
    if kept:
        text += (
            "あなたの入力は下に残してあります。現在の値と見比べ、このまま「保存」すると"
            "あなたの入力で上書きします。現在の値のままにするなら、保存せずに閉じてください。"
        )
    else:
        text += "画面を開き直して最新の内容を確かめてから、もう一度入力してください。"
    return text


def default_edition():
    """The edition a new figure belongs to: the one being prepared (newest, drafts included)."""
    return Edition.objects.latest_first().first()


def prepare_new_result(result: Result, *, keep_order=False) -> Result:
    """What a new row gets, before it is checked: the one place that says so.

    - 掲載した報告書: the edition being prepared, unless the figure has an edition
      or a source of its own;
    - 表示順: its breakdown's from an earlier year, else after the others
      (`keep_order` for the seed and an editor's explicit 表示順);
    - 分母の名称: the one its breakdown had last year, when a denominator is given
      without one (「対象」 stays 「対象」 from year to year).
    """
    if result.edition_id is None and not result.source:
        result.edition = default_edition()
    earlier = (
        Result.objects.filter(indicator_id=result.indicator_id, breakdown=result.breakdown)
        .order_by("-fiscal_year")
        .values("order", "denominator_label")
        .first()
    )
    if not keep_order:
        if earlier is not None:
            result.order = earlier["order"]
        else:
            last = Result.objects.filter(indicator_id=result.indicator_id).aggregate(Max("order"))
            result.order = 0 if last["order__max"] is None else last["order__max"] + 1
    if result.denominator is not None and not result.denominator_label and earlier:
        result.denominator_label = earlier["denominator_label"]
    return result


def create_result(result: Result, *, reason: str, user=None, keep_order=False) -> Result:
    """Add a new figure (version 1, a history row with `reason`), prepared as above.

    The admin form, the rows under an indicator, the import and the seed all add
    figures through here.
    """
    with transaction.atomic():  # the row and its history row, or neither
        prepare_new_result(result, keep_order=keep_order)
        mark(result, reason, user)
        result.version = 1
        result.save(force_insert=True)
        rounds.note_entry(result, user)
    return result


def save_result(result: Result, *, reason: str, expected_version=None, user=None) -> Result:
    """Update a figure if nobody saved it since `expected_version` (a new one is created).

    `expected_version` is the version the editor saw (a hidden form field, an
    import row's 版数); None means the version this instance was loaded with.
    Raises StaleVersionError, having written nothing, when it is out of date.
    """
    if result._state.adding:
        return create_result(result, reason=reason, user=user)
    mark(result, reason, user)
    with transaction.atomic():
        if expected_version is None:
            expected_version = result.version
        # Compare and bump in one statement: it also takes the row lock, so no
        # other save can slip in between the check and the write below.
        bumped = Result.objects.filter(pk=result.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            current = Result.objects.select_related("indicator").filter(pk=result.pk).first()
            raise StaleVersionError(result, current)
        result.version = expected_version + 1
        result.save(force_update=True)
        rounds.note_entry(result, user)
    return result


def save_with_history(obj, *, reason: str, user=None):
    """Save a model that has history but no version (Indicator, Target), with a reason."""
    mark(obj, reason, user)
    obj.save()
    return obj


def delete_with_history(obj, *, reason: str, user=None):
    mark(obj, reason, user)
    obj.delete()


def set_status(objects, status: str, *, reason: str, user=None) -> tuple[int, int]:
    """Publish (or withdraw) results or targets; returns (changed, already in that state).

    `objects` is a queryset or a list of one model's rows. All or nothing: the rows
    are locked and saved one by one inside one transaction, each with its own
    history row (a result also with its version bump, through `save_result`).
    """
    objects = list(objects)
    if not objects:
        return 0, 0
    model = type(objects[0])
    save = save_result if model is Result else save_with_history
    changed = unchanged = 0
    with transaction.atomic():
        rows = model.objects.select_for_update().filter(pk__in=[obj.pk for obj in objects])
        for obj in rows.order_by("pk"):
            if obj.status == status:
                unchanged += 1
                continue
            obj.status = status
            save(obj, reason=reason, user=user)
            changed += 1
    return changed, unchanged


def status_reason(model, status: str) -> str:
    """What a bulk publish or withdrawal writes to the history."""
    return STATUS_REASONS[model, status]


def year_template(results, year: int) -> list:
    """`results` of one fiscal year, and an empty row (an unsaved Result with no value)
    for every indicator and 内訳 seen in any year that has none: what an editor fills in.

    In the report's order. The empty rows carry the edition whose results year this is
    (the report being written) and each series' latest period kind.
    """
    indicators = list(Indicator.objects.order_by(*INDICATOR_REPORT_ORDER, "pk"))
    position = {indicator.pk: number for number, indicator in enumerate(indicators)}
    stored = list(results.select_related("indicator", "edition"))
    have = {(r.indicator_id, r.breakdown) for r in stored}
    latest_period = {}
    for indicator_id, breakdown, period in Result.objects.order_by("fiscal_year").values_list(
        "indicator_id", "breakdown", "period"
    ):
        latest_period[indicator_id, breakdown] = period
    with_figures = {indicator_id for indicator_id, _ in latest_period}
    series = set(latest_period) | {(i.pk, "") for i in indicators if i.pk not in with_figures}
    edition = Edition.objects.filter(results_fiscal_year=year).latest_first().first()
    by_pk = {indicator.pk: indicator for indicator in indicators}
    empty = [
        Result(
            indicator=by_pk[indicator_id],
            fiscal_year=year,
            breakdown=breakdown,
            value=None,
            period=latest_period.get((indicator_id, breakdown), Result.Period.FISCAL_YEAR),
            edition=edition,
        )
        for indicator_id, breakdown in series - have
    ]
    return sorted(
        stored + empty, key=lambda r: (position[r.indicator_id], r.breakdown != "", r.breakdown)
    )
