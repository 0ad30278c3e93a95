"""The strategy, its report editions, and the priority projects' content."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from municipalities.models import Municipality
from strategy_portal import display, fiscal_years
from strategy_portal.permissions import PublicationQuerySet, Status, published


class Strategy(models.Model):
    """北海道創生総合戦略: a five-year plan with a population vision."""

    slug = models.SlugField("スラッグ", unique=True)
    name = models.CharField("名称", max_length=80)
    start_year = models.PositiveSmallIntegerField("開始年度")
    end_year = models.PositiveSmallIntegerField("終了年度")
    vision_target_year = models.PositiveSmallIntegerField("人口ビジョンの目標年")
    vision_population_high = models.PositiveIntegerField("人口ビジョン（上限）")
    vision_population_low = models.PositiveIntegerField("人口ビジョン（下限）")
    vision_text = models.CharField("人口ビジョン（原文）", max_length=80)
    pillars = models.JSONField(
        "構成", default=list, help_text="例：重点戦略プロジェクト・基本戦略・地域戦略"
    )

    class Meta:
        verbose_name = "総合戦略"
        verbose_name_plural = "総合戦略"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="strategy_years_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(vision_population_high__gte=models.F("vision_population_low")),
                name="strategy_vision_range_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.start_year}～{self.end_year}）"

    def get_absolute_url(self):
        return reverse("projects:home")


class StrategyPhase(models.Model):
    """What one year of the strategy stood for (2015 策定 … 2019 総仕上げ)."""

    strategy = models.ForeignKey(
        Strategy, verbose_name="総合戦略", on_delete=models.CASCADE, related_name="phases"
    )
    year = models.PositiveSmallIntegerField("年")
    headlines = models.JSONField("見出し", default=list)
    summary = models.TextField("概要", blank=True)
    blocks = models.JSONField(
        "主な内容", default=list, help_text='[{"title": "...", "items": [...]}]'
    )

    class Meta:
        verbose_name = "戦略の年次展開"
        verbose_name_plural = "戦略の年次展開"
        ordering = ["strategy", "year"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year"], name="phase_unique_year"),
        ]

    def __str__(self):
        return f"{self.year}年"


class EditionQuerySet(PublicationQuerySet):
    """Draft editions are seen only by signed-in staff and editors (a preview)."""

    def latest_first(self):
        return self.order_by("-year")

    def public_filter(self):
        return published()


class InEditionQuerySet(PublicationQuerySet):
    """Text of an edition: public when its edition is (`edition_path` leads there)."""

    edition_path = "edition__"

    def public_filter(self):
        return published(self.edition_path)


class SectionQuerySet(InEditionQuerySet):
    pass


class CategoryQuerySet(InEditionQuerySet):
    edition_path = "section__edition__"


class MeasureQuerySet(InEditionQuerySet):
    edition_path = "category__section__edition__"


class Edition(models.Model):
    """One yearly report (the 2018 edition: 2018年度の推進方向, results to FY2017)."""

    Status = Status

    strategy = models.ForeignKey(
        Strategy, verbose_name="総合戦略", on_delete=models.PROTECT, related_name="editions"
    )
    year = models.PositiveSmallIntegerField("版（年）", unique=True)
    title = models.CharField("表題", max_length=120)
    document_number = models.CharField("資料番号", max_length=20, blank=True)
    published_on = models.DateField("発行日")
    publisher = models.CharField("発行者", max_length=40)
    direction_fiscal_year = models.PositiveSmallIntegerField("推進方向の年度")
    results_fiscal_year = models.PositiveSmallIntegerField("実績の最新年度")
    tagline = models.CharField("標語", max_length=120, blank=True)
    status = models.CharField(
        "公開状態",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="下書きの版は、ログインした職員・編集者だけがプレビューできます",
    )

    objects = EditionQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="報告書の版の履歴")

    class Meta:
        verbose_name = "報告書の版"
        verbose_name_plural = "報告書の版"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年版 {self.title}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    # Publishing is not a correction of what the edition shows (projects.errata).
    ERRATUM_IGNORES = ("status",)

    def editions_showing(self):
        """The published editions that show this (projects.errata): itself."""
        return Edition.objects.public().filter(pk=self.pk)

    @property
    def direction_heading(self):
        return f"{fiscal_years.short(self.direction_fiscal_year)}の推進方向"

    @property
    def citation(self):
        """The credit line of a figure this report published, built from its own data."""
        published = f"{self.published_on.year}年{self.published_on.month}月"
        return f"{self.publisher}「{self.title}」（{self.year}年版、{published}）"


class SourceCorrection(models.Model):
    """A slip in the source text (OCR or extraction) and what we store instead."""

    edition = models.ForeignKey(
        Edition, verbose_name="報告書の版", on_delete=models.CASCADE, related_name="corrections"
    )
    location = models.CharField("箇所", max_length=200)
    printed = models.CharField("原資料の表記", max_length=200)
    corrected = models.CharField("訂正後", max_length=200)
    reason = models.TextField("理由", blank=True)

    objects = InEditionQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="原資料の訂正の履歴")

    class Meta:
        verbose_name = "原資料の訂正"
        verbose_name_plural = "原資料の訂正"
        ordering = ["edition", "pk"]

    def __str__(self):
        return f"{self.printed} → {self.corrected}"

    def editions_showing(self):
        return Edition.objects.public().filter(pk=self.edition_id)


class ProjectQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("number")


class Project(models.Model):
    """A 重点戦略プロジェクト."""

    strategy = models.ForeignKey(
        Strategy, verbose_name="総合戦略", on_delete=models.PROTECT, related_name="projects"
    )
    number = models.PositiveSmallIntegerField("番号", unique=True)
    slug = models.SlugField("スラッグ", unique=True)
    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("略称", max_length=60)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "重点戦略プロジェクト"
        verbose_name_plural = "重点戦略プロジェクト"
        ordering = ["number"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.slug])


class Theme(models.Model):
    """A page of a project (～ subtitle ～); some projects have one untitled theme."""

    project = models.ForeignKey(
        Project,
        verbose_name="重点戦略プロジェクト",
        on_delete=models.CASCADE,
        related_name="themes",
    )
    order = models.PositiveSmallIntegerField("表示順")
    title = models.CharField("副題", max_length=120, blank=True)

    class Meta:
        verbose_name = "テーマ"
        verbose_name_plural = "テーマ"
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "order"], name="theme_unique_order"),
        ]

    def __str__(self):
        return f"{self.project.short_name}：{self.title or '（副題なし）'}"

    def get_absolute_url(self):
        return f"{self.project.get_absolute_url()}#theme-{self.order}"


class Section(models.Model):
    """「これまでの主な取組」 or 「20XX年度の推進方向」 of a theme, in one edition."""

    class Kind(models.TextChoices):
        ACHIEVEMENTS = "achievements", "これまでの主な取組"
        DIRECTION = "direction", "推進方向"

    theme = models.ForeignKey(
        Theme, verbose_name="テーマ", on_delete=models.CASCADE, related_name="sections"
    )
    edition = models.ForeignKey(
        Edition, verbose_name="報告書の版", on_delete=models.PROTECT, related_name="sections"
    )
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    lead = models.TextField("リード文", blank=True)
    captions = models.JSONField("図・写真の説明", default=list, blank=True)
    note = models.TextField("編集注", blank=True, help_text="原資料にない、このサイトの注記")

    objects = SectionQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="セクションの履歴")

    class Meta:
        verbose_name = "セクション"
        verbose_name_plural = "セクション"
        ordering = ["theme", "-edition__year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "edition", "kind"], name="section_unique_per_edition"
            ),
        ]

    def __str__(self):
        return f"{self.theme} / {self.heading}"

    def get_absolute_url(self):
        project = self.theme.project.get_absolute_url()
        return f"{project}?edition={self.edition.year}#theme-{self.theme.order}"

    def editions_showing(self):
        return Edition.objects.public().filter(pk=self.edition_id)

    @property
    def heading(self):
        if self.kind == self.Kind.DIRECTION:
            return self.edition.direction_heading
        return self.get_kind_display()


class Category(models.Model):
    """A heading inside a section (移住・定住の促進, 【結婚期】 …); one level may nest."""

    section = models.ForeignKey(
        Section, verbose_name="セクション", on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上位の見出し",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField("表示順")
    title = models.CharField("見出し", max_length=200, blank=True)
    lead = models.TextField("リード文", blank=True)
    note = models.TextField("編集注", blank=True)

    objects = CategoryQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="分類の履歴")

    class Meta:
        verbose_name = "分類"
        verbose_name_plural = "分類"
        ordering = ["section", "order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="category_unique_order"),
        ]

    def __str__(self):
        return self.title or "（見出しなし）"

    def get_absolute_url(self):
        return self.section.get_absolute_url()

    @property
    def label_with_context(self):
        """For pickers, naming the edition and the section (every edition has headings
        of the same names): 2018年版・推進方向／住まいる北海道 ～…～：移住・定住の促進."""
        section = self.section
        kind = "推進方向" if section.kind == Section.Kind.DIRECTION else "これまでの主な取組"
        draft = "（下書き）" if section.edition.is_draft else ""
        theme = section.theme
        page = f"{theme.project.short_name} {theme.title}".strip()
        return f"{section.edition.year}年版{draft}・{kind}／{page}：{self}"

    def editions_showing(self):
        return Edition.objects.public().filter(sections__categories=self)


class Department(models.Model):
    """A department of the prefecture (部局: 総合政策部, 保健福祉部 …) that owns measures
    and indicators: its editors (`members`) enter their figures and assess their
    measures (strategy_portal.permissions: the `department_editor` role).

    The 2018 report names no department, so the seed makes none: the strategy office
    keeps this list in the admin (`demo_years` makes demo ones, marked in `note`)."""

    name = models.CharField("部局名", max_length=60, unique=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="入力担当者",
        blank=True,
        related_name="departments",
        help_text="この部局の指標の実績と自己評価を入力する人（役割「部局の編集者」）。"
        "調査の通知メールもこの人たちに送ります。",
    )
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "担当部局"
        verbose_name_plural = "担当部局"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Measure(models.Model):
    """A ◆ measure: title, paragraph, bullet points, funding note."""

    category = models.ForeignKey(
        Category, verbose_name="分類", on_delete=models.CASCADE, related_name="measures"
    )
    order = models.PositiveSmallIntegerField("表示順")
    title = models.CharField("名称", max_length=200)
    body = models.TextField("本文", blank=True)
    bullets = models.JSONField(
        "箇条書き",
        default=list,
        blank=True,
        help_text='文字列、または {"text": ..., "items": [...]}',
    )
    funding_note = models.CharField("財源の注記", max_length=200, blank=True)
    captions = models.JSONField("図・写真の説明", default=list, blank=True)
    note = models.TextField("編集注", blank=True)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name="関係市町村", blank=True, related_name="measures"
    )
    # Who runs the measure: not the report's text (no 正誤表 entry: ERRATUM_IGNORES),
    # carried into the next edition with it.
    department = models.ForeignKey(
        Department,
        verbose_name="担当部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    related_departments = models.ManyToManyField(
        Department, verbose_name="関係部局", blank=True, related_name="related_measures"
    )
    # Lineage: the same measure in the previous edition, and the first measure of the
    # line, which holds the indicators (so a KPI keeps its history across editions).
    carried_from = models.ForeignKey(
        "self",
        verbose_name="前の版の同じ施策",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
    )
    origin = models.ForeignKey(
        "self",
        verbose_name="最初の版の同じ施策",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="descendants",
        help_text="指標はこの施策に結び付いています（空欄なら、この施策が最初の版）",
    )

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="施策の履歴")

    ERRATUM_IGNORES = ("department",)

    class Meta:
        verbose_name = "施策"
        verbose_name_plural = "施策"
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "order"], name="measure_unique_order"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The project page of the measure's edition, at the measure."""
        section = self.category.section
        return f"{self.project.get_absolute_url()}?edition={section.edition.year}#measure-{self.pk}"

    @cached_property
    def project(self):
        return self.category.section.theme.project

    def editions_showing(self):
        return Edition.objects.public().filter(sections__categories__measures=self)

    @property
    def lineage_id(self):
        """The measure whose indicators this one shows: the first of its line."""
        return self.origin_id or self.pk

    @property
    def owning_department_id(self):
        """The department whose editors may write for this measure (permissions.may)."""
        return self.department_id


class CommitteeQuerySet(InEditionQuerySet):
    pass


class CommentQuerySet(InEditionQuerySet):
    edition_path = "meeting__edition__"


class CommitteeMeeting(models.Model):
    """A meeting of the external committee (外部有識者による検証: 産官学金労言) on an
    edition's results, recorded by the strategy office. Public with its edition."""

    edition = models.ForeignKey(
        Edition, verbose_name="報告書の版", on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField("開催日")
    name = models.CharField("会議の名称", max_length=120, default="北海道創生有識者会議")
    members = models.TextField(
        "委員", help_text="氏名と所属（例：山田 花子（北海道大学 教授））を1行に1人"
    )
    note = models.TextField("概要", blank=True)

    objects = CommitteeQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="外部有識者の会議の履歴")

    class Meta:
        verbose_name = "外部有識者の会議"
        verbose_name_plural = "外部有識者の会議"
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.name}（{display.date_label(self.held_on)}）" if self.held_on else self.name

    def editions_showing(self):
        return Edition.objects.public().filter(pk=self.edition_id)

    @property
    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class CommitteeComment(models.Model):
    """The committee's comment on a project or one of its measures (or on the whole
    strategy when neither is chosen), published with the meeting's edition."""

    meeting = models.ForeignKey(
        CommitteeMeeting, verbose_name="会議", on_delete=models.CASCADE, related_name="comments"
    )
    project = models.ForeignKey(
        Project,
        verbose_name="重点戦略プロジェクト",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_comments",
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name="施策",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_comments",
        help_text="施策についての意見のとき（そのプロジェクトのページの施策の下に載ります）",
    )
    text = models.TextField("意見")
    order = models.PositiveSmallIntegerField("表示順", default=0)

    objects = CommentQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="外部有識者の意見の履歴")

    class Meta:
        verbose_name = "外部有識者の意見"
        verbose_name_plural = "外部有識者の意見"
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.text[:40]

    def clean(self):
        if self.measure_id and self.project_id and self.measure.project.pk != self.project_id:
            raise ValidationError(
                {"measure": "この施策は、選んだ重点戦略プロジェクトのものではありません。"}
            )

    def editions_showing(self):
        return Edition.objects.public().filter(meetings__comments=self)


class ErratumQuerySet(InEditionQuerySet):
    def in_order(self):
        return self.order_by("corrected_at", "pk")


class Erratum(models.Model):
    """A correction (訂正) of what a published edition showed, listed on its 正誤表.

    A published edition is a record: whatever changes what it shows afterwards (a
    measure's text, an indicator's definition, a figure, a target) is saved with a
    変更理由 and recorded here, one row per edition and field, by `projects.errata`
    from the change's history. Nobody writes or edits one by hand.
    """

    edition = models.ForeignKey(
        Edition, verbose_name="訂正した版", on_delete=models.PROTECT, related_name="errata"
    )
    corrected_at = models.DateTimeField("訂正日時", default=timezone.now)
    content_type = models.ForeignKey(
        ContentType, verbose_name="対象の種類", on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField("対象のID")
    subject = models.CharField("訂正箇所", max_length=300)
    field = models.CharField("項目", max_length=80)
    before = models.TextField("訂正前")
    after = models.TextField("訂正後")
    reason = models.CharField("理由", max_length=100)
    link = models.CharField("箇所のURL", max_length=300, blank=True)

    objects = ErratumQuerySet.as_manager()

    class Meta:
        verbose_name = "訂正（正誤表）"
        verbose_name_plural = "訂正（正誤表）"
        ordering = ["edition", "corrected_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.edition.year}年版 {self.subject} {self.field}"

    def get_absolute_url(self):
        return reverse("projects:errata", args=[self.edition.year])

    @property
    def mark(self):
        """「2019年6月1日 訂正」: what the page it changed says."""
        day = timezone.localtime(self.corrected_at)
        return f"{day.year}年{day.month}月{day.day}日 訂正"


class ToConfirm(models.Model):
    """要確認: a year-specific text copied into the next edition (its 標語, 表題, a lead
    or heading naming a year), listed in the editors' checklist until someone rewrites
    it or confirms it as it stands. Made by `services.start_next_edition`."""

    edition = models.ForeignKey(
        Edition, verbose_name="報告書の版", on_delete=models.CASCADE, related_name="to_confirm"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name="対象の種類", on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField("対象のID")
    field = models.CharField("項目（名前）", max_length=40)
    label = models.CharField("箇所", max_length=300)
    text = models.TextField("前の版から写した内容")

    class Meta:
        verbose_name = "要確認の項目"
        verbose_name_plural = "要確認の項目"
        ordering = ["edition", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"], name="to_confirm_unique_field"
            ),
        ]

    def __str__(self):
        return self.label
