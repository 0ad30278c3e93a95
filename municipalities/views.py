from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from . import maps
from .models import DMO, CollaborationArea, Municipality, Subprefecture


@require_safe
def municipality_list(request):
    subprefectures = list(
        Subprefecture.objects.prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("code"))
        )
    )
    overview = maps.subprefectures_map(
        [(s.name, [m.code for m in s.municipalities.all()]) for s in subprefectures]
    )
    context = {
        "subprefectures": subprefectures,
        "total": sum(len(s.municipalities.all()) for s in subprefectures),
        "map": overview,
    }
    return render(request, "municipalities/municipality_list.html", context)


@require_safe
def subprefecture_detail(request, slug):
    subprefecture = get_object_or_404(Subprefecture, slug=slug)
    municipalities = list(subprefecture.municipalities.order_by("code"))
    context = {
        "subprefecture": subprefecture,
        "municipalities": municipalities,
        "map": maps.subprefecture_map(subprefecture.name, [m.code for m in municipalities]),
    }
    return render(request, "municipalities/subprefecture_detail.html", context)


@require_safe
def municipality_detail(request, code):
    municipality = get_object_or_404(
        Municipality.objects.select_related("subprefecture"), code=code
    )
    measures = (
        municipality.measures.visible_to(request.user)
        .select_related("category__section__theme__project", "category__section__edition")
        .order_by("category__section__theme__project__number", "-category__section__edition__year")
    )
    subprefecture = municipality.subprefecture
    neighbours = list(subprefecture.municipalities.values_list("code", flat=True))
    context = {
        "municipality": municipality,
        "areas": municipality.collaboration_areas.all(),
        "measures": measures,
        "map": maps.locator_map(
            municipality.name,
            municipality.code,
            subprefecture.name,
            neighbours,
        ),
        "subprefecture_size": len(neighbours),
    }
    return render(request, "municipalities/municipality_detail.html", context)


@require_safe
def area_list(request):
    areas = list(
        CollaborationArea.objects.prefetch_related(
            Prefetch("members", queryset=Municipality.objects.order_by("code"))
        )
    )
    area_map = maps.areas_map(
        [(a.slug, a.name, a.kind, [m.code for m in a.members.all()]) for a in areas]
    )
    names = {m.code: m.name for a in areas for m in a.members.all()}
    legend = [{**row, "members": [names[c] for c in row["codes"]]} for row in area_map.table]
    context = {"areas": areas, "dmos": DMO.objects.all(), "map": area_map, "legend": legend}
    return render(request, "municipalities/area_list.html", context)


@require_safe
def area_detail(request, slug):
    area = get_object_or_404(CollaborationArea, slug=slug)
    members = list(area.members.select_related("subprefecture").order_by("code"))
    context = {
        "area": area,
        "members": members,
        "map": maps.group_map(
            area.name, [m.code for m in members], map_id="area-map", members_word="構成市町村"
        ),
    }
    return render(request, "municipalities/area_detail.html", context)
