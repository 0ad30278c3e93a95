from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .models import Indicator, Result


def indicator_list(request):
    results = Result.objects.visible_to(request.user).order_by("fiscal_year", "order", "breakdown")
    indicators = (
        Indicator.objects.with_project()
        .prefetch_related(Prefetch("results", queryset=results))
        .order_by(
            "measure__category__section__theme__project__number",
            "measure__category__section__theme__order",
            "measure__category__order",
            "measure__order",
            "order",
        )
    )
    return render(request, "indicators/indicator_list.html", {"indicators": indicators})


def indicator_detail(request, slug):
    indicator = get_object_or_404(Indicator.objects.with_project(), slug=slug)
    results = (
        Result.objects.visible_to(request.user)
        .filter(indicator=indicator)
        .select_related("edition")
        .order_by("fiscal_year", "order", "breakdown")
    )
    context = {"indicator": indicator, "results": results, "targets": indicator.targets.all()}
    return render(request, "indicators/indicator_detail.html", context)
