from django.contrib import admin

from strategy_portal.admin import ModelAdmin, TabularInline

from .models import DMO, CollaborationArea, Municipality, Subprefecture


class MunicipalityInline(TabularInline):
    model = Municipality
    fields = ("code", "name", "kana", "kind")
    extra = 0
    show_change_link = True


@admin.register(Subprefecture)
class SubprefectureAdmin(ModelAdmin):
    list_display = ("name", "kind", "seat", "order")
    list_filter = ("kind",)
    inlines = [MunicipalityInline]


@admin.register(Municipality)
class MunicipalityAdmin(ModelAdmin):
    list_display = ("code", "name", "kana", "kind", "subprefecture")
    list_filter = ("subprefecture", "kind")
    search_fields = ("code", "name", "kana")
    list_select_related = ("subprefecture",)


@admin.register(CollaborationArea)
class CollaborationAreaAdmin(ModelAdmin):
    list_display = ("name", "kind", "start_fiscal_year", "status")
    list_filter = ("kind", "start_fiscal_year")
    search_fields = ("name", "members__name")
    filter_horizontal = ("members",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(DMO)
class DMOAdmin(ModelAdmin):
    list_display = ("name", "legal_form", "kind", "as_of")
    list_filter = ("kind",)
    search_fields = ("name",)
