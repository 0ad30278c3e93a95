"""Indicators (what is measured) and their yearly results and targets."""

import re
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.html import format_html
from simple_history.models import HistoricalRecords

from projects.models import Department, Edition, Measure
from strategy_portal import display, fiscal_years
from strategy_portal.fiscal_years import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from strategy_portal.permissions import PublicationQuerySet, Status, published


class IndicatorQuerySet(PublicationQuerySet):
    def public_filter(self):
        """Public when the measure it hangs off is in a published edition: an
        indicator added to a draft edition's new measure waits for the edition."""
        return published("measure__category__section__edition__")


class Indicator(models.Model):
    """Something the report counts: 相談件数 (件), 予算額 (千円) …"""

    slug = models.SlugField("スラッグ", max_length=80, unique=True)
    measure = models.ForeignKey(
        Measure,
        verbose_name="施策",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    name = models.CharField("名称", max_length=120)
    unit = models.CharField("単位", max_length=20, blank=True)
    description = models.TextField("定義", blank=True)
    breakdown_dimension = models.CharField(
        "内訳の区分", max_length=40, blank=True, help_text="例：コース別、地域別"
    )
    source = models.CharField("出典", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)
    department = models.ForeignKey(
        Department,
        verbose_name="担当部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="空欄なら施策の担当部局",
    )
    related_departments = models.ManyToManyField(
        Department, verbose_name="関係部局", blank=True, related_name="related_indicators"
    )

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="指標の履歴")

    class Meta:
        verbose_name = "指標"
        verbose_name_plural = "指標"
        ordering = ["measure", "order", "pk"]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.slug])

    @property
    def label_with_context(self):
        """For pickers: 相談件数（件）— 住まいる北海道：結婚サポートセンターの運営."""
        if self.measure is None:
            return str(self)
        return f"{self}— {self.measure.project.short_name}：{self.measure.title}"

    def editions_showing(self):
        """The published editions whose pages show this indicator: those holding a
        measure of its line (the first measure and its copies in later editions)."""
        if self.measure_id is None:
            return Edition.objects.none()
        line = Measure.objects.filter(Q(pk=self.measure_id) | Q(origin_id=self.measure_id))
        return Edition.objects.public().filter(sections__categories__measures__in=line).distinct()

    @property
    def owning_department_id(self):
        """Its own department, else its measure's: whose editors enter its figures."""
        if self.department_id is not None or self.measure_id is None:
            return self.department_id
        return self.measure.department_id

    @property
    def owning_department(self):
        if self.department_id is not None or self.measure_id is None:
            return self.department
        return self.measure.department

    @property
    def plan_start_year(self):
        """The strategy's first year, which a target without a baseline counts from."""
        if self.measure is None:
            return None
        return self.measure.project.strategy.start_year


# Units that count things: their figures are whole numbers (約 figures are rounded too).
COUNT_UNITS = frozenset(
    (
        "件",
        "人",
        "名",
        "回",
        "社",
        "市町村",
        "圏域",
        "地域",
        "事業",
        "振興局",
        "法人",
        "団体",
        "か所",
        "箇所",
    )
)


def normalize_label(text: str) -> str:
    """NFKC (full-width spaces and letters to their usual forms), single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", normalize_label(text))


# Results in the report's own order (used by tables and selectors alike).
REPORT_ORDER = (
    "indicator__measure__category__section__theme__project__number",
    "indicator__measure__category__section__theme__order",
    "indicator__measure__category__section__kind",
    "indicator__measure__category__order",
    "indicator__measure__order",
    "indicator__order",
    "fiscal_year",
    "order",
)


# Indicators in the report's own order (the same, from an indicator).
INDICATOR_REPORT_ORDER = [
    field.removeprefix("indicator__") for field in REPORT_ORDER if field.startswith("indicator__")
]


class ResultQuerySet(PublicationQuerySet):
    def published(self):
        return self.filter(published())

    def public_filter(self):
        """Published figures of a public indicator, in a published edition (or in no
        report): a figure published with a draft edition waits for the edition."""
        return (
            published()
            & (Q(edition__isnull=True) | published("edition__"))
            & Q(indicator__in=Indicator.objects.public())
        )

    def in_order(self):
        return self.order_by("indicator", "fiscal_year", "order", "breakdown")

    def in_report_order(self):
        """As the report prints them: project, theme, section, heading, measure, indicator."""
        return self.order_by(*REPORT_ORDER)


class Result(models.Model):
    """One reported figure: an indicator's value for a fiscal year (and breakdown)."""

    class Period(models.TextChoices):
        FISCAL_YEAR = "fy", "年度"
        CALENDAR_YEAR = "cy", "暦年"
        SPAN = "span", "期間"
        AS_OF = "as_of", "時点"
        MONTH = "month", "年月"

    class Qualifier(models.TextChoices):
        NONE = "", "（なし）"
        CUMULATIVE = "cumulative", "延べ"
        SUBSET = "subset", "うち"

    Status = Status

    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="results"
    )
    edition = models.ForeignKey(
        Edition,
        verbose_name="掲載した報告書",
        on_delete=models.PROTECT,
        related_name="results",
        null=True,
        blank=True,
        help_text="報告書以外で公表された数値は空欄にして、出典を入力します",
    )
    fiscal_year = models.PositiveSmallIntegerField(
        "年度", validators=fiscal_years.validators, help_text="暦年の統計では暦年"
    )
    value = models.DecimalField("値", max_digits=18, decimal_places=4)
    period = models.CharField("期間の種類", max_length=10, choices=Period.choices, default="fy")
    period_start = models.DateField("期間の開始", null=True, blank=True)
    period_end = models.DateField("期間の終了・時点", null=True, blank=True)
    approximate = models.BooleanField("概数（約）", default=False)
    qualifier = models.CharField(
        "修飾", max_length=20, choices=Qualifier.choices, default="", blank=True
    )
    denominator = models.DecimalField(
        "分母",
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="例：対象99市町村の99",
    )
    denominator_label = models.CharField(
        "分母の名称",
        max_length=20,
        blank=True,
        help_text="分母の数の前に付く言葉だけ（例：対象）。数と単位は自動で付きます",
    )
    breakdown = models.CharField("内訳", max_length=60, blank=True, default="")
    order = models.PositiveSmallIntegerField("表示順", default=0)
    status = models.CharField(
        "公開状態", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    provisional = models.BooleanField("速報値", default=False, help_text="確定値でなく速報値のとき")
    source = models.CharField(
        "出典", max_length=200, blank=True, help_text="空欄なら掲載した報告書"
    )
    note = models.TextField("注記", blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField(
        "版数", default=1, editable=False, help_text="同時編集による上書きを防ぐための番号"
    )

    objects = ResultQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="実績の履歴", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "実績"
        verbose_name_plural = "実績"
        ordering = ["indicator", "fiscal_year", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "breakdown"],
                name="result_unique_per_year_and_breakdown",
                violation_error_message="この指標・年度・内訳の実績はすでに登録されています。",
                violation_error_code="duplicate",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="result_value_not_negative",
                violation_error_message="値に負の数は入力できません。",
                violation_error_code="negative_value",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=F("value")),
                name="result_denominator_not_below_value",
                violation_error_message="分母は値以上にしてください。",
                violation_error_code="denominator_below_value",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR) & Q(fiscal_year__lte=MAX_FISCAL_YEAR),
                name="result_fiscal_year_in_range",
                violation_error_message=fiscal_years.MESSAGE,
                violation_error_code="fiscal_year_out_of_range",
            ),
            models.CheckConstraint(
                condition=~Q(period="span")
                | (
                    Q(period_start__isnull=False)
                    & Q(period_end__isnull=False)
                    & Q(period_end__gte=F("period_start"))
                ),
                name="result_span_has_ordered_dates",
                violation_error_message="期間には開始日と終了日（開始日以降）が必要です。",
                violation_error_code="span_dates",
            ),
            models.CheckConstraint(
                condition=Q(edition__isnull=False) | ~Q(source=""),
                name="result_has_edition_or_source",
                violation_error_message="掲載した報告書か出典のどちらかを入力してください。",
            ),
            models.CheckConstraint(
                condition=~Q(period__in=["as_of", "month"]) | Q(period_end__isnull=False),
                name="result_point_in_time_has_date",
                violation_error_message="時点・年月の実績には日付が必要です。",
                violation_error_code="point_in_time_date",
            ),
        ]

    def __str__(self):
        return (
            f"{self.indicator.name} {fiscal_years.short(self.fiscal_year)} {self.breakdown}".strip()
        )

    def get_absolute_url(self):
        return self.indicator.get_absolute_url()

    def clean(self):
        """Rules every write path shares (admin forms, inline rows, import): one home."""
        super().clean()
        errors = {}
        self.breakdown = normalize_label(self.breakdown)
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None and self.breakdown:
            # 「スポーツ　コース」 is スポーツコース: the spelling already stored wins.
            known = (
                Result.objects.filter(indicator_id=self.indicator_id)
                .exclude(breakdown="")
                .values_list("breakdown", flat=True)
                .distinct()
            )
            for spelling in known:
                if spelling != self.breakdown and _squashed(spelling) == _squashed(self.breakdown):
                    self.breakdown = spelling
                    break
        unit = indicator.unit if indicator is not None else ""
        if self.value is not None and unit in COUNT_UNITS and self.value != int(self.value):
            errors["value"] = (
                f"「{unit}」は数を数える単位なので、小数（{display.format_number(self.value)}）は"
                "入力できません。整数で入力してください。"
            )
        label = self.denominator_label or ""
        if label and (re.search(r"[0-9０-９]", label) or (unit and unit in label)):
            errors["denominator_label"] = (
                "分母の名称には数や単位を入れず、数の前に付く言葉だけを入力してください"
                f"（例：「対象」と入力すると「対象99{unit}」と表示されます）。"
            )
        if errors:
            raise ValidationError(errors)

    # A broken constraint's message goes under the field an editor fixes.
    CONSTRAINT_FIELDS = {
        "duplicate": "fiscal_year",
        "negative_value": "value",
        "denominator_below_value": "denominator",
        "fiscal_year_out_of_range": "fiscal_year",
        "span_dates": "period_end",
        "point_in_time_date": "period_end",
    }

    def validate_constraints(self, exclude=None):
        """The table's constraints (every write path checks them), their messages naming
        what is in the way: the stored row a duplicate collides with, the two numbers."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = {}
            for field, problems in error.error_dict.items():
                for problem in problems:
                    code = getattr(problem, "code", None)
                    message = self.constraint_message(code) or problem
                    errors.setdefault(self.CONSTRAINT_FIELDS.get(code, field), []).append(message)
            raise ValidationError(errors) from error

    def constraint_message(self, code) -> str | None:
        if code == "duplicate":
            existing = (
                Result.objects.select_related("indicator")
                .filter(
                    indicator_id=self.indicator_id,
                    fiscal_year=self.fiscal_year,
                    breakdown=self.breakdown,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if existing is not None:
                return format_html(
                    "この指標・年度・内訳の実績はすでに登録されています："
                    "「{}」{}（{}、ID {}）。新しく追加せず、"
                    '<a href="{}">その実績を開いて修正</a>してください。',
                    existing,
                    existing.value_display,
                    existing.get_status_display(),
                    existing.pk,
                    reverse("admin:indicators_result_change", args=[existing.pk]),
                )
        if code == "denominator_below_value":
            return (
                f"分母（{display.format_number(self.denominator)}）は"
                f"値（{display.format_number(self.value)}）以上にしてください。"
            )
        return None

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def value_display(self):
        return display.value_label(self, self.indicator.unit)

    @property
    def period_display(self):
        return display.period_label(self)

    @property
    def owning_department_id(self):
        """The indicator's department: whose editors may enter this figure."""
        return self.indicator.owning_department_id if self.indicator_id else None

    def editions_showing(self):
        """A report's figure shows in that report and the later ones. A figure from
        another source (no edition) is the living series: not a report's record."""
        if self.edition_id is None:
            return Edition.objects.none()
        return self.indicator.editions_showing().filter(year__gte=self.edition.year)

    def previous(self):
        """The figure of the year before, same indicator and 内訳 (shown beside the form)."""
        if not self.indicator_id or not self.fiscal_year:
            return None
        return (
            Result.objects.select_related("indicator")
            .filter(
                indicator_id=self.indicator_id,
                breakdown=self.breakdown or "",
                fiscal_year=self.fiscal_year - 1,
            )
            .first()
        )

    @property
    def source_display(self):
        """Who published this figure: its own source, else the report that carried it."""
        if self.source:
            return self.source
        return self.edition.citation if self.edition else ""


class HeadingQuerySet(PublicationQuerySet):
    def public_filter(self):
        """A published edition's heading of a public indicator."""
        return published("edition__") & Q(indicator__in=Indicator.objects.public())

    def shown_in(self, edition):
        """What a page of `edition` prints: its own heading, else the newest earlier one
        (the caller takes the first per indicator)."""
        return self.filter(edition__year__lte=edition.year).order_by("-edition__year")


class Heading(models.Model):
    """原資料の見出し: the words a report printed above an indicator's figures
    (平成29年度実績, 【運営実績（H28.10.1～H30.3.31）】). How an edition printed them,
    not what the indicator is: each edition has its own, and a later one never
    changes what an earlier report printed."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="headings"
    )
    edition = models.ForeignKey(
        Edition, verbose_name="報告書の版", on_delete=models.PROTECT, related_name="headings"
    )
    text = models.CharField("見出し", max_length=120)

    objects = HeadingQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="原資料の見出しの履歴")

    class Meta:
        verbose_name = "原資料の見出し"
        verbose_name_plural = "原資料の見出し"
        ordering = ["indicator", "-edition__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "edition"],
                name="heading_unique_per_edition",
                violation_error_message="この指標のこの版の見出しはすでに登録されています。",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name}（{self.edition.year}年版）：{self.text}"

    def get_absolute_url(self):
        return self.indicator.get_absolute_url()

    def editions_showing(self):
        return Edition.objects.public().filter(pk=self.edition_id)


class TargetQuerySet(PublicationQuerySet):
    def published(self):
        return self.filter(published())

    def public_filter(self):
        """Published targets of a public indicator."""
        return published() & Q(indicator__in=Indicator.objects.public())

    def in_order(self):
        return self.order_by("indicator", "breakdown", "fiscal_year")

    def shown_in(self, edition):
        """The targets a page of `edition` shows: those its report or an earlier one set
        (a target set later never appears in an earlier report), and those of no report."""
        return self.filter(Q(edition__isnull=True) | Q(edition__year__lte=edition.year))


class Target(models.Model):
    """What the strategy aims for: a value in a target fiscal year, from a baseline.

    Of an indicator's targets for one breakdown, the one with the latest fiscal
    year is the goal; earlier ones are yearly milestones (中間目標). Progress is
    computed in `indicators.progress`.
    """

    class Direction(models.TextChoices):
        INCREASE = "increase", "増やす"
        DECREASE = "decrease", "減らす"

    Status = Result.Status

    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="targets"
    )
    breakdown = models.CharField(
        "内訳", max_length=60, blank=True, default="", help_text="内訳ごとの目標のときだけ"
    )
    edition = models.ForeignKey(
        Edition,
        verbose_name="目標を定めた報告書",
        on_delete=models.PROTECT,
        related_name="targets",
        null=True,
        blank=True,
        help_text="この版とそれ以降の版のページに表示されます（空欄なら、報告書によらず全ての版）",
    )
    fiscal_year = models.PositiveSmallIntegerField("目標年度", validators=fiscal_years.validators)
    value = models.DecimalField("目標値", max_digits=18, decimal_places=4)
    baseline_value = models.DecimalField(
        "基準値", max_digits=18, decimal_places=4, null=True, blank=True
    )
    baseline_fiscal_year = models.PositiveSmallIntegerField(
        "基準年度", validators=fiscal_years.validators, null=True, blank=True
    )
    direction = models.CharField(
        "目標の方向", max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    status = models.CharField(
        "公開状態", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField("注記", blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="目標の履歴", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "目標"
        verbose_name_plural = "目標"
        ordering = ["indicator", "breakdown", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "breakdown", "fiscal_year"],
                name="target_unique_per_year_and_breakdown",
                violation_error_message="この指標・内訳・年度の目標はすでに登録されています。",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_not_negative",
                violation_error_message="目標値に負の数は入力できません。",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_value__gte=0),
                name="target_baseline_not_negative",
                violation_error_message="基準値に負の数は入力できません。",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True, baseline_fiscal_year__isnull=True)
                | Q(
                    baseline_value__isnull=False,
                    baseline_fiscal_year__isnull=False,
                    baseline_fiscal_year__lt=F("fiscal_year"),
                ),
                name="target_baseline_complete_and_earlier",
                violation_error_message=(
                    "基準値と基準年度は両方を入力し、基準年度は目標年度より前にしてください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True)
                | Q(direction="increase", value__gt=F("baseline_value"))
                | Q(direction="decrease", value__lt=F("baseline_value")),
                name="target_direction_matches_baseline",
                violation_error_message=(
                    "目標の方向が基準値と合いません（増やす目標は基準値より大きく、"
                    "減らす目標は基準値より小さくしてください）。"
                ),
            ),
        ]

    def __str__(self):
        breakdown = f" {self.breakdown}" if self.breakdown else ""
        return f"{self.indicator.name}{breakdown} {fiscal_years.short(self.fiscal_year)} 目標"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def editions_showing(self):
        if self.edition_id is None:
            return Edition.objects.none()
        return self.indicator.editions_showing().filter(year__gte=self.edition.year)


class Round(models.Model):
    """調査: the strategy office asks every department for one fiscal year's figures,
    by a due date. Opening it makes a task (`Task`) of every owned indicator
    (indicators.rounds.open_round)."""

    fiscal_year = models.PositiveSmallIntegerField(
        "対象年度",
        unique=True,
        validators=[MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)],
        help_text="この年度の実績の入力を依頼します（例：2018）",
    )
    due_on = models.DateField("提出期限")
    remind_days_before = models.PositiveSmallIntegerField(
        "期限前の通知（日前）",
        default=7,
        validators=[MaxValueValidator(60)],
        help_text="この日数前に、まだ提出していない部局の入力担当者へ通知メールを送ります",
    )
    message = models.TextField("依頼の文面", blank=True, help_text="通知メールに添えます")
    opened_at = models.DateTimeField("開始日時", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="開始した人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "調査（実績の入力依頼）"
        verbose_name_plural = "調査（実績の入力依頼）"
        ordering = ["-fiscal_year"]

    def __str__(self):
        return f"{fiscal_years.label(self.fiscal_year)}の実績の調査"


class Task(models.Model):
    """One indicator's figures for one round, owed by its department.

    未着手 → 入力中 (a figure of the year was saved) → 提出済 (the department
    submits) → 確認済 (the office accepts), or 差戻し (returned, with a comment)
    → 提出済 again. Every change is in the history: who, when, comment."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "未着手"
        IN_PROGRESS = "in_progress", "入力中"
        SUBMITTED = "submitted", "提出済"
        RETURNED = "returned", "差戻し"
        ACCEPTED = "accepted", "確認済"

    round = models.ForeignKey(
        Round, verbose_name="調査", on_delete=models.CASCADE, related_name="tasks"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="tasks"
    )
    department = models.ForeignKey(
        Department, verbose_name="担当部局", on_delete=models.PROTECT, related_name="tasks"
    )
    state = models.CharField(
        "状態", max_length=20, choices=State.choices, default=State.NOT_STARTED
    )
    comment = models.TextField("コメント（差戻しの理由など）", blank=True)
    updated_at = models.DateTimeField("最終更新", auto_now=True)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)

    history = HistoricalRecords(verbose_name="入力依頼の履歴")

    class Meta:
        verbose_name = "入力依頼"
        verbose_name_plural = "入力依頼"
        ordering = ["round", "department", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator"], name="task_one_per_round"),
        ]

    def __str__(self):
        return f"{self.indicator.name}（{fiscal_years.label(self.round.fiscal_year)}）"

    @property
    def owning_department_id(self):
        return self.department_id

    @property
    def is_open(self):
        """Still the department's to do (not submitted, not accepted)."""
        return self.state in OPEN_STATES


OPEN_STATES = (Task.State.NOT_STARTED, Task.State.IN_PROGRESS, Task.State.RETURNED)


class Notice(models.Model):
    """A reminder mail that was sent (indicators.reminders): which round, to which
    department (none: to the strategy office), what about, to whom. The key makes
    each one once: `send_reminders` run twice the same day sends nothing twice."""

    class Kind(models.TextChoices):
        OPENED = "opened", "調査の開始"
        DUE_SOON = "due_soon", "提出期限が近い"
        OVERDUE = "overdue", "提出期限を過ぎた"
        SUBMITTED = "submitted", "部局が提出した"
        RETURNED = "returned", "差し戻した"

    round = models.ForeignKey(
        Round, verbose_name="調査", on_delete=models.CASCADE, related_name="notices"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="担当部局",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    kind = models.CharField("内容", max_length=20, choices=Kind.choices)
    key = models.CharField("区別", max_length=40, blank=True)
    recipients = models.TextField("宛先")
    subject = models.CharField("件名", max_length=200)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = "通知メール"
        verbose_name_plural = "通知メール"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "department", "kind", "key"],
                condition=Q(department__isnull=False),
                name="notice_once_per_department",
            ),
            models.UniqueConstraint(
                fields=["round", "kind", "key"],
                condition=Q(department__isnull=True),
                name="notice_once_to_the_office",
            ),
        ]

    def __str__(self):
        return self.subject


class GradingRule(models.Model):
    """The grading rule (評価基準) the strategy office keeps: how a measure's KPIs'
    progress rates (indicators.progress) become a grade A/B/C/D or 評価できない.

    Versioned: saving it in the admin makes a new version (an old one is never
    changed), a self-assessment keeps the version it was computed with, and the
    public page /indicators/grading-rule/ lists every version and what changed."""

    class Combine(models.TextChoices):
        MEAN = "mean", "KPIの進捗率の平均で判定する"
        LOWEST = "lowest", "最も低いKPIの進捗率で判定する"

    version = models.PositiveIntegerField("版", unique=True, editable=False)
    a_min = models.DecimalField(
        "A の下限（進捗率 %）", max_digits=5, decimal_places=1, default=Decimal(100)
    )
    b_min = models.DecimalField(
        "B の下限（進捗率 %）", max_digits=5, decimal_places=1, default=Decimal(80)
    )
    c_min = models.DecimalField(
        "C の下限（進捗率 %）",
        max_digits=5,
        decimal_places=1,
        default=Decimal(50),
        help_text="これより低いと D",
    )
    combine = models.CharField(
        "KPIが複数あるとき", max_length=10, choices=Combine.choices, default=Combine.MEAN
    )
    min_assessable_share = models.DecimalField(
        "評価に要るKPIの割合（%）",
        max_digits=4,
        decimal_places=1,
        default=Decimal(50),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="目標と実績があり進捗率が出るKPIが、施策のKPIのこの割合に満たないと「評価できない」",
    )
    note = models.TextField("変更の内容と理由", help_text="公開の評価基準のページに載ります")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成した人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "評価基準"
        verbose_name_plural = "評価基準"
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(a_min__gt=F("b_min")) & Q(b_min__gt=F("c_min")) & Q(c_min__gte=0),
                name="grading_thresholds_in_order",
                violation_error_message="下限は A ＞ B ＞ C ≧ 0 の順にしてください。",
            ),
        ]

    def __str__(self):
        return f"評価基準 第{self.version}版"

    def clean(self):
        if None not in (self.a_min, self.b_min, self.c_min) and not (
            self.a_min > self.b_min > self.c_min >= 0
        ):
            raise ValidationError("下限は A ＞ B ＞ C ≧ 0 の順にしてください（例：100・80・50）。")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    NONE = "N", "評価できない"


class SelfAssessmentQuerySet(PublicationQuerySet):
    def public_filter(self):
        return published()


class SelfAssessment(models.Model):
    """A measure's self-assessment (自己評価) for one fiscal year, by its department:
    the grade computed from its KPIs by the grading rule (the version kept), an
    override with its reason, 成果と課題, and an external factor. Public once
    published, with both grades and the reason (indicators.grading)."""

    class Factor(models.TextChoices):
        NONE = "", "なし"
        DISASTER = "disaster", "災害"
        PANDEMIC = "pandemic", "感染症"
        NATIONAL_POLICY = "national_policy", "国の施策"
        OTHER = "other", "その他"

    Status = Status

    measure = models.ForeignKey(
        Measure,
        verbose_name="施策",
        on_delete=models.PROTECT,
        related_name="self_assessments",
        help_text="指標が結び付いている施策（最初の版の施策）",
    )
    fiscal_year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)]
    )
    computed_grade = models.CharField(
        "評価（基準による）",
        max_length=1,
        choices=Grade.choices,
        editable=False,
        default=Grade.NONE,
    )
    rule = models.ForeignKey(
        GradingRule,
        verbose_name="評価基準の版",
        on_delete=models.PROTECT,
        related_name="self_assessments",
        editable=False,
    )
    kpi_rates = models.JSONField("評価に使ったKPI", default=list, editable=False)
    override_grade = models.CharField(
        "評価の変更",
        max_length=1,
        choices=Grade.choices,
        blank=True,
        help_text="基準による評価と違う評価にするときだけ選ぶ（理由が要ります。公開されます）",
    )
    override_reason = models.TextField("評価を変更した理由", blank=True)
    achievements = models.TextField("成果と課題", blank=True)
    external_factor = models.CharField(
        "外部要因", max_length=20, choices=Factor.choices, blank=True, default=Factor.NONE
    )
    external_factor_note = models.TextField("外部要因の説明", blank=True)
    status = models.CharField(
        "公開状態", max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    updated_at = models.DateTimeField("最終更新", auto_now=True)

    objects = SelfAssessmentQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="自己評価の履歴")

    class Meta:
        verbose_name = "自己評価"
        verbose_name_plural = "自己評価"
        ordering = ["-fiscal_year", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "fiscal_year"], name="self_assessment_one_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.measure}（{fiscal_years.label(self.fiscal_year)}）"

    def clean(self):
        errors = {}
        if self.override_grade and self.override_grade == self.computed_grade:
            errors["override_grade"] = (
                "基準による評価と同じです。変えないときは空欄にしてください。"
            )
        if self.override_grade and not self.override_reason.strip():
            errors["override_reason"] = "評価を変更する理由を書いてください（公開されます）。"
        if self.external_factor and not self.external_factor_note.strip():
            errors["external_factor_note"] = "外部要因の内容を書いてください。"
        if errors:
            raise ValidationError(errors)

    @property
    def grade(self) -> str:
        """The grade the public reads first: the override, else the computed one."""
        return self.override_grade or self.computed_grade

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label

    @property
    def is_draft(self):
        return self.status == Status.DRAFT

    @property
    def owning_department_id(self):
        return self.measure.department_id if self.measure_id else None


class DemoMarker(models.Model):
    """Present only in a database that holds invented demo figures (`manage.py demo_years`).

    Its presence puts a banner on every page; its absence makes demo_years refuse
    to run, so real data is never mixed with invented figures by accident.
    """

    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    note = models.CharField("説明", max_length=200)

    class Meta:
        verbose_name = "デモデータの目印"
        verbose_name_plural = "デモデータの目印"

    def __str__(self):
        return self.note
