import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html

from . import progress
from .models import REPORT_ORDER, Result


class ResultTable(tables.Table):
    """All results, one row each; sorting and paging happen in SQL."""

    project = tables.Column(
        "プロジェクト",
        accessor="indicator__measure__category__section__theme__project__number",
        order_by=REPORT_ORDER,
    )
    indicator = tables.Column(
        "指標",
        accessor="indicator__name",
        linkify=lambda record: record.indicator.get_absolute_url(),
    )
    breakdown = tables.Column("内訳", empty_values=())
    measure = tables.Column("施策", accessor="indicator__measure__title")
    fiscal_year = tables.Column("期間", order_by=("fiscal_year", "period_end"))
    value = tables.Column("値", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    progress = tables.Column("目標と進捗", empty_values=(), orderable=False)

    class Meta:
        model = Result
        fields = (
            "project",
            "measure",
            "indicator",
            "breakdown",
            "fiscal_year",
            "value",
            "progress",
        )
        attrs = {"class": "data results-table"}
        row_attrs = {"class": lambda record: "draft" if record.is_draft else ""}
        order_by = ("project",)
        empty_text = "条件に合う実績はありません。"
        template_name = "indicators/results_table.html"

    def render_project(self, record):
        project = record.indicator.measure.project if record.indicator.measure else None
        if project is None:
            return "—"
        return format_html('<a href="{}">{}</a>', project.get_absolute_url(), project.short_name)

    def render_breakdown(self, value):
        return value or "—"

    def render_fiscal_year(self, record):
        return record.period_display

    def render_value(self, record):
        badge = format_html(' <span class="badge">{}</span>', "未公開") if record.is_draft else ""
        return format_html("{}{}", record.value_display, badge)

    def render_progress(self, record):
        """How far this figure has come towards its target (the indicator's targets are prefetched)."""
        figure = progress.of_result(record)
        if figure is None:
            return "—"
        return render_to_string(
            "indicators/_progress.html", {"progress": figure, "unit": record.indicator.unit}
        )
