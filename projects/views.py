from django.shortcuts import get_object_or_404, render

from indicators.models import Indicator, Result
from municipalities.models import CollaborationArea, Municipality

from . import selectors
from .models import Edition, Project, SourceCorrection, Strategy


def home(request):
    strategy = Strategy.objects.prefetch_related("phases").first()
    context = {
        "strategy": strategy,
        "edition": Edition.objects.latest_first().first(),
        "projects": Project.objects.in_order().prefetch_related("themes"),
        "counts": {
            "indicators": Indicator.objects.count(),
            "results": Result.objects.visible_to(request.user).count(),
            "municipalities": Municipality.objects.count(),
            "areas": CollaborationArea.objects.count(),
        },
    }
    return render(request, "projects/home.html", context)


def project_detail(request, slug):
    project = get_object_or_404(Project, slug=slug)
    editions = selectors.editions_of(project=project)
    edition = editions[0] if editions else None
    requested = request.GET.get("edition", "")
    if requested:
        edition = next((e for e in editions if str(e.year) == requested), None)
        if edition is None:
            return render(
                request,
                "projects/edition_not_found.html",
                {"project": project, "editions": editions, "requested": requested[:20]},
                status=404,
            )
    themes = (
        selectors.project_page(project=project, edition=edition, user=request.user)
        if edition
        else []
    )
    context = {
        "project": project,
        "edition": edition,
        "editions": editions,
        "themes": themes,
        "charts": any(card.chart for m in selectors.measures_on_page(themes) for card in m.cards),
    }
    return render(request, "projects/project_detail.html", context)


def about(request):
    corrections = SourceCorrection.objects.select_related("edition")
    return render(request, "projects/about.html", {"corrections": corrections})
