from django.contrib import admin

from .models import Indicator, Result, Target


class ResultInline(admin.TabularInline):
    model = Result
    fields = (
        "fiscal_year",
        "breakdown",
        "value",
        "approximate",
        "qualifier",
        "denominator",
        "denominator_label",
        "period",
        "period_start",
        "period_end",
        "status",
        "edition",
    )
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "group", "measure")
    list_filter = ("measure__category__section__theme__project", "unit")
    list_select_related = ("measure",)
    search_fields = ("name", "slug", "description", "measure__title")
    autocomplete_fields = ("measure",)
    inlines = [ResultInline, TargetInline]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "fiscal_year",
        "breakdown",
        "value_display",
        "period_display",
        "status",
    )
    list_filter = (
        "status",
        "fiscal_year",
        "indicator__unit",
        "indicator__measure__category__section__theme__project",
    )
    list_select_related = ("indicator",)
    search_fields = ("indicator__name", "breakdown", "note")
    ordering = ("-fiscal_year", "indicator__name", "order")

    @admin.display(description="値")
    def value_display(self, obj):
        return obj.value_display

    @admin.display(description="期間")
    def period_display(self, obj):
        return obj.period_display


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "fiscal_year", "value")
    list_select_related = ("indicator",)
