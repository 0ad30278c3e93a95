"""The 変更理由 (change reason): the one home of its limit, its field and its history entry.

Every change to a model with history (the report's text, indicators, figures,
targets) is saved with a reason that django-simple-history keeps as
`history_change_reason`, a CharField(max_length=100): `REASON_MAX_LENGTH`.

- **Typed by an editor** (a form's 「変更理由」, `ChangeReasonField`): longer
  than the limit is *refused*, with Django's Japanese max_length message, so
  the editor decides how to shorten it. Figures (indicators, results, targets)
  need one for every change of a stored row (`ChangeReasonMixin`); the report's
  text only when what changes is public (projects.forms.ReportTextForm, with
  `missing_reason_message`). Nothing typed on an add is `REASON_ADDED`.
- **Passed by code** (services, admin actions, the import, the seed): `mark`
  *clips* it to one line of at most the limit, ending in 「…」: a save is never
  refused for its reason's length.

`mark(obj, reason, user)` is how every reason and user enter the history.
Whether a change needs a reason at all is the permission home's rule
(`strategy_portal.permissions.reason_required`).
"""

from django import forms
from django.utils import timezone

# The history tables' history_change_reason is a CharField(max_length=100).
REASON_MAX_LENGTH = 100

REASON_ADDED = "管理画面で新規登録"
REASON_DELETED = "管理画面で削除"

HELP_TEXT = (
    "だれが見ても分かるように書いてください（例：2018年度実績の入力、"
    "報告書と照合して誤りを訂正）。履歴に残ります。"
)
PUBLISHED_TEXT_HELP_TEXT = (
    "公開済みの版の本文を直すときは必須です（例：誤字の訂正）。履歴に残ります。"
)


def missing_reason_message(what: str) -> str:
    """`what` (「2018年版」) is public: a change to it needs a reason."""
    return f"{what}は公開済みです。本文を直す理由を入力してください。"


def restored_reason(history_date) -> str:
    """The reason offered when an editor restores a past version."""
    return f"{timezone.localtime(history_date):%Y-%m-%d %H:%M} の版に戻す"


def clip(reason) -> str:
    """One line, at most REASON_MAX_LENGTH characters (longer would not fit the column)."""
    text = " ".join(str(reason or "").split())
    if len(text) > REASON_MAX_LENGTH:
        text = text[: REASON_MAX_LENGTH - 1] + "…"
    return text


def mark(obj, reason, user=None):
    """Have the next save or delete of `obj` write `reason` (clipped) and `user` to its history.

    Without a signed-in `user`, simple-history's HistoryRequestMiddleware gives the
    request's user (none for a command).
    """
    obj._change_reason = clip(reason)
    if user is not None and user.is_authenticated:
        obj._history_user = user
    return obj


class ChangeReasonField(forms.CharField):
    """「変更理由」: at most REASON_MAX_LENGTH characters (longer is refused, not cut)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "変更理由")
        kwargs.setdefault("max_length", REASON_MAX_LENGTH)
        kwargs.setdefault("help_text", HELP_TEXT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 60}))
        super().__init__(**kwargs)


class ChangeReasonMixin(forms.Form):
    """A 変更理由 on a form; `reason_text()` is what the history keeps.

    With `reason_on_every_change` (figures) it is required when a stored row
    changes, and restoring a past version offers 「… の版に戻す」.
    """

    change_reason = ChangeReasonField(required=False)
    reason_on_every_change = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "change_reason" not in self.fields or not self.reason_on_every_change:
            return
        self.fields["change_reason"].required = not self.instance._state.adding
        restored = getattr(self.instance, "_history", None)  # set by simple-history's restore
        if restored is not None:
            self.fields["change_reason"].initial = restored_reason(restored.history_date)

    def reason_text(self) -> str:
        return self.cleaned_data.get("change_reason") or REASON_ADDED
