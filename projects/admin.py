from django.contrib import admin

from .models import (
    Category,
    Edition,
    Measure,
    Project,
    Section,
    SourceCorrection,
    Strategy,
    StrategyPhase,
    Theme,
)


class StrategyPhaseInline(admin.StackedInline):
    model = StrategyPhase
    extra = 0


@admin.register(StrategyPhase)
class StrategyPhaseAdmin(admin.ModelAdmin):
    list_display = ("year", "strategy")


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "start_year", "end_year", "vision_text")
    inlines = [StrategyPhaseInline]


class SourceCorrectionInline(admin.TabularInline):
    model = SourceCorrection
    extra = 0


@admin.register(SourceCorrection)
class SourceCorrectionAdmin(admin.ModelAdmin):
    list_display = ("printed", "corrected", "location", "edition")
    list_filter = ("edition",)
    search_fields = ("printed", "corrected", "location")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "published_on", "direction_fiscal_year")
    inlines = [SourceCorrectionInline]


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "short_name")
    list_display_links = ("name",)
    inlines = [ThemeInline]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("edition", "kind", "lead")
    extra = 0
    show_change_link = True


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "project", "order")
    list_filter = ("project",)
    inlines = [SectionInline]


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ("order", "parent", "title")
    extra = 0
    show_change_link = True


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "edition", "kind")
    list_filter = ("edition", "kind", "theme__project")
    list_select_related = ("theme__project", "edition")
    inlines = [CategoryInline]


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ("order", "title")
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "section", "order")
    list_filter = ("section__edition", "section__theme__project")
    list_select_related = ("section__theme__project", "section__edition")
    search_fields = ("title",)
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "order")
    list_filter = ("category__section__edition", "category__section__theme__project")
    list_select_related = ("category",)
    search_fields = ("title", "body")
    filter_horizontal = ("municipalities",)
