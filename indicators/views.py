from django.core.paginator import EmptyPage, PageNotAnInteger
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from . import exports
from .cards import card_for
from .filters import ResultFilter
from .models import Indicator, Result
from .tables import ResultTable

RESULT_RELATIONS = ("indicator__measure__category__section__theme__project", "edition")
PER_PAGE, MAX_PER_PAGE = 50, 200


def whole_number(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def filtered_results(request):
    """The results the visitor may see, narrowed by the table's filters."""
    results = Result.objects.visible_to(request.user).select_related(*RESULT_RELATIONS)
    filterset = ResultFilter(request.GET or None, queryset=results)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, results.none()
    return filterset, filterset.qs


@require_safe
def indicator_list(request):
    filterset, results = filtered_results(request)
    table = ResultTable(results)
    RequestConfig(request, paginate=False).configure(table)  # sorting
    # ?per_page= between 1 and 200 (anything else: 50); a page past the end is the last.
    per_page = whole_number(request.GET.get("per_page"), PER_PAGE)
    per_page = per_page if 1 <= per_page <= MAX_PER_PAGE else PER_PAGE
    page = max(whole_number(request.GET.get("page"), 1), 1)
    try:
        table.paginate(page=page, per_page=per_page)
    except (EmptyPage, PageNotAnInteger):
        table.paginate(page=table.paginator.num_pages, per_page=per_page)
    query = request.GET.copy()
    for key in ("page", "sort"):
        query.pop(key, None)
    context = {"filter": filterset, "table": table, "query": query.urlencode()}
    return render(request, "indicators/indicator_list.html", context)


@require_safe
def results_csv(request):
    _, results = filtered_results(request)
    return exports.csv_response(results.in_order(), "hokkaido-sousei-results.csv")


@require_safe
def results_json(request):
    _, results = filtered_results(request)
    return exports.json_response(results.in_order(), filters=request.GET.dict())


def _indicator_and_results(request, slug):
    indicator = get_object_or_404(
        Indicator.objects.select_related(
            "measure__category__section__theme__project", "measure__category__section__edition"
        ),
        slug=slug,
    )
    results = (
        Result.objects.visible_to(request.user)
        .filter(indicator=indicator)
        .select_related(*RESULT_RELATIONS)
        .order_by("fiscal_year", "order", "breakdown")
    )
    return indicator, results


@require_safe
def indicator_detail(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    card = card_for(indicator, results)
    context = {
        "indicator": indicator,
        "card": card,
        "targets": indicator.targets.all(),
        "charts": card.chart is not None,
    }
    return render(request, "indicators/indicator_detail.html", context)


@require_safe
def indicator_csv(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    return exports.csv_response(results, f"{indicator.slug}.csv")


@require_safe
def indicator_json(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    meta = {
        "indicator": {
            "id": indicator.slug,
            "name": indicator.name,
            "unit": indicator.unit,
            "description": indicator.description,
            "breakdown_dimension": indicator.breakdown_dimension,
            "url": request.build_absolute_uri(indicator.get_absolute_url()),
        }
    }
    return exports.json_response(results, **meta)
