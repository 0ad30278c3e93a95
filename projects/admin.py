from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models, transaction
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from strategy_portal.admin import (
    HistoryAdmin,
    ListedStackedInline,
    ListedTabularInline,
    ModelAdmin,
)
from strategy_portal.editing import mark

from . import services
from .forms import (
    CategoryForm,
    CommitteeCommentForm,
    CommitteeMeetingForm,
    EditionForm,
    MeasureForm,
    SectionForm,
    SourceCorrectionForm,
)
from .models import (
    Category,
    CommitteeComment,
    CommitteeMeeting,
    Department,
    Edition,
    Erratum,
    Measure,
    Project,
    Section,
    SourceCorrection,
    Strategy,
    StrategyPhase,
    Theme,
    ToConfirm,
)


class StrategyPhaseInline(ListedStackedInline):
    model = StrategyPhase


@admin.register(StrategyPhase)
class StrategyPhaseAdmin(ModelAdmin):
    list_display = ("year", "strategy")


@admin.register(Strategy)
class StrategyAdmin(ModelAdmin):
    list_display = ("name", "start_year", "end_year", "vision_text")
    inlines = [StrategyPhaseInline]


class SourceCorrectionInline(ListedTabularInline):
    model = SourceCorrection
    fields = ("printed", "corrected", "location")


class ReportTextAdmin(HistoryAdmin):
    """Text of the report: free to edit in a draft edition; in a published one only with a
    reason, kept in the history (the form asks for it). Who may change or delete what
    is decided by strategy_portal.permissions (deleting is for drafts only)."""

    def save_model(self, request, obj, form, change):
        mark(obj, form.reason_text(), request.user)
        super().save_model(request, obj, form, change)
        if change:
            services.rewritten(obj, form.changed_data)


@admin.register(SourceCorrection)
class SourceCorrectionAdmin(ReportTextAdmin):
    form = SourceCorrectionForm
    list_display = ("printed", "corrected", "location", "edition")
    list_filter = ("edition",)
    search_fields = ("printed", "corrected", "location")


@admin.register(Edition)
class EditionAdmin(ReportTextAdmin):
    """Editions: the next year's draft from this one, and publishing it deliberately."""

    form = EditionForm
    list_display = ("year", "title", "published_on", "direction_fiscal_year", "status_label")
    list_filter = ("status",)
    readonly_fields = ("status",)
    inlines = [SourceCorrectionInline]
    actions = ["start_next_edition", "publish_editions"]

    @admin.display(description="公開状態", ordering="status")
    def status_label(self, obj):
        return obj.get_status_display()

    @admin.action(description="この版をもとに次の版を作成", permissions=["add"])
    def start_next_edition(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "もとにする版を1つだけ選んでください。", messages.ERROR)
            return None
        try:
            new = services.start_next_edition(queryset.get(), user=request.user)
        except services.EditionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        project = new.sections.select_related("theme__project").first()
        preview = (
            f"{project.theme.project.get_absolute_url()}?edition={new.year}" if project else ""
        )
        self.message_user(
            request,
            format_html(
                "下書きの{}年版を作成しました（公開ページには表示されません）。"
                '<a href="{}">プレビュー</a>で確かめながら書き直し、できたら「選択した版を公開する」で公開してください。',
                new.year,
                preview,
            ),
            messages.SUCCESS,
        )
        return None

    @admin.action(description="選択した版を公開する", permissions=["change"])
    def publish_editions(self, request, queryset):
        drafts = [edition for edition in queryset.order_by("year") if edition.is_draft]
        if not drafts:
            self.message_user(request, "選択した版はすでに公開されています。", messages.WARNING)
            return None
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "版の公開の確認",
                "editions": [(edition, services.publication_gaps(edition)) for edition in drafts],
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/projects/edition/confirm_publish.html", context)
        try:
            with transaction.atomic():  # all the selected editions, or none
                for edition in drafts:
                    services.publish_edition(edition, user=request.user)
        except services.EditionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        years = "・".join(f"{e.year}年版" for e in drafts)
        self.message_user(
            request, f"{years}を公開しました。公開ページの既定の版になります。", messages.SUCCESS
        )
        return None


@admin.register(Erratum)
class ErratumAdmin(ModelAdmin):
    """The corrections of published editions, as their 正誤表 pages list them: recorded
    from each correction's history (projects.errata), never typed here."""

    list_display = ("corrected_at", "edition", "subject", "field", "before", "after", "reason")
    list_filter = ("edition",)
    list_select_related = ("edition",)
    search_fields = ("subject", "before", "after", "reason")


@admin.register(ToConfirm)
class ToConfirmAdmin(ModelAdmin):
    """要確認: year-specific texts copied into the next edition. Rewriting one (on its own
    page) takes it off the list; 「確認済みにする」 keeps the text as it is."""

    list_display = ("label", "text", "edition", "open_link")
    list_filter = ("edition",)
    list_select_related = ("edition",)
    actions = ["confirm"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="直す")
    def open_link(self, obj):
        model = obj.content_type.model_class()
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.object_id]
        )
        return format_html('<a href="{}">開いて書き直す</a>', url)

    @admin.action(description="確認済みにする（内容はそのまま）", permissions=["delete"])
    def confirm(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(
            request, f"{count}件を確認済みにしました（内容はそのままです）。", messages.SUCCESS
        )


class ThemeInline(ListedTabularInline):
    model = Theme


@admin.register(Project)
class ProjectAdmin(ModelAdmin):
    list_display = ("number", "name", "short_name")
    list_display_links = ("name",)
    inlines = [ThemeInline]


class SectionInline(ListedTabularInline):
    model = Section
    fields = ("edition", "kind", "lead")


@admin.register(Theme)
class ThemeAdmin(ModelAdmin):
    list_display = ("__str__", "project", "order")
    list_filter = ("project",)
    inlines = [SectionInline]


class CategoryInline(ListedTabularInline):
    model = Category
    fields = ("order", "parent", "title")


@admin.register(Section)
class SectionAdmin(ReportTextAdmin):
    form = SectionForm
    list_display = ("__str__", "edition", "kind")
    list_filter = ("edition", "kind", "theme__project")
    list_select_related = ("theme__project", "edition")
    inlines = [CategoryInline]


class MeasureInline(ListedTabularInline):
    model = Measure
    fields = ("order", "title")


@admin.register(Category)
class CategoryAdmin(ReportTextAdmin):
    form = CategoryForm
    list_display = ("__str__", "section", "order")
    list_filter = ("section__edition", "section__theme__project")
    list_select_related = ("section__theme__project", "section__edition")
    search_fields = ("title",)
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(ReportTextAdmin):
    form = MeasureForm
    fields = (
        "placement",
        "category",
        "order",
        "title",
        "body",
        "bullets_text",
        "funding_note",
        "municipalities",
        "department",
        "related_departments",
        "note",
        "change_reason",
        "preview",
        "lineage",
    )
    readonly_fields = ("placement", "preview", "lineage")
    list_display = ("title", "category", "edition_label", "section_kind", "order")
    list_filter = (
        "category__section__edition",
        "category__section__kind",
        "category__section__theme__project",
        "department",
    )
    list_select_related = ("category__section__edition", "category__section__theme__project")
    search_fields = ("title", "body")
    filter_horizontal = ("municipalities", "related_departments")

    @admin.display(description="版", ordering="category__section__edition__year")
    def edition_label(self, obj):
        edition = obj.category.section.edition
        return f"{edition.year}年版{'（下書き）' if edition.is_draft else ''}"

    @admin.display(description="セクション", ordering="category__section__kind")
    def section_kind(self, obj):
        return obj.category.section.get_kind_display()

    @admin.display(description="この施策の場所")
    def placement(self, obj):
        if obj is None or obj.pk is None:
            return (
                "下の「分類」で、版とセクションを選んでください（公開済みの版には追加できません）。"
            )
        return obj.category.label_with_context

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="プレビュー（保存した内容）")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "保存すると、公開ページでの見え方がここに表示されます。"
        obj.cards, obj.comparisons = [], []
        return render_to_string("projects/_measure.html", {"measure": obj, "level": 4})

    @admin.display(description="前の版とのつながり")
    def lineage(self, obj):
        if obj is None or obj.carried_from_id is None:
            return "この版で新しく加えた施策です（指標はこの施策に結び付きます）。"
        previous = obj.carried_from
        return format_html(
            "{}年版の「{}」を引き継いでいます。指標と過去の実績はそのまま表示されます。",
            previous.category.section.edition.year,
            previous.title,
        )


@admin.register(Department)
class DepartmentAdmin(ModelAdmin):
    """The departments (部局) the strategy office keeps: who owns which measures and
    indicators, and who enters their figures (入力担当者, role 部局の編集者)."""

    list_display = ("name", "order", "member_names", "measure_count", "note")
    list_editable = ()
    search_fields = ("name",)
    filter_horizontal = ("members",)
    ordering = ("order", "name")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("members")
            .annotate(measure_total=models.Count("measures", distinct=True))
        )

    @admin.display(description="入力担当者")
    def member_names(self, department):
        return "・".join(user.get_username() for user in department.members.all()) or "—"

    @admin.display(description="担当の施策", ordering="measure_total")
    def measure_count(self, department):
        return department.measure_total


class CommitteeCommentInline(ListedTabularInline):
    model = CommitteeComment
    fields = ("order", "project", "measure", "text")


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(ReportTextAdmin):
    """外部有識者による検証: the meetings on an edition's results, published with it."""

    form = CommitteeMeetingForm
    list_display = ("__str__", "edition", "held_on")
    list_filter = ("edition",)
    inlines = [CommitteeCommentInline]


@admin.register(CommitteeComment)
class CommitteeCommentAdmin(ReportTextAdmin):
    """The committee's comments, each on its own page (a 訂正 once published)."""

    form = CommitteeCommentForm
    list_display = ("__str__", "meeting", "project", "measure", "order")
    list_filter = ("meeting__edition", "project")
    list_select_related = ("meeting", "project", "measure")
    search_fields = ("text",)
    autocomplete_fields = ("measure",)
