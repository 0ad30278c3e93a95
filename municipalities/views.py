from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from strategy_portal import share

from . import maps, sharing
from .models import DMO, CollaborationArea, Municipality, Subprefecture


@require_safe
def municipality_list(request):
    subprefectures = list(
        Subprefecture.objects.prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("code"))
        )
    )
    total = sum(len(s.municipalities.all()) for s in subprefectures)
    overview = maps.subprefectures_map(
        [(s.name, [m.code for m in s.municipalities.all()]) for s in subprefectures]
    )
    context = {
        "subprefectures": subprefectures,
        "total": total,
        "map": overview,
        "share": share.card(
            "市町村一覧",
            f"北海道の{total}市町村を{len(subprefectures)}の振興局ごとに："
            + "、".join(s.name for s in subprefectures),
        ),
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
        "share": sharing.subprefecture_card(subprefecture, municipalities),
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
        "share": sharing.municipality_card(municipality),
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
    model = [a.name for a in areas if a.kind == CollaborationArea.Kind.MODEL]
    context = {
        "areas": areas,
        "dmos": DMO.objects.all(),
        "map": area_map,
        "legend": legend,
        "share": share.card(
            "連携地域",
            f"市町村連携地域モデル事業の{len(model)}地域（" + "、".join(model) + "）、"
            "定住自立圏、連携中枢都市圏と日本版DMOの地図と一覧",
        ),
    }
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
        "share": sharing.area_card(area, members),
    }
    return render(request, "municipalities/area_detail.html", context)
