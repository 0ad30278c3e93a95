"""The editors' admin: enter, correct, import and publish results, and show who did what.

Every save goes through indicators.services (a version check for results, a
reason for the history); forms come from indicators.forms, the spreadsheet from
indicators.resources. Roles (groups editor/staff) come from migration 0002.
"""

import datetime
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from projects.admin import ReportTextAdmin
from projects.models import Project
from strategy_portal import display, fiscal_years
from strategy_portal.admin import (
    GuardedInlineFormSet,
    HistoryAdmin,
    ListedTabularInline,
    ModelAdmin,
)
from strategy_portal.admin import TabularInline as GuardedTabularInline
from strategy_portal.editing import REASON_ADDED
from strategy_portal.permissions import Status, department_ids, may

from . import checklist, grading, reminders, rounds, services
from .forms import (
    INDICATOR_FIELDS,
    ROW_FIELDS,
    TARGET_FIELDS,
    GradingRuleForm,
    HeadingForm,
    IndicatorForm,
    ResultForm,
    ResultInlineForm,
    SelfAssessmentForm,
    TargetForm,
    TargetInlineForm,
)
from .models import (
    OPEN_STATES,
    DemoMarker,
    Grade,
    GradingRule,
    Heading,
    Indicator,
    Notice,
    Result,
    Round,
    SelfAssessment,
    Target,
    Task,
)
from .resources import COLUMN_NOTES, ResultResource
from .uploads import ImportLimitError, ImportTempStorage, LimitedCSV, LimitedXLSX


class FiguresAdmin(HistoryAdmin):
    """A figure saved after someone else's (services.StaleVersionError) becomes a message."""

    refused_errors = (services.StaleVersionError,)


def publish_actions(noun: str):
    """The admin actions 「選択した{noun}を公開する」 and 「…を下書き（未公開）に戻す」
    (publish_selected, unpublish_selected), through services.set_status."""

    def status_action(name, status, description, done, already):
        @admin.action(description=description, permissions=["publish"])
        def action(modeladmin, request, queryset):
            reason = services.status_reason(queryset.model, status)
            changed, unchanged = services.set_status(
                queryset, status, reason=reason, user=request.user
            )
            message = done.format(changed)
            if unchanged:
                message += already.format(unchanged)
            modeladmin.message_user(request, message, messages.SUCCESS)

        action.__name__ = name
        return action

    return (
        status_action(
            "publish_selected",
            Status.PUBLISHED,
            f"選択した{noun}を公開する",
            f"{{}}件の{noun}を公開しました。",
            "（{}件はすでに公開されていました）",
        ),
        status_action(
            "unpublish_selected",
            Status.DRAFT,
            f"選択した{noun}を下書き（未公開）に戻す",
            f"{{}}件の{noun}を下書きに戻しました。公開ページには表示されません。",
            "（{}件はすでに下書きでした）",
        ),
    )


class ProjectFilter(admin.SimpleListFilter):
    title = "重点戦略プロジェクト"
    parameter_name = "project"
    path = "indicator__measure__category__section__theme__project"

    def lookups(self, request, model_admin):
        return [(str(p.pk), f"{p.number}. {p.short_name}") for p in Project.objects.in_order()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.path: self.value()})
        return queryset


class IndicatorProjectFilter(ProjectFilter):
    path = "measure__category__section__theme__project"


class FiscalYearFilter(admin.SimpleListFilter):
    title = "年度"
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.model.objects.order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .distinct()
        )
        return [(str(year), fiscal_years.label(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(fiscal_year=self.value())
        return queryset


# Indicator pickers -------------------------------------------------------------------

INDICATOR_CONTEXT = "measure__category__section__theme__project"


class IndicatorAutocomplete(AutocompleteJsonView):
    """The indicator picker names the project and measure: two 「相談件数（件）」 differ."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Indicator):
            result["text"] = obj.label_with_context
        return result


def autocomplete_view(request):
    return IndicatorAutocomplete.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = autocomplete_view


class IndicatorChoiceMixin:
    """The chosen indicator, as the form first shows it, names its project and measure too."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "indicator" and field is not None:
            field.queryset = field.queryset.select_related(INDICATOR_CONTEXT)
            field.label_from_instance = lambda obj: obj.label_with_context
        return field


# Results ------------------------------------------------------------------------------


class ResultImportForm(ImportForm):
    """The upload: CSV or XLSX, at most 2 MB, the format taken from the file's name.

    A CSV saved by Excel on Japanese Windows is Shift_JIS (cp932); it is read as
    such when it is not UTF-8, and handed on as UTF-8.
    """

    MAX_BYTES = 2 * 1024 * 1024
    EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.format_titles = [f().get_title().lower() for f in formats]
        self.fields["format"].required = False
        self.fields["format"].help_text = "ファイル名の拡張子（.csv / .xlsx）から決まります。"
        self.fields["import_file"].help_text = (
            "書き出した（エクスポートした）ファイルと同じ列の CSV または Excel（.xlsx）、"
            "2MBまで。1つのファイルに1つの年度。"
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                f"ファイルが大きすぎます（{upload.size / 1024 / 1024:.1f}MB）。"
                "上限は2MBです。年度ごとやプロジェクトごとに分けてください。"
            )
        extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in self.EXTENSIONS:
            raise ValidationError("CSV（.csv）か Excel（.xlsx）のファイルを選んでください。")
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        title = self.EXTENSIONS[upload.name[upload.name.rfind(".") :].lower()]
        cleaned["format"] = str(self.format_titles.index(title))
        if title == "csv":
            cleaned["import_file"] = self.as_utf8(upload)
        # Kept here too: an error added to the field later drops it from cleaned_data,
        # and the admin still has to remove its stored copy (ResultAdmin.import_action).
        self.upload = cleaned["import_file"]
        return cleaned

    def as_utf8(self, upload):
        data = b"".join(upload.chunks())
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return SimpleUploadedFile(upload.name, text.encode("utf-8"), "text/csv")
        raise ValidationError(
            {
                "import_file": "文字コードを読み取れません。CSV は UTF-8 か Shift_JIS で保存してください。"
            }
        )


class ResultConfirmImportForm(ConfirmImportForm):
    """The 取り込む button: carries what the preview saw, to be checked again on saving."""

    preview_state = forms.CharField(widget=forms.HiddenInput, required=False)


ALL_YEARS = ""


class ResultExportForm(SelectableFieldsExportForm):
    """The export offers one fiscal year, this year's by default: one year per file is
    what the import takes back. Every year at once stays possible, said to be so."""

    # Not "fiscal_year": the form files its column check boxes under the columns' names.
    year = forms.TypedChoiceField(
        label="年度",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="取り込みに使うファイルは1つの年度だけにしてください。",
    )

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        years = Result.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
        current, _ = checklist.current_results_year()
        choices = sorted({*years.distinct(), *([current] if current else [])}, reverse=True)
        self.fields["year"].choices = [
            *((year, f"{fiscal_years.label(year)}の実績") for year in choices),
            (ALL_YEARS, "全年度（取り込みには使えません）"),
        ]
        self.fields["year"].initial = current if current else ALL_YEARS
        self.order_fields(["resource", "format", "year"])

    def for_request(self, request):
        """Coming from a list filtered by year, that year is the one offered."""
        year = request.GET.get("fiscal_year")
        if year and year in {str(code) for code, _ in self.fields["year"].choices}:
            self.fields["year"].initial = int(year)
        return self


class ResultInlineFormSet(GuardedInlineFormSet):
    def get_unique_error_message(self, unique_check):
        """Two rows for one year and 内訳: say so in the editor's words, not the field names."""
        return (
            "同じ年度・内訳の行が2つあります。内訳ごとに1行にするか、"
            "どちらかの年度・内訳を直してください。"
        )

    def get_form_error(self):
        return "この行と同じ年度・内訳の行がほかにあります。"


class ResultInline(GuardedTabularInline):
    model = Result
    form = ResultInlineForm
    formset = ResultInlineFormSet
    # Without 分母の名称 and 掲載した報告書, to fit 1280 px (a new row gets last year's
    # label and the edition being prepared); each row's own page (変更) has them.
    fields = (*ROW_FIELDS, "status", "seen_version")
    readonly_fields = ("status",)
    extra = 0
    show_change_link = True
    verbose_name = "実績"
    verbose_name_plural = (
        "実績（この画面で修正・追加できます。公開は実績の一覧の「公開する」操作で）"
    )

    def get_queryset(self, request):
        # Oldest first, as the report reads; the empty rows for a new year come last.
        return super().get_queryset(request).order_by("fiscal_year", "order", "breakdown")


class HeadingInline(ListedTabularInline):
    """Each edition's 原資料の見出し, edited on its own page (a 訂正 once published)."""

    model = Heading
    fields = ("edition", "text")


@admin.register(Heading)
class HeadingAdmin(ReportTextAdmin):
    form = HeadingForm
    list_display = ("text", "indicator", "edition")
    list_filter = ("edition",)
    list_select_related = ("indicator", "edition")
    search_fields = ("text", "indicator__name", "indicator__slug")
    autocomplete_fields = ("indicator",)


class TargetInline(GuardedTabularInline):
    model = Target
    form = TargetInlineForm
    fields = (*(name for name in TARGET_FIELDS if name != "indicator"), "status")
    readonly_fields = ("status",)
    extra = 0
    verbose_name_plural = "目標（新しい目標は下書きです。公開は目標の一覧の「公開する」操作で）"


def _int(text, *, low=1, high=2**31 - 1):
    """A whole number from a query parameter, or None: nothing out of the columns' range
    reaches the database (PostgreSQL would refuse it with an error)."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


@admin.register(Result)
class ResultAdmin(IndicatorChoiceMixin, ImportExportMixin, FiguresAdmin):
    form = ResultForm
    change_form_template = "admin/indicators/result/change_form.html"
    fieldsets = (
        (None, {"fields": ("indicator", "fiscal_year", "breakdown", "order")}),
        (
            "値",
            {
                "fields": (
                    "value",
                    "approximate",
                    "qualifier",
                    ("denominator", "denominator_label"),
                    "provisional",
                )
            },
        ),
        ("期間", {"fields": ("period", ("period_start", "period_end"))}),
        ("公開と出典", {"fields": ("status", "edition", "source", "note")}),
        (
            "変更の記録",
            {"fields": ("change_reason", "seen_version", "version", "created_at", "updated_at")},
        ),
    )
    readonly_fields = ("status", "version", "created_at", "updated_at")
    autocomplete_fields = ("indicator",)
    list_display = (
        "indicator_name",
        "fiscal_year_label",
        "breakdown",
        "value_display",
        "period_display",
        "provisional",
        "status_label",
        "updated_at",
    )
    list_display_links = ("indicator_name",)
    list_filter = (
        ProjectFilter,
        FiscalYearFilter,
        "status",
        "provisional",
        "indicator__unit",
        "edition",
    )
    list_select_related = ("indicator",)
    search_fields = ("indicator__name", "indicator__slug", "breakdown", "note")
    search_help_text = "指標名・スラッグ・内訳・注記で検索"
    ordering = (
        "-fiscal_year",
        "indicator__measure",
        "indicator__order",
        "indicator_id",
        "order",
        "breakdown",
    )
    list_per_page = 100
    actions = ["publish_selected", "unpublish_selected"]
    history_columns = (("値", "history_value"), ("状態", "history_status"))

    # Spreadsheet import/export (django-import-export).
    resource_classes = [ResultResource]
    import_form_class = ResultImportForm
    confirm_form_class = ResultConfirmImportForm
    export_form_class = ResultExportForm
    import_template_name = "admin/indicators/result/import.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    # Read within limits (indicators/uploads.py); kept under a token between the
    # preview and 取り込む, never under a name the browser can choose.
    formats = [LimitedCSV, LimitedXLSX]
    tmp_storage_class = ImportTempStorage
    to_encoding = "utf-8-sig"  # a BOM, so Excel on Japanese Windows reads UTF-8

    @admin.display(description="指標（スラッグ）", ordering="indicator__slug")
    def indicator_name(self, obj):
        return format_html("{}<br><small>{}</small>", obj.indicator.name, obj.indicator.slug)

    @admin.display(description="年度", ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return fiscal_years.short(obj.fiscal_year)

    @admin.display(description="値（単位）", ordering="value")
    def value_display(self, obj):
        return obj.value_display

    @admin.display(description="期間")
    def period_display(self, obj):
        if obj.period == Result.Period.FISCAL_YEAR:
            return fiscal_years.label(obj.fiscal_year)
        return f"{obj.get_period_display()}：{obj.period_display}"

    @admin.display(description="公開状態", ordering="status")
    def status_label(self, obj):
        return obj.get_status_display()

    def history_value(self, record):
        return display.value_label(record, record.indicator.unit if record.indicator else "")

    def history_status(self, record):
        return record.get_status_display()

    def save_model(self, request, obj, form, change):
        if not change:
            services.create_result(
                obj,
                reason=form.reason_text(),
                user=request.user,
                keep_order=bool(form.cleaned_data.get("order")),
            )
            return
        services.save_result(
            obj,
            reason=form.reason_text(),
            expected_version=form.cleaned_data.get("seen_version"),
            user=request.user,
        )

    publish_selected, unpublish_selected = publish_actions("実績")

    # Import: who may, what happens, what the editor is told.

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "request": request}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        state = getattr(request, "result_import_state", {})
        return {**initial, "preview_state": json.dumps(state)}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # All or nothing: a row that fails validation rolls back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_urls(self):
        missing = self.admin_site.admin_view(self.missing_view)
        return [
            path("missing/", missing, name="indicators_result_missing"),
            *super().get_urls(),
        ]

    def missing_view(self, request):
        """未入力の指標: the indicators with no figure yet for a fiscal year."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            year = int(request.GET.get("fiscal_year", ""))
        except ValueError:
            year = None
        if year is not None and not fiscal_years.in_range(year):
            year = None
        current = checklist.checklist(fiscal_year=year)
        years = set(Result.objects.values_list("fiscal_year", flat=True).distinct())
        years.add(current.fiscal_year)
        context = {
            **self.admin_site.each_context(request),
            "title": "未入力の指標",
            "list": current,
            "years": sorted((y for y in years if y is not None), reverse=True),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/indicators/result/missing.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Beside the form: last year's figure of the same indicator and 内訳; and, while
        figures of the year are missing, 「保存して次の未入力へ」."""
        shown = obj or Result(
            indicator_id=_int(request.GET.get("indicator")),
            fiscal_year=_int(
                request.GET.get("fiscal_year"),
                low=fiscal_years.MIN_FISCAL_YEAR,
                high=fiscal_years.MAX_FISCAL_YEAR,
            ),
            breakdown=request.GET.get("breakdown", ""),
        )
        context["previous_figure"] = shown.previous()
        context["walks_checklist"] = add and bool(checklist.checklist().missing)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_next_missing" not in request.POST:
            return super().response_add(request, obj, post_url_continue)
        missing = checklist.checklist(fiscal_year=obj.fiscal_year).missing
        if not missing:
            self.message_user(
                request,
                f"「{obj}」を保存しました。{obj.fiscal_year}年度の実績は全ての指標に入力済みです。",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:indicators_result_missing"))
        following = missing[0]
        self.message_user(
            request,
            f"「{obj}」を保存しました。次の未入力：{following.name}（残り{len(missing)}件）",
            messages.SUCCESS,
        )
        url = reverse("admin:indicators_result_add")
        return HttpResponseRedirect(f"{url}?indicator={following.pk}&fiscal_year={obj.fiscal_year}")

    def get_export_filename(self, request, queryset, file_format):
        return f"results-{datetime.date.today():%Y%m%d}.{file_format.get_extension()}"

    def init_request_context_data(self, request, form):
        if not form.is_bound:
            form.for_request(request)
        return super().init_request_context_data(request, form)

    def get_data_for_export(self, request, queryset, **kwargs):
        """One year's export is that year's template: a row for every indicator and every
        内訳 seen in any year, the missing figures empty. In Excel, cells are typed."""
        form = kwargs.get("export_form")
        year = form.cleaned_data.get("year") if form is not None else None
        file_format = None
        if form is not None and form.cleaned_data.get("format") not in (None, ""):
            file_format = self.get_export_formats()[int(form.cleaned_data["format"])]
        if file_format is not None and file_format().is_binary():
            kwargs["force_native_type"] = True  # numbers, years and dates as Excel's own
        if year is not None:
            queryset = services.year_template(queryset.filter(fiscal_year=year), year)
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        dataset.title = f"実績（{year}年度）" if year is not None else "実績（全年度）"
        dataset.column_notes = COLUMN_NOTES
        return dataset

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportLimitError):
            form.add_error("import_file", str(e))
            return
        form.add_error(
            "import_file",
            "ファイルを読み込めませんでした。書き出した形式（CSV または Excel の .xlsx）のまま"
            "保存したファイルか確かめてください。",
        )

    PENDING_IMPORT = "pending_result_import"

    def import_action(self, request, **kwargs):
        """The preview. Its file is kept only when the preview offers 取り込む
        (then its token is this session's pending import, replacing and removing
        an earlier one); on every other path it is removed at once."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        token = getattr(getattr(form, "upload", None), "tmp_storage_name", None)
        if token:
            if context.get("confirm_form") is not None:
                previous = request.session.get(self.PENDING_IMPORT)
                if previous and previous != token:
                    ImportTempStorage(name=previous).remove()
                request.session[self.PENDING_IMPORT] = token
            else:
                ImportTempStorage(name=token).remove()
        return response

    def process_import(self, request, **kwargs):
        """取り込む: the posted token must be this session's pending preview."""
        if not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # PermissionDenied
        token = request.POST.get("import_file_name", "")
        if not token or token != request.session.get(self.PENDING_IMPORT):
            return self.import_expired(request)
        try:
            ImportTempStorage(name=token)
            return super().process_import(request, **kwargs)
        except ImportTempStorage.TokenError:
            return self.import_expired(request)
        except ImportLimitError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:indicators_result_import"))
        finally:
            ImportTempStorage(name=token).remove()
            request.session.pop(self.PENDING_IMPORT, None)

    def import_expired(self, request):
        self.message_user(
            request,
            "確認画面の有効期限が切れたか、別の画面で新しいファイルを選んだため、取り込めません。"
            "何も保存していません。もう一度ファイルを選んでください。",
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:indicators_result_import"))

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # Between the preview and 取り込む something changed (another editor saved
        # one of the rows): the whole import was rolled back. Show which rows.
        self.message_user(
            request,
            "取り込みを中止しました。確認画面の後に他の人が同じ実績を登録・変更したため、"
            "確認した内容のままでは保存できません。何も変更していません。"
            "下の行を確かめ、ファイルを選び直してください。",
            messages.ERROR,
        )
        form_class = self.get_import_form_class(request)
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": "ファイルから取り込む",
            "form": form_class(
                self.get_import_formats(), self.get_import_resource_classes(request)
            ),
            "opts": self.model._meta,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def add_success_message(self, result, request):
        totals = result.totals
        new = totals[RowResult.IMPORT_TYPE_NEW]
        message = (
            f"取り込みました：新規 {new}件、更新 {totals[RowResult.IMPORT_TYPE_UPDATE]}件、"
            f"変更なし {totals[RowResult.IMPORT_TYPE_SKIP]}件。"
        )
        if new:
            message += (
                "新規の実績は下書きです。確かめてから「選択した実績を公開する」で公開してください。"
            )
        self.message_user(request, message, messages.SUCCESS)


# Indicators ---------------------------------------------------------------------------


@admin.register(Indicator)
class IndicatorAdmin(FiguresAdmin):
    """Editors read an indicator here and enter its results and targets below it."""

    form = IndicatorForm
    list_display = ("name", "unit", "slug", "measure")
    list_filter = (IndicatorProjectFilter, "unit")
    list_select_related = ("measure",)
    search_fields = ("name", "slug", "description", "measure__title")
    autocomplete_fields = ("measure",)

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(INDICATOR_CONTEXT)

    inlines = [HeadingInline, ResultInline, TargetInline]

    def may_change_indicator(self, request, obj=None):
        return super().has_change_permission(request, obj)

    def may_enter_figures(self, request):
        return any(
            may(request.user, action, model=model)
            for action in ("add", "change")
            for model in (Result, Target)
        )

    def has_change_permission(self, request, obj=None):
        # The page must accept a POST for the rows below it (each row is asked about
        # on its own); the indicator's own fields stay read-only for editors.
        return self.may_change_indicator(request, obj) or self.may_enter_figures(request)

    def checks_saved_object(self, request, obj):
        # The indicator itself is saved only by those who may change it (save_model).
        return self.may_change_indicator(request)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.may_change_indicator(request):
            return INDICATOR_FIELDS
        return super().get_readonly_fields(request, obj)

    def revert_disabled(self, request, obj=None):
        return not self.may_change_indicator(request) or super().revert_disabled(request, obj)

    def save_model(self, request, obj, form, change):
        model_fields = [name for name in form.changed_data if name != "change_reason"]
        if not change or (self.may_change_indicator(request) and model_fields):
            services.save_with_history(obj, reason=form.reason_text(), user=request.user)

    def save_formset(self, request, form, formset, change):
        reason = form.reason_text() if hasattr(form, "reason_text") else REASON_ADDED
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_with_history(obj, reason=reason, user=request.user)
        for obj in instances:
            if isinstance(obj, Result):
                row_form = forms_by_instance.get(id(obj))
                services.save_result(
                    obj,
                    reason=reason,
                    expected_version=row_form.cleaned_data.get("seen_version")
                    if row_form
                    else None,
                    user=request.user,
                )
            else:
                services.save_with_history(obj, reason=reason, user=request.user)
        formset.save_m2m()


# Targets ------------------------------------------------------------------------------


@admin.register(Target)
class TargetAdmin(IndicatorChoiceMixin, FiguresAdmin):
    form = TargetForm
    fieldsets = (
        (None, {"fields": ("indicator", "breakdown")}),
        ("目標", {"fields": ("edition", "fiscal_year", "value", "direction")}),
        ("基準値", {"fields": ("baseline_fiscal_year", "baseline_value")}),
        ("公開と注記", {"fields": ("status", "note")}),
        ("変更の記録", {"fields": ("change_reason", "updated_at")}),
    )
    readonly_fields = ("status", "updated_at")
    list_display = (
        "indicator_name",
        "breakdown",
        "fiscal_year_label",
        "value_display",
        "baseline_display",
        "direction",
        "edition",
        "status_label",
        "updated_at",
    )
    list_display_links = ("indicator_name",)
    list_filter = ("status", FiscalYearFilter, "direction", "edition")
    list_select_related = (f"indicator__{INDICATOR_CONTEXT}", "edition")
    search_fields = ("indicator__name", "indicator__slug")
    autocomplete_fields = ("indicator",)
    ordering = ("-fiscal_year", "indicator__slug")
    actions = ["publish_selected", "unpublish_selected"]
    history_columns = (("目標値", "history_value"), ("状態", "history_status"))

    @admin.display(description="目標年度", ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return fiscal_years.label(obj.fiscal_year)

    @admin.display(description="指標（施策）", ordering="indicator__name")
    def indicator_name(self, obj):
        """Two indicators may share a name (相談件数): their measure tells them apart."""
        indicator = obj.indicator
        where = indicator.label_with_context.removeprefix(f"{indicator}— ")
        return format_html("{}<br><small>{}</small>", indicator, where)

    @admin.display(description="目標値", ordering="value")
    def value_display(self, obj):
        return f"{display.format_number(obj.value)}{obj.indicator.unit}"

    @admin.display(description="基準値")
    def baseline_display(self, obj):
        if obj.baseline_value is None:
            return "—"
        return (
            f"{fiscal_years.label(obj.baseline_fiscal_year)} "
            f"{display.format_number(obj.baseline_value)}{obj.indicator.unit}"
        )

    @admin.display(description="公開状態", ordering="status")
    def status_label(self, obj):
        return obj.get_status_display()

    def history_value(self, record):
        return display.format_number(record.value)

    def history_status(self, record):
        return record.get_status_display()

    def save_model(self, request, obj, form, change):
        services.save_with_history(obj, reason=form.reason_text(), user=request.user)

    publish_selected, unpublish_selected = publish_actions("目標")


# Demo data ------------------------------------------------------------------------------


@admin.register(DemoMarker)
class DemoMarkerAdmin(ModelAdmin):
    """Read-only (permissions.WRITTEN_BY_COMMANDS_ONLY): the marker is set by
    `manage.py demo_years --force` and says why."""

    list_display = ("note", "created_at")


# Update rounds (調査) ---------------------------------------------------------------------


@admin.register(Round)
class RoundAdmin(ModelAdmin):
    """The strategy office opens a round for a fiscal year; this page shows each
    department's progress and leads to its tasks (入力依頼) to accept or return."""

    fields = (
        "fiscal_year",
        "due_on",
        "remind_days_before",
        "message",
        "opened_at",
        "opened_by",
        "progress",
    )
    readonly_fields = ("opened_at", "opened_by", "progress")
    list_display = ("__str__", "due_on", "summary", "opened_at")
    actions = ["add_new_tasks"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the year of an opened round stays
            return ("fiscal_year", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)
        made = rounds.open_round(obj, request.user)
        reminders.send_soon()
        if not change:
            self.message_user(
                request,
                f"{made}件の入力依頼を作りました（担当部局のある指標ごとに1件）。",
                messages.SUCCESS,
            )

    @admin.action(description="担当部局の変更を反映する（新しく担当のついた指標の入力依頼を作る）")
    def add_new_tasks(self, request, queryset):
        made = sum(rounds.open_round(round_, request.user) for round_ in queryset)
        self.message_user(request, f"{made}件の入力依頼を追加しました。", messages.SUCCESS)

    @admin.display(description="進み具合")
    def summary(self, obj):
        rows = rounds.progress(obj)
        total = sum(row["total"] for row in rows)
        accepted = sum(row["by_state"][-1][2] for row in rows)
        late = [row["department"].name for row in rows if row["overdue"]]
        text = f"確認済 {accepted}/{total}件"
        if late:
            text += f"・期限切れ：{'・'.join(late)}"
        return text

    @admin.display(description="部局ごとの進み具合")
    def progress(self, obj):
        if obj is None or obj.pk is None:
            return "保存すると、担当部局のある指標ごとに入力依頼が作られ、ここに進み具合が出ます。"
        rows = rounds.progress(obj)
        tasks_url = reverse("admin:indicators_task_changelist")
        return render_to_string(
            "admin/indicators/round/_progress.html",
            {
                "round": obj,
                "rows": rounds.with_bars(rows),
                "legend": rounds.legend(),
                "states": Task.State.choices,
                "tasks_url": tasks_url,
                "late": obj.due_on < timezone.localdate(),
            },
        )


class MineFilter(admin.SimpleListFilter):
    """「担当の更新」: a department's editors see their own tasks first."""

    title = "担当"
    parameter_name = "mine"

    def __init__(self, request, params, model, model_admin):
        self.has_departments = bool(department_ids(request.user))
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("1", "自分の部局の依頼"), ("0", "すべての部局")]

    def value(self):
        value = super().value()
        if value is None and self.has_departments:
            return "1"
        return value

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(department__in=department_ids(request.user))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", "期限切れ（未提出）")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(state__in=OPEN_STATES, round__due_on__lt=timezone.localdate())
        return queryset


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="差し戻す理由",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="部局の担当者に届き、「担当の更新」に表示されます。",
    )


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    """「担当の更新」: what is due, overdue, returned and why; a department submits
    here, the strategy office accepts or returns (indicators.rounds)."""

    list_display = (
        "indicator_link",
        "department",
        "fiscal_year_label",
        "due_label",
        "state_label",
        "comment",
        "updated_at",
    )
    list_filter = (MineFilter, "state", OverdueFilter, "department", "round")
    list_select_related = ("indicator", "department", "round")
    search_fields = ("indicator__name", "indicator__slug")
    fields = ("round", "indicator", "department", "state", "comment", "submitted_at", "updated_at")
    readonly_fields = fields
    actions = ["submit_selected", "accept_selected", "return_selected"]
    history_columns = (("状態", "history_state"), ("コメント", "history_comment"))

    class Media:
        css = {"all": ["css/admin.css"]}

    def changelist_view(self, request, extra_context=None):
        extra = {"title": "担当の更新（入力依頼）", "subtitle": None}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: a task changes state by the list's actions only.
        extra = {"show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        pass  # nothing on the page is editable; no empty history row

    @admin.display(description="指標（入力する）", ordering="indicator__name")
    def indicator_link(self, task):
        url = reverse("admin:indicators_indicator_change", args=[task.indicator_id])
        return format_html('<a href="{}">{}</a>', url, task.indicator)

    @admin.display(description="年度", ordering="round__fiscal_year")
    def fiscal_year_label(self, task):
        return fiscal_years.short(task.round.fiscal_year)

    @admin.display(description="提出期限", ordering="round__due_on")
    def due_label(self, task):
        due = display.date_label(task.round.due_on)
        if rounds.is_overdue(task):
            return format_html('{} <strong class="overdue">期限切れ</strong>', due)
        return due

    @admin.display(description="状態", ordering="state")
    def state_label(self, task):
        return task.get_state_display()

    def history_state(self, record):
        return record.get_state_display()

    def history_comment(self, record):
        return record.comment

    def _each(self, request, queryset, change, done):
        changed, refused = 0, []
        for task in queryset.select_related("round", "indicator"):
            try:
                with transaction.atomic():
                    change(task)
                changed += 1
            except rounds.TransitionError as error:
                refused.append(str(error))
        if changed:
            self.message_user(request, done.format(changed), messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="選択した依頼を提出する（部局）", permissions=["change"])
    def submit_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda task: rounds.submit(task, request.user),
            "{}件を提出しました。総合政策部が確認します。",
        )
        reminders.send_soon()

    @admin.action(description="選択した依頼を確認済にする（総合政策部）", permissions=["review"])
    def accept_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda task: rounds.accept(task, request.user),
            "{}件を確認済にしました。",
        )

    @admin.action(
        description="選択した依頼を差し戻す（総合政策部・理由を書く）", permissions=["review"]
    )
    def return_selected(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            comment = form.cleaned_data["comment"]
            self._each(
                request,
                queryset,
                lambda task: rounds.return_task(task, request.user, comment),
                "{}件を差し戻しました。部局の担当者に理由が表示されます。",
            )
            reminders.send_soon()
            return None
        return TemplateResponse(
            request,
            "admin/indicators/task/return.html",
            {
                **self.admin_site.each_context(request),
                "title": "入力依頼を差し戻す",
                "opts": self.model._meta,
                "tasks": queryset.select_related("round", "indicator", "department"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Notice)
class NoticeAdmin(ModelAdmin):
    """The reminder mails sent (read-only: indicators.reminders writes them)."""

    list_display = ("sent_at", "kind", "department", "round", "subject", "recipients")
    list_filter = ("kind", "round", "department")
    list_select_related = ("round", "department")
    search_fields = ("subject", "recipients")


# Grading (評価基準) and self-assessments (自己評価) ------------------------------------


@admin.register(GradingRule)
class GradingRuleAdmin(ModelAdmin):
    """Each save is a new version; the versions are records (nobody changes one)."""

    form = GradingRuleForm
    list_display = (
        "__str__",
        "a_min",
        "b_min",
        "c_min",
        "combine",
        "min_assessable_share",
        "note",
        "created_at",
    )
    readonly_fields = ("version_note",)
    fields = ("version_note", "a_min", "b_min", "c_min", "combine", "min_assessable_share", "note")

    @admin.display(description="版")
    def version_note(self, obj):
        if obj is None or obj.pk is None:
            return "保存すると新しい版になります。"
        return (
            f"第{obj.version}版を表示しています。保存すると、この内容で新しい版になります"
            f"（第{obj.version}版はそのまま残り、その版で計算した評価も変わりません）。"
        )

    def save_model(self, request, obj, form, change):
        grading.new_version(obj, request.user)

    def response_change(self, request, obj):
        self.message_user(
            request, f"{obj}を作りました。これからの評価の計算に使います。", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:indicators_gradingrule_changelist"))


class GradeFilter(admin.SimpleListFilter):
    title = "評価"
    parameter_name = "grade"

    def lookups(self, request, model_admin):
        return Grade.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(override_grade=self.value()) | Q(override_grade="", computed_grade=self.value())
            )
        return queryset


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(HistoryAdmin):
    """A department assesses its measures; the office publishes (with both grades and
    the reason of an override, in public)."""

    form = SelfAssessmentForm
    list_display = (
        "measure",
        "fiscal_year",
        "grade_display",
        "computed_grade",
        "rule",
        "status",
        "updated_at",
    )
    list_filter = ("status", "fiscal_year", GradeFilter, "measure__department")
    list_select_related = ("measure", "rule")
    search_fields = ("measure__title", "achievements")
    autocomplete_fields = ("measure",)
    readonly_fields = ("computed", "status")
    fieldsets = (
        (None, {"fields": ("measure", "fiscal_year", "computed", "status")}),
        ("成果と課題", {"fields": ("achievements", "external_factor", "external_factor_note")}),
        (
            "評価の変更（理由を添えて。公開されます）",
            {"fields": ("override_grade", "override_reason")},
        ),
        ("変更の記録", {"fields": ("change_reason",)}),
    )
    actions = ["publish_selected", "unpublish_selected", "recompute_selected"]
    history_columns = (("評価", "history_grade"), ("状態", "history_status"))

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="評価", ordering="computed_grade")
    def grade_display(self, obj):
        if obj.override_grade:
            return f"{obj.grade_label}（基準では{obj.get_computed_grade_display()}）"
        return obj.grade_label

    @admin.display(description="評価（基準による）")
    def computed(self, obj):
        if obj is None or obj.pk is None:
            return "保存すると、施策のKPIの進捗率から評価基準で計算します。"
        return render_to_string(
            "admin/indicators/selfassessment/_computed.html", {"assessment": obj}
        )

    def history_grade(self, record):
        return record.override_grade or record.computed_grade

    def history_status(self, record):
        return record.get_status_display()

    def save_model(self, request, obj, form, change):
        services.save_with_history(obj, reason=form.reason_text(), user=request.user)

    @admin.action(description="選択した自己評価を公開する", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "{}件の自己評価を公開しました。")

    @admin.action(description="選択した自己評価を下書き（未公開）に戻す", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "{}件の自己評価を下書きに戻しました。")

    def _set_status(self, request, queryset, status, done):
        changed = 0
        with transaction.atomic():
            for assessment in queryset.select_for_update().exclude(status=status):
                assessment.status = status
                label = "公開" if status == Status.PUBLISHED else "下書きに戻す"
                services.save_with_history(assessment, reason=label, user=request.user)
                changed += 1
        self.message_user(request, done.format(changed), messages.SUCCESS)

    @admin.action(
        description="選択した自己評価を今の評価基準で計算し直す（下書きだけ）",
        permissions=["change"],
    )
    def recompute_selected(self, request, queryset):
        changed = 0
        for assessment in queryset.filter(status=Status.DRAFT).select_related("measure"):
            if not may(request.user, "change", assessment):
                continue
            grading.assess(assessment)
            services.save_with_history(assessment, reason="評価を計算し直す", user=request.user)
            changed += 1
        self.message_user(request, f"{changed}件の評価を計算し直しました。", messages.SUCCESS)
