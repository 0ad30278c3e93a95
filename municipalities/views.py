from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from projects.models import Measure

from .charts import Point, points_map
from .models import DMO, CollaborationArea, Municipality, Subprefecture


def _map(areas_by_municipality: dict, marked_name: str, unmarked_name: str):
    points = [
        Point(
            name=m.name,
            latitude=float(m.latitude),
            longitude=float(m.longitude),
            marked=m.pk in areas_by_municipality,
            label="・".join(areas_by_municipality.get(m.pk, [])),
        )
        for m in Municipality.objects.exclude(latitude=None).exclude(longitude=None)
    ]
    return points_map(points, marked_name, unmarked_name)


@require_safe
def municipality_list(request):
    subprefectures = Subprefecture.objects.prefetch_related(
        Prefetch("municipalities", queryset=Municipality.objects.order_by("code"))
    )
    return render(
        request,
        "municipalities/municipality_list.html",
        {"subprefectures": subprefectures, "total": Municipality.objects.count()},
    )


@require_safe
def subprefecture_detail(request, slug):
    subprefecture = get_object_or_404(Subprefecture, slug=slug)
    municipalities = subprefecture.municipalities.order_by("code")
    return render(
        request,
        "municipalities/subprefecture_detail.html",
        {"subprefecture": subprefecture, "municipalities": municipalities},
    )


@require_safe
def municipality_detail(request, code):
    municipality = get_object_or_404(
        Municipality.objects.select_related("subprefecture"), code=code
    )
    measures = (
        Measure.objects.filter(municipalities=municipality)
        .select_related("category__section__theme__project", "category__section__edition")
        .order_by("category__section__theme__project__number", "-category__section__edition__year")
    )
    context = {
        "municipality": municipality,
        "areas": municipality.collaboration_areas.all(),
        "measures": measures,
    }
    return render(request, "municipalities/municipality_detail.html", context)


@require_safe
def area_list(request):
    areas = list(
        CollaborationArea.objects.prefetch_related(
            Prefetch("members", queryset=Municipality.objects.order_by("code"))
        )
    )
    taking_part = {}
    for area in areas:
        for member in area.members.all():
            taking_part.setdefault(member.pk, []).append(area.name)
    context = {
        "areas": areas,
        "dmos": DMO.objects.all(),
        "map": _map(taking_part, "連携地域に参加している市町村", "その他の市町村"),
        "charts": True,
    }
    return render(request, "municipalities/area_list.html", context)


@require_safe
def area_detail(request, slug):
    area = get_object_or_404(CollaborationArea, slug=slug)
    members = list(area.members.select_related("subprefecture").order_by("code"))
    context = {
        "area": area,
        "members": members,
        "map": _map(
            {m.pk: [area.name] for m in members}, f"{area.name}の構成市町村", "その他の市町村"
        ),
        "charts": True,
    }
    return render(request, "municipalities/area_detail.html", context)
