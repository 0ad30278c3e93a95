"""A year's results as a spreadsheet: the columns editors export, fill in and import.

The columns are the same both ways, named as an editor would say them. A row is
identified by 指標ID + 年度 + 内訳: a row that matches a stored result
updates it, any other row adds a new result. Rules (shown on the import page too):

- 指標, 単位, 公開状態 and 版数 are written on export and never imported. A 単位
  that differs from the indicator's is refused (a figure in 円 where the
  indicator counts 千円 would be wrong by a factor of 1000); a 版数 that is not
  the stored one means someone changed the row after the export: refused.
- New rows are drafts, whatever 公開状態 says; a stored row keeps its status, so a
  correction to a published figure is published at once, as in the form.
  Publishing is a separate, deliberate step (the 「公開する」 action).
- One fiscal year per file; a (指標, 年度, 内訳) may appear once.
- All or nothing: a single bad row and nothing is written.
- Cells that Excel would run as a formula (= + - @ at the start) are exported
  with a leading ' and read back without it.
"""

import json
import os
import re
import time

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.html import format_html
from import_export import fields, resources, widgets
from import_export.results import RowResult

from opendata import columns
from projects.models import Edition
from strategy_portal import display, fiscal_years
from strategy_portal.permissions import may, refusal
from strategy_portal.spreadsheets import escape_formula, unescape_formula

from . import services
from .forms import (
    PLACED_FIELDS,
    RESULT_FIELDS,
    InputError,
    normalize_text,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_fiscal_year,
    parse_flag,
)
from .models import Indicator, Result
from .uploads import ImportLimitError, import_deadline, too_slow_message


class PreviewCell:
    """One cell of the import preview: the stored value and the value the file brings.

    Shown as values, not as a character diff: 845 → 852, never 8~~4~~5<u>2</u>.
    """

    def __init__(self, old, new, *, adding):
        self.old = "" if old is None else str(old)
        self.new = "" if new is None else str(new)
        self.changed = not adding and self.old != self.new

    def __str__(self):
        # Templates print str(value): the markup, with both values escaped.
        return self.__html__()

    def __html__(self):
        """Safe markup: format_html escapes the values (a cell is text, never markup)."""
        if not self.changed:
            return format_html("{}", self.new)
        return format_html(
            '<del><span class="visually-hidden">変更前：</span>{}</del>'
            ' <span aria-hidden="true">→</span> '
            '<ins><span class="visually-hidden">変更後：</span>{}</ins>',
            self.old or "（空欄）",
            self.new or "（空欄）",
        )


class PreviewDiff(resources.Diff):
    """The preview's cells, old → new per cell (import-export's Diff diffs characters)."""

    def as_html(self):
        return [
            PreviewCell(old, new, adding=self.new)
            for old, new in zip(self.left, self.right, strict=True)
        ]


class ImportFileError(Exception):
    """The file as a whole cannot be read (its header row); shown above the rows."""


# C0/C1 control characters (NUL, ESC, …) and the bidirectional overrides that
# make text read differently from how it is stored. Tabs and line breaks stay
# allowed (single-line cells fold them into spaces).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def refuse_control_characters(text: str) -> str:
    found = CONTROL.search(text)
    if found:
        raise InputError(
            f"制御文字（U+{ord(found.group()):04X}）は使えません。セルの内容を打ち直してください。"
        )
    return text


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# Widgets: each reads a cell as an editor would write it and raises InputError (a
# ValueError, which import-export files under the row's column) when it cannot.


class TextWidget(widgets.Widget):
    def __init__(self, single_line=False):
        super().__init__()
        self.single_line = single_line

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        text = refuse_control_characters(str(value).strip())
        if self.single_line:
            text = " ".join(text.split())
        return unescape_formula(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DecimalWidget(widgets.Widget):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value, self.label)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return display.native_number(value)  # an xlsx cell holds the number itself
        return display.plain_number(value)


class FiscalYearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_fiscal_year(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class DateWidget(widgets.Widget):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        return parse_date(value, self.label)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class FlagWidget(widgets.Widget):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        return parse_flag(value, self.label)

    def render(self, value, obj=None, **kwargs):
        return "○" if value else ""


class ChoiceWidget(widgets.Widget):
    """Japanese labels both ways (年度, 延べ); the codes (fy, cumulative) are read too."""

    def __init__(self, choices, label, blank):
        super().__init__()
        self.choices = [(code, "" if code == "" else name) for code, name in choices]
        self.label = label
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.blank
        return parse_choice(value, self.choices, self.label)

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class IndicatorWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            refuse_control_characters(value.strip())
        slug = "" if value is None else unescape_formula(normalize_text(value))
        if not slug:
            raise InputError("指標IDを入力してください（例：p1-marriage-support-consultations）。")
        indicator = Indicator.objects.filter(slug=slug).first()
        if indicator is None:
            raise InputError(
                f"指標ID「{slug}」の指標はありません。書き出したファイルの綴りのまま入力してください。"
            )
        return indicator

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class EditionWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None  # a new row gets the latest edition, a stored row keeps its own
        year = parse_fiscal_year(value)
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            years = "・".join(str(y) for y in Edition.objects.values_list("year", flat=True))
            raise InputError(
                f"掲載した報告書（版）「{value}」の報告書はありません（登録済み：{years}）。"
            )
        return edition

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.year if kwargs.get("force_native_type") else str(value.year)


# The columns: the form's fields (forms.RESULT_FIELDS) but those a new row gets
# placed (表示順), with what is shown for checking and never read back beside them.
SHOWN_AFTER = {"indicator": ("indicator_name",), "value": ("unit",), "note": ("status",)}
COLUMNS = (
    *(
        column
        for name in RESULT_FIELDS
        if name not in PLACED_FIELDS
        for column in (name, *SHOWN_AFTER.get(name, ()))
    ),
    "version",
)


# The template's second sheet (列の説明): what each column holds and how to write it.
COLUMN_NOTES = {
    "指標ID": "指標の識別子。変えないでください（行がどの指標かを決めます）。",
    "指標": "確認用。取り込みでは読みません。",
    "年度": "実績の年度（暦年の統計は暦年）。2018、平成30年度、H30 のどれでも読めます。",
    "内訳": "内訳の名前（例：スポーツコース）。内訳のない指標は空欄。",
    "値": "数値だけ（単位・「約」・桁区切りは不要）。空欄の行は取り込みません。",
    "単位": "確認用。単位は指標で決まっています。",
    "期間種別": "年度・暦年・期間・時点・年月のどれか。",
    "期間開始": "期間種別が「期間」のときの開始日（2016/10/1、H28.10.1 など）。",
    "期間終了・時点": "期間の終了日、または時点・年月の日付（年月は 2018年11月 も可）。",
    "概数": "概数（約）のとき ○。",
    "修飾": "延べ・うち のどちらか、または空欄。",
    "分母": "例：対象99市町村 の 99。なければ空欄。",
    "分母の名称": "分母の数の前に付く言葉だけ（例：対象）。",
    "速報値": "確定値でなく速報値のとき ○。",
    "掲載した報告書（版）": "その数値を載せる報告書の版（年）。報告書以外の数値は空欄にして出典を入力。",
    "出典": "報告書以外で公表された数値の出典。",
    "注記": "数値の注記。",
    "公開状態": "確認用（公開・下書き）。取り込んだ新しい実績は下書きになります。",
    "版数": "書き出したときの版数。変えないでください（同時編集による上書きを防ぎます）。",
}


# The spreadsheet's headers are the open data's (opendata.columns.RESULTS) where
# a column means the same; 期間種別, 注記 and 版数 are the editors' own. Files made
# with the headers used before they were aligned still import.
OLD_HEADERS = {
    "指標スラッグ": "指標ID",
    "指標名": "指標",
    "期間終了": "期間終了・時点",
    "約": "概数",
    "分母名称": "分母の名称",
    "状態": "公開状態",
    "掲載版": "掲載した報告書（版）",
}


LABELS = columns.labels(columns.RESULTS)  # the open data's headers, where a column means the same


class ResultResource(resources.ModelResource):
    indicator = fields.Field(
        attribute="indicator", column_name=LABELS["indicator"], widget=IndicatorWidget()
    )
    # Shown on export and in the preview, never imported (readonly).
    indicator_name = fields.Field(
        attribute="indicator__name", column_name=LABELS["indicator_name"], readonly=True
    )
    fiscal_year = fields.Field(
        attribute="fiscal_year", column_name=LABELS["fiscal_year"], widget=FiscalYearWidget()
    )
    breakdown = fields.Field(
        attribute="breakdown", column_name=LABELS["breakdown"], widget=TextWidget(single_line=True)
    )
    value = fields.Field(attribute="value", column_name=LABELS["value"], widget=DecimalWidget("値"))
    unit = fields.Field(attribute="indicator__unit", column_name=LABELS["unit"], readonly=True)
    period = fields.Field(
        attribute="period",
        column_name="期間種別",
        widget=ChoiceWidget(Result.Period.choices, "期間種別", Result.Period.FISCAL_YEAR),
    )
    period_start = fields.Field(
        attribute="period_start", column_name=LABELS["period_start"], widget=DateWidget("期間開始")
    )
    period_end = fields.Field(
        attribute="period_end",
        column_name=LABELS["period_end"],
        widget=DateWidget("期間終了・時点"),
    )
    approximate = fields.Field(
        attribute="approximate", column_name=LABELS["approximate"], widget=FlagWidget("概数")
    )
    qualifier = fields.Field(
        attribute="qualifier",
        column_name=LABELS["qualifier"],
        widget=ChoiceWidget(Result.Qualifier.choices, "修飾", ""),
    )
    denominator = fields.Field(
        attribute="denominator", column_name=LABELS["denominator"], widget=DecimalWidget("分母")
    )
    denominator_label = fields.Field(
        attribute="denominator_label",
        column_name=LABELS["denominator_label"],
        widget=TextWidget(single_line=True),
    )
    provisional = fields.Field(
        attribute="provisional", column_name=LABELS["provisional"], widget=FlagWidget("速報値")
    )
    status = fields.Field(
        attribute="get_status_display", column_name=LABELS["status"], readonly=True
    )
    source = fields.Field(
        attribute="source", column_name=LABELS["source"], widget=TextWidget(single_line=True)
    )
    note = fields.Field(attribute="note", column_name="注記", widget=TextWidget())
    edition = fields.Field(
        attribute="edition",
        column_name=LABELS["edition"],
        widget=EditionWidget(),
        saves_null_values=False,
    )
    version = fields.Field(attribute="version", column_name="版数", readonly=True)

    REQUIRED_HEADERS = ("指標ID", "年度", "内訳", "値")
    bad_headers = False
    reason = "インポート"
    user = None

    class Meta:
        model = Result
        name = "実績"
        fields = COLUMNS
        export_order = fields
        import_id_fields = ("indicator", "fiscal_year", "breakdown")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, request=None, form=None, **kwargs):
        super().__init__(**kwargs)
        self.request = request
        # What the preview saw, row by row: 0 for a new row, else the stored version.
        # On confirmation each row must still be so, or the import is refused.
        self.state = {}
        self.preview_state = None
        if form is not None and "preview_state" in getattr(form, "cleaned_data", {}):
            try:
                self.preview_state = json.loads(form.cleaned_data["preview_state"] or "{}")
            except ValueError:
                self.preview_state = {}

    def get_diff_class(self):
        return PreviewDiff

    # Export ------------------------------------------------------------------------

    def get_queryset(self):
        return Result.objects.select_related("indicator", "edition")

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def dehydrate_status(self, result):
        return "" if result.pk is None else result.get_status_display()

    def dehydrate_version(self, result):
        return None if result.pk is None else result.version

    def filter_export(self, queryset, **kwargs):
        if not isinstance(queryset, models.QuerySet):
            return queryset  # the year's template, already in order (ResultAdmin)
        return queryset.select_related("indicator", "edition").order_by(
            "-fiscal_year", "indicator__slug", "order", "breakdown"
        )

    # Import ------------------------------------------------------------------------

    def column_of(self, name: str) -> str:
        field = self.fields.get(name)
        return field.column_name if field is not None else name

    def before_import(self, dataset, **kwargs):
        self.file_name = os.path.basename(kwargs.get("file_name") or "")
        extension = os.path.splitext(self.file_name)[1].lstrip(".").upper() or "ファイル"
        self.reason = f"{extension}インポート: {self.file_name}".strip()
        self.user = kwargs.get("user")
        self.deadline = import_deadline()
        self.timed_out = False
        self.seen_keys = {}
        self.file_year = None
        headers = [
            "" if header is None else normalize_text(header) for header in dataset.headers or []
        ]
        # As the editor's spreadsheet spells them: NFKC turned （版） into (版).
        spelled = {normalize_text(f.column_name): f.column_name for f in self.fields.values()}
        headers = [OLD_HEADERS.get(header, spelled.get(header, header)) for header in headers]
        dataset.headers = headers
        known = {field.column_name for field in self.fields.values()}
        unknown = [header for header in headers if header and header not in known]
        missing = [header for header in self.REQUIRED_HEADERS if header not in headers]
        problems = []
        if missing:
            problems.append("列「" + "」「".join(missing) + "」がありません。")
        if unknown:
            problems.append("見出し「" + "」「".join(unknown) + "」は読み取れません。")
        self.bad_headers = bool(problems)
        if problems:
            raise ImportFileError(
                "1行目の見出しを確かめてください："
                + "".join(problems)
                + "使える見出し："
                + "・".join(field.column_name for field in self.fields.values())
                + "（書き出したファイルの見出しをそのまま使ってください）。"
            )

    def import_row(self, row, instance_loader, **kwargs):
        if not self.timed_out and time.monotonic() > getattr(self, "deadline", float("inf")):
            self.timed_out = True  # shown once, at the row it stopped; the rest are skipped
            stopped = self.get_row_result_class()()
            stopped.import_type = stopped.IMPORT_TYPE_ERROR
            error = ImportLimitError(too_slow_message())
            stopped.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs.get("row_number"))
            )
            return stopped
        if self.timed_out or self.bad_headers or is_blank(row.get(self.column_of("value"))):
            # A row with no 値 (an empty line, or a template row not filled in) is no row:
            # skipped, and left out of the preview and its counts (after_import).
            skipped = self.get_row_result_class()()
            skipped.import_type = skipped.IMPORT_TYPE_SKIP
            skipped.empty = not (self.timed_out or self.bad_headers)
            return skipped
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = kwargs.get("row_number")  # the preview names the sheet's line
        return row_result

    def get_instance(self, instance_loader, row):
        """The stored row with this 指標ID + 年度 + 内訳, if any."""
        keys, errors = {}, {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                keys[field.attribute] = field.clean(row)
            except ValueError as exc:
                errors[field.column_name] = [str(exc)]
        if keys.get("fiscal_year") is None and "年度" not in errors:
            errors["年度"] = ["年度を入力してください（例：2018）。"]
        if errors:
            raise ValidationError(errors)
        return Result.objects.select_related("indicator").filter(**keys).first()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        line = kwargs.get("row_number", 0) + 1
        if instance._state.adding and instance.indicator_id:
            services.prepare_new_result(instance)

        def refuse(name, message):
            errors.setdefault(name, []).append(message)

        seen = 0 if instance._state.adding else instance.version
        self.state[str(line)] = seen
        if self.preview_state is not None:
            previewed = self.preview_state.get(str(line))
            if previewed != seen:
                refuse(NON_FIELD_ERRORS, self.changed_since_preview(instance, previewed))

        key = (instance.indicator_id, instance.fiscal_year, instance.breakdown)
        if instance.indicator_id and instance.fiscal_year:
            if key in self.seen_keys:
                refuse(
                    "fiscal_year",
                    f"同じ指標・年度・内訳の行がこのファイルの{self.seen_keys[key]}行目にもあります。"
                    "1行にまとめてください。",
                )
            else:
                self.seen_keys[key] = line
            if self.file_year is None:
                self.file_year = (instance.fiscal_year, line)
            elif instance.fiscal_year != self.file_year[0]:
                refuse(
                    "fiscal_year",
                    "1つのファイルには1つの年度の実績だけを入れてください"
                    f"（{self.file_year[1]}行目は{fiscal_years.short(self.file_year[0])}、"
                    f"この行は{fiscal_years.short(instance.fiscal_year)}）。",
                )
        unit = normalize_text(row.get("単位") or "")
        if unit and instance.indicator_id and unit != normalize_text(instance.indicator.unit):
            refuse(
                "unit",
                f"単位「{unit}」が指標の単位「{instance.indicator.unit}」と違います。"
                f"値を「{instance.indicator.unit}」に直して入力してください。",
            )
        seen_version = row.get("版数")
        instance._seen_version = None
        if not is_blank(seen_version) and not instance._state.adding:
            try:
                instance._seen_version = int(parse_decimal(seen_version, "版数"))
            except (InputError, TypeError, ValueError):
                refuse(
                    "version", f"版数「{seen_version}」は書き出したときの数字のままにしてください。"
                )
        if errors:
            raise ValidationError(errors)

    def changed_since_preview(self, instance, previewed) -> str:
        if instance._state.adding:
            return "確認画面の後に、この行の実績が削除されました。"
        now = f"現在の値 {Result.objects.select_related('indicator').get(pk=instance.pk).value_display}"
        if not previewed:
            return f"確認画面の後に、他の人がこの指標・年度・内訳の実績を登録しました（{now}）。"
        return f"確認画面の後に、他の人がこの実績を変更しました（{now}）。"

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        empty = [row for row in result.rows if getattr(row, "empty", False)]
        if empty:
            result.rows = [row for row in result.rows if not getattr(row, "empty", False)]
            result.totals[RowResult.IMPORT_TYPE_SKIP] -= len(empty)
        if kwargs.get("dry_run") and self.request is not None:
            self.request.result_import_state = self.state

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Checked only for rows that would change something (unchanged rows are skipped):
        # a department editor's file may hold other departments' rows as exported.
        action = "add" if instance._state.adding else "change"
        if self.user is not None and instance.indicator_id and not may(self.user, action, instance):
            errors.setdefault(NON_FIELD_ERRORS, []).append(refusal(action, instance, self.user))
        seen = getattr(instance, "_seen_version", None)
        if seen is not None and seen != instance.version:
            current = Result.objects.select_related("indicator").get(pk=instance.pk)
            errors.setdefault("version", []).append(
                f"この実績は書き出した後に変更されています（ファイルの版数{seen}、現在の版数"
                f"{current.version}、現在の値 {current.value_display}）。"
                "最新の状態を書き出し直して、そこに入力してください。"
            )
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as exc:
            by_column = {}
            for name, messages in exc.message_dict.items():
                column = name if name == NON_FIELD_ERRORS else self.column_of(name)
                by_column.setdefault(column, []).extend(messages)
            raise ValidationError(by_column) from exc

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        if is_create:
            services.create_result(instance, reason=self.reason, user=self.user)
        else:
            services.save_result(instance, reason=self.reason, user=self.user)
        self.after_save_instance(instance, row, **kwargs)
