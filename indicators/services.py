"""Write paths for figures. Every change is a transaction that leaves a history row.

A result is saved only through `save_result`: an update succeeds only if the
stored version is still the one the editor saw, and bumps the version in the
same statement, so of two editors who opened version 3, the second to save is
refused and the first value stands. Forms, admin actions and imports all come
through here, each with a reason that simple-history keeps as
history_change_reason; the user comes from HistoryRequestMiddleware or is given.
"""

from django.db import transaction
from django.db.models import F, Max

from strategy_portal import display

from .models import Result, Target

# HistoricalResult.history_change_reason is a CharField(max_length=100).
REASON_MAX_LENGTH = 100

REASON_PUBLISH = "一括操作：公開"
REASON_PUBLISH_TARGET = "一括操作：目標を公開"
REASON_UNPUBLISH_TARGET = "一括操作：目標を下書きに戻す"
REASON_UNPUBLISH = "一括操作：下書きに戻す"


class StaleVersionError(Exception):
    """The result changed (or vanished) after the editor loaded it; nothing was written."""

    def __init__(self, result, current):
        self.result = result
        self.current = current  # the stored row now, or None if it was deleted
        super().__init__(stale_message(result, current))


def stale_message(result, current) -> str:
    if current is None:
        return f"「{result}」は、画面を開いた後に削除されました。変更は保存していません。"
    return (
        f"「{current}」は、あなたが画面を開いた後に他の人が変更しました"
        f"（現在の値：{display.value_label(current, current.indicator.unit)}、"
        f"{current.get_status_display()}）。"
        "あなたの変更は保存していません。画面を開き直して最新の内容を確かめてから、"
        "もう一度入力してください。"
    )


def clip_reason(reason: str) -> str:
    """One line, at most REASON_MAX_LENGTH characters (longer would not fit the column)."""
    text = " ".join(str(reason or "").split())
    if len(text) > REASON_MAX_LENGTH:
        text = text[: REASON_MAX_LENGTH - 1] + "…"
    return text


def _mark(obj, reason, user):
    obj._change_reason = clip_reason(reason)
    if user is not None and user.is_authenticated:
        obj._history_user = user


def save_result(result: Result, *, reason: str, expected_version=None, user=None) -> Result:
    """Insert a new result, or update one if nobody saved it since `expected_version`.

    `expected_version` is the version the editor saw (a hidden form field, an
    import row's 版数); None means the version this instance was loaded with.
    Raises StaleVersionError, having written nothing, when it is out of date.
    """
    _mark(result, reason, user)
    with transaction.atomic():
        if result._state.adding:
            result.version = 1
            result.save(force_insert=True)
            return result
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
    return result


def place_new_result(result: Result) -> None:
    """表示順 of a new row: its breakdown's from an earlier year, else after the others.

    Breakdowns (学生留学コース, スポーツコース …) are shown in the report's order,
    which the seed stored in `order`; a new year's rows keep it.
    """
    earlier = (
        Result.objects.filter(indicator_id=result.indicator_id, breakdown=result.breakdown)
        .order_by("-fiscal_year")
        .values_list("order", flat=True)
        .first()
    )
    if earlier is not None:
        result.order = earlier
        return
    last = Result.objects.filter(indicator_id=result.indicator_id).aggregate(Max("order"))
    result.order = 0 if last["order__max"] is None else last["order__max"] + 1


def save_with_history(obj, *, reason: str, user=None):
    """Save a model that has history but no version (Indicator, Target), with a reason."""
    _mark(obj, reason, user)
    obj.save()
    return obj


def delete_with_history(obj, *, reason: str, user=None):
    _mark(obj, reason, user)
    obj.delete()


def set_status(results, status: str, *, reason: str, user=None) -> tuple[int, int]:
    """Publish (or withdraw) results; returns (changed, already in that state).

    All or nothing: the rows are locked and saved one by one (so each gets its
    own history row and version bump) inside one transaction.
    """
    pks = [result.pk for result in results]
    changed = unchanged = 0
    with transaction.atomic():
        for result in Result.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
            if result.status == status:
                unchanged += 1
                continue
            result.status = status
            save_result(result, reason=reason, user=user)
            changed += 1
    return changed, unchanged


def publish(results, *, user=None) -> tuple[int, int]:
    return set_status(results, Result.Status.PUBLISHED, reason=REASON_PUBLISH, user=user)


def unpublish(results, *, user=None) -> tuple[int, int]:
    return set_status(results, Result.Status.DRAFT, reason=REASON_UNPUBLISH, user=user)


def set_target_status(targets, status: str, *, reason: str, user=None) -> tuple[int, int]:
    """Publish (or withdraw) targets, each with a history row; all or nothing."""
    pks = [target.pk for target in targets]
    changed = unchanged = 0
    with transaction.atomic():
        for target in Target.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
            if target.status == status:
                unchanged += 1
                continue
            target.status = status
            save_with_history(target, reason=reason, user=user)
            changed += 1
    return changed, unchanged
