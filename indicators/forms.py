"""Editors' forms: figures typed the way people type them, checked with clear messages.

The parsing helpers are shared with the spreadsheet import (resources.py), so a
figure typed in the admin and the same figure in a CSV cell are read alike:
full-width digits and separators are accepted ("１，３６６" → 1366), NaN,
infinity, negative numbers and a stray 約 or unit are refused with a message
that says what to do instead.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from projects.forms import ReportTextForm
from projects.models import Edition
from strategy_portal import display, fiscal_years
from strategy_portal.editing import ChangeReasonMixin
from strategy_portal.permissions import reason_required

from . import grading, services
from .models import GradingRule, Heading, Indicator, Result, SelfAssessment, Target


class InputError(ValueError):
    """A value an editor typed that we cannot read; the message is for the editor."""


NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
NOT_A_NUMBER_WORDS = {"nan", "snan", "qnan", "inf", "infinity", "+inf", "-inf", "∞", "+∞", "-∞"}


def normalize_text(value) -> str:
    """NFKC (full-width → half-width), and no surrounding or inner blanks."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


def parse_decimal(value, label="値") -> Decimal | None:
    """'１，３６６' → Decimal('1366'); '' → None; refuses NaN, ∞, negatives, words."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{label}は数値で入力してください。")
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = normalize_text(value)
    if text == "":
        return None
    # Thousands separators: 1,366 and 1，366 (NFKC made it a comma); also 、 typed by IME.
    text = text.replace(",", "").replace("、", "")
    if text.lower() in NOT_A_NUMBER_WORDS or text.lower().lstrip("+-") in NOT_A_NUMBER_WORDS:
        raise InputError(f"{label}にNaN（非数）や無限大は入力できません。数値を入力してください。")
    # Everything wrong with the cell, said at once (「約45回」: both the 約 and the 回).
    problems = []
    for prefix, column in (("約", "概数（約）"), ("延べ", "修飾"), ("うち", "修飾")):
        if text.startswith(prefix):
            problems.append(f"「{prefix}」は{label}に含めず、「{column}」の欄で指定してください。")
            text = text[len(prefix) :]
    unit = re.search(r"(?<=[0-9.])[^0-9.]+$", text)
    if unit and NUMBER_RE.match(text[: unit.start()]):
        problems.append(
            f"単位「{unit.group()}」は{label}に入れないでください（単位は指標で決まっています）。"
        )
        text = text[: unit.start()]
    if problems:
        raise InputError("".join(problems))
    if not NUMBER_RE.match(text):
        raise InputError(
            f"{label}「{value}」を数値として読めません。数字（全角も可）と桁区切りのカンマだけで"
            "入力してください（例：1,366）。単位は入れないでください。"
        )
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules this out
        raise InputError(f"{label}「{value}」を数値として読めません。") from exc
    if number < 0:
        raise InputError(f"{label}に負の数は入力できません。")
    return number


def parse_fiscal_year(value) -> int | None:
    """2018, '２０１８', '2018年度', '平成30年度', 'H30', '令和元年度' → the western year."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError("年度は西暦の数字で入力してください（例：2018）。")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalize_text(value)
    if text == "":
        return None
    for suffix in ("年度", "年"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    year = fiscal_years.from_era(text)
    if year is None and text.isdigit():
        year = int(text)
    if year is None:
        raise InputError(
            f"年度「{value}」を読めません。西暦の数字で入力してください（例：2018、平成30年度も可）。"
        )
    if not fiscal_years.in_range(year):
        raise InputError(fiscal_years.MESSAGE)
    return year


# A year (西暦 2016, or 和暦 H28 / 平成28 / 令和元), a month, and a day unless the
# month stands alone: 2016-10-01, 2016/10/1, 2016年10月1日, H28.10.1, 2018年11月.
DATE_RE = re.compile(r"^(.+?)[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?$")


def parse_date(value, label) -> datetime.date | None:
    """A date cell: a spreadsheet date, 2016-10-01, 2016/10/1, 2016年10月1日, a 和暦
    date as the report prints it (H28.10.1, 平成31年3月31日, 令和元年5月1日), or a
    year and month alone (2018年11月, for a 年月 figure: the month's first day)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalize_text(value)
    if text == "":
        return None
    match = DATE_RE.match(text)
    if match:
        year_text, month, day = match.groups()
        year = (
            int(year_text)
            if re.fullmatch(r"\d{4}", year_text)
            else fiscal_years.from_era(year_text)
        )
        if year:
            try:
                return datetime.date(year, int(month), int(day or 1))
            except ValueError:
                pass
    raise InputError(
        f"{label}「{value}」を日付として読めません（例：2016-10-01、H28.10.1、2018年11月）。"
    )


TRUE_WORDS = {
    "1",
    "true",
    "yes",
    "y",
    "はい",
    "○",
    "〇",
    "◯",
    "✓",
    "✔",
    "レ",
    "約",
    "速報",
    "速報値",
}
FALSE_WORDS = {"", "0", "false", "no", "n", "いいえ", "×", "✕", "-", "ー", "確定", "確定値"}


def parse_flag(value, label) -> bool:
    """A yes/no cell: ○ or blank, はい/いいえ, TRUE/FALSE, 1/0."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalize_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise InputError(f"{label}「{value}」は「○」か空欄で入力してください。")


def parse_choice(value, choices, label) -> str:
    """A choice by its Japanese label (年度, 延べ) or its code (fy, cumulative)."""
    text = normalize_text(value if value is not None else "")
    for code, name in choices:
        if text in (code, normalize_text(name)):
            return code
    if text == "" and "" in dict(choices):
        return ""
    names = "・".join(normalize_text(name) for code, name in choices if code)
    raise InputError(f"{label}「{value}」は次のどれかで入力してください：{names}。")


# Form fields ---------------------------------------------------------------------------


class JapaneseDecimalField(forms.DecimalField):
    """A decimal typed in a text box (so the IME's full-width digits are accepted)."""

    widget = forms.TextInput

    def __init__(self, *, label_for_messages="値", **kwargs):
        self.label_for_messages = label_for_messages
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 12}))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            number = parse_decimal(value, self.label_for_messages)
        except InputError as exc:
            raise ValidationError(str(exc), code="invalid") from exc
        return number

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def widget_attrs(self, widget):
        # No min/max/step: those belong to <input type="number">, which refuses "１，３６６".
        return {}

    def prepare_value(self, value):
        """813, 1.44 — not the column's 813.0000."""
        if isinstance(value, Decimal) and value.is_finite():
            return display.plain_number(value)
        return value


class FiscalYearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 8}))
        kwargs.setdefault("help_text", "西暦（例：2018）。「平成30年度」「２０１８」も可")
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return parse_fiscal_year(value)
        except InputError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def widget_attrs(self, widget):
        return {}


class JapaneseDateField(forms.DateField):
    """A date as editors type it, read by the same rule as the import (parse_date):
    2016-10-01, 2016/10/01, 2019年3月31日, H28.10.1, 2018年11月, full-width digits."""

    def __init__(self, *, label_for_messages="日付", **kwargs):
        self.label_for_messages = label_for_messages
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 12}))
        kwargs.setdefault(
            "help_text", "例：2016-10-01、2019年3月31日、H28.10.1、年月だけなら2018年11月"
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(value, self.label_for_messages)
        except InputError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class VersionCheckMixin(forms.Form):
    """A hidden 版数: the version the editor saw, compared with the stored one on save."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_version = None
        if not self.instance._state.adding and self.instance.pk:
            # Read from the table, not the instance: a restore form's instance is an
            # old version, but what the editor must be up to date with is the row now.
            self.stored_version = (
                Result.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            self.fields["seen_version"].initial = self.stored_version

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != "seen_version"]

    # A row under its indicator is checked only if the editor changed it (compared
    # with the values the page was opened with, posted back as hidden initials);
    # a row's own form is always checked.
    check_unchanged = True

    def check_version(self):
        if self.stored_version is None:
            return
        if not self.check_unchanged and not self.has_changed():
            return
        if self.cleaned_data.get("seen_version") != self.stored_version:
            from .services import stale_message

            current = Result.objects.select_related("indicator").filter(pk=self.instance.pk).first()
            if current is not None:
                # The form comes back with what was typed and the version now stored: having
                # seen the other change, the editor may save over it deliberately.
                data = self.data.copy()
                data[self.add_prefix("seen_version")] = current.version
                self.data = data
            raise ValidationError(stale_message(self.instance, current, kept=True), code="stale")


# What an editor enters for a figure, in the order it is asked: the one field list.
# The result form takes all of it; the rows under an indicator (ROW_FIELDS) and the
# spreadsheet columns (resources.ResultResource) are derived from it.
RESULT_FIELDS = (
    "indicator",
    "fiscal_year",
    "breakdown",
    "order",
    "value",
    "approximate",
    "qualifier",
    "denominator",
    "denominator_label",
    "provisional",
    "period",
    "period_start",
    "period_end",
    "edition",
    "source",
    "note",
)
# Set for a new row by services.prepare_new_result, so neither the rows under an
# indicator (which must fit 1280 px) nor the spreadsheet ask for them. 注記, 掲載版
# and 出典 are on each row's own page; the spreadsheet has them.
PLACED_FIELDS = ("order",)
NOT_IN_ROWS = ("indicator", *PLACED_FIELDS, "denominator_label", "edition", "source", "note")
ROW_FIELDS = tuple(name for name in RESULT_FIELDS if name not in NOT_IN_ROWS)


class ResultForm(ChangeReasonMixin, VersionCheckMixin, forms.ModelForm):
    """One result in the admin (its own page, or a row under its indicator)."""

    fiscal_year = FiscalYearField(label="年度")
    value = JapaneseDecimalField(
        label="値",
        max_digits=18,
        decimal_places=4,
        help_text="数字だけ（例：1,366）。単位は指標で決まります",
    )
    denominator = JapaneseDecimalField(
        label="分母",
        label_for_messages="分母",
        max_digits=18,
        decimal_places=4,
        required=False,
        help_text="例：対象99市町村の99",
    )

    period_start = JapaneseDateField(
        label="期間の開始", label_for_messages="期間の開始", required=False
    )
    period_end = JapaneseDateField(
        label="期間の終了・時点", label_for_messages="期間の終了・時点", required=False
    )

    class Meta:
        model = Result
        fields = RESULT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self.instance, "_history", None) is not None and self.instance.pk:
            # Restoring a past version restores its figures, not whether it was
            # published: that stays as it is now (publishing is its own step).
            current = Result.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
            self.instance.status = current.first() or self.instance.status
        if self.instance._state.adding:
            # Offered as the edition being prepared; without the field (the rows under
            # an indicator) services.prepare_new_result gives it when the row is added.
            if "edition" in self.fields:
                self.fields["edition"].initial = services.default_edition()

    def clean_breakdown(self):
        return " ".join((self.cleaned_data.get("breakdown") or "").split())

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        return cleaned


class ResultInlineForm(ResultForm):
    """A row under its indicator: the reason is asked once, on the indicator's form.

    Whether a row changed is judged against the values the page showed (hidden
    initials), not against the table now: a row another editor corrected in
    the meantime, and this editor left alone, is neither saved back with the
    old values nor a reason to refuse the rows this editor did change.
    """

    change_reason = None
    check_unchanged = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("id", "indicator", "seen_version", "DELETE"):
                field.show_hidden_initial = True
            # Column widths are set by static/css/admin.css: the table fits 1280 px.
            field.widget.attrs.pop("size", None)
            field.help_text = ""  # the column headings say it; help under each row is noise


class OptionalFiscalYearField(FiscalYearField):
    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        return super().to_python(value)


TARGET_FIELDS = (
    "indicator",
    "breakdown",
    "edition",
    "fiscal_year",
    "value",
    "direction",
    "baseline_fiscal_year",
    "baseline_value",
    "note",
)


class TargetForm(ChangeReasonMixin, forms.ModelForm):
    """A target (or a yearly milestone) of an indicator; new ones are drafts until published."""

    fiscal_year = FiscalYearField(label="目標年度")
    value = JapaneseDecimalField(
        label="目標値", label_for_messages="目標値", max_digits=18, decimal_places=4
    )
    baseline_fiscal_year = OptionalFiscalYearField(
        label="基準年度", required=False, help_text="基準値の年度（基準値がなければ空欄）"
    )
    baseline_value = JapaneseDecimalField(
        label="基準値",
        label_for_messages="基準値",
        max_digits=18,
        decimal_places=4,
        required=False,
        help_text="目標を立てたときの値。空欄なら 実績÷目標値 で進捗率を求めます",
    )

    class Meta:
        model = Target
        fields = TARGET_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "edition" in self.fields and self.instance._state.adding:
            # A target set now belongs to the report being written: the newest edition.
            self.fields["edition"].initial = Edition.objects.latest_first().first()


class TargetInlineForm(TargetForm):
    change_reason = None


INDICATOR_FIELDS = (
    "slug",
    "measure",
    "name",
    "unit",
    "description",
    "breakdown_dimension",
    "source",
    "order",
    "department",
    "related_departments",
)


class IndicatorForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].help_text = (
            "この画面での変更（下の実績・目標の行も含む）の理由。履歴に残ります"
            "（例：2018年度実績の入力）。"
        )


class HeadingForm(ReportTextForm):
    """原資料の見出し of one edition: a heading of a published edition changes only with a
    reason (a 訂正); none is added to a published edition (projects.forms.ReportTextForm)."""

    class Meta:
        model = Heading
        fields = ["indicator", "edition", "text"]


class GradingRuleForm(forms.ModelForm):
    """Saving makes a new version (indicators.grading.new_version): the note is asked
    anew each time, the thresholds start from the version shown."""

    class Meta:
        model = GradingRule
        fields = ["a_min", "b_min", "c_min", "combine", "min_assessable_share", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["note"] = ""


class SelfAssessmentForm(ChangeReasonMixin, forms.ModelForm):
    """成果と課題, an external factor and, with a reason, an override of the grade; the
    grade itself is computed when saved (indicators.grading)."""

    reason_on_every_change = False  # a reason is asked for once it is public (the home)
    fiscal_year = FiscalYearField(label="年度")

    class Meta:
        model = SelfAssessment
        fields = [
            "measure",
            "fiscal_year",
            "achievements",
            "external_factor",
            "external_factor_note",
            "override_grade",
            "override_reason",
        ]
        widgets = {
            "achievements": forms.Textarea(attrs={"rows": 5, "cols": 70}),
            "external_factor_note": forms.Textarea(attrs={"rows": 2, "cols": 70}),
            "override_reason": forms.Textarea(attrs={"rows": 2, "cols": 70}),
        }

    def clean(self):
        cleaned = super().clean()
        public = reason_required(self.instance)
        if public and self.has_changed() and not cleaned.get("change_reason"):
            self.add_error(
                "change_reason", "公開中の自己評価を変えるときは、変更理由を書いてください。"
            )
        # The grade an override is compared with: computed from the figures now, by
        # the current rule; a published one keeps its own (a record).
        measure, year = cleaned.get("measure"), cleaned.get("fiscal_year")
        if measure is not None and year and not public:
            self.instance.measure, self.instance.fiscal_year = measure, year
            grading.assess(self.instance)
        return cleaned
