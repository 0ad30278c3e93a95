from django.core.paginator import EmptyPage
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from strategy_portal import share
from strategy_portal.pagecache import reads

from . import exports, freshness, grading, progress, sharing
from .cards import card_for
from .filters import ResultFilter
from .models import Grade, GradingRule, Heading, Indicator, Result, Target
from .tables import ResultTable

PROJECT_PATH = "indicator__measure__category__section__theme__project"
RESULT_RELATIONS = (f"{PROJECT_PATH}__strategy", "edition")
PER_PAGE, MAX_PER_PAGE = 50, 200
FILTERS = tuple(ResultFilter.base_filters)  # the query parameters of the table and its downloads


def visible_targets(user):
    return Target.objects.visible_to(user).in_order()


def whole_number(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def page_number(text) -> int | None:
    """A page number as the site's own links write it (1, 2, …), else None.

    `01`, `１`, `+2` or `2.0` would name a page too, but each is a key of its own
    in the page cache, so they are refused like any other value."""
    if text is None:
        return 1
    if text.isascii() and text.isdigit() and not text.startswith("0") and len(text) <= 9:
        return int(text)
    return None


def filtered_results(request):
    """The results the visitor may see, narrowed by the table's filters.

    Each result's indicator carries the targets the visitor may see (one query),
    so every row can say how far it has come.
    """
    results = (
        Result.objects.visible_to(request.user)
        .select_related(*RESULT_RELATIONS)
        .prefetch_related(Prefetch("indicator__targets", queryset=visible_targets(request.user)))
    )
    filterset = ResultFilter(request.GET or None, queryset=results, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, results.none()
    return filterset, filterset.qs


@require_safe
@reads(*FILTERS, "page", "sort", "per_page")
def indicator_list(request):
    filterset, results = filtered_results(request)
    table = ResultTable(results)
    RequestConfig(request, paginate=False).configure(table)  # sorting
    # ?per_page= between 1 and 200 (anything else: 50). ?page= names one of the
    # list's pages or answers 404: each value is a page of its own in the page cache,
    # so a made-up one must not be a render (a 404 is small and never cached).
    per_page = whole_number(request.GET.get("per_page"), PER_PAGE)
    per_page = per_page if 1 <= per_page <= MAX_PER_PAGE else PER_PAGE
    page = page_number(request.GET.get("page"))
    if page is None:
        raise Http404("ページ番号が正しくありません")
    try:
        table.paginate(page=page, per_page=per_page)
    except EmptyPage:
        raise Http404("このページはありません") from None
    query = request.GET.copy()
    for key in ("page", "sort"):
        query.pop(key, None)
    # `query` is the search box's text in base.html: the filters go by another name.
    context = {
        "filter": filterset,
        "table": table,
        "filter_query": query.urlencode(),
        "share": share.card(
            "指標と実績",
            f"重点戦略プロジェクトの指標の実績{table.paginator.count:,}件の一覧："
            "プロジェクト・年度・市町村で絞り込み、並べ替え、CSV・JSONで取得",
        ),
    }
    return render(request, "indicators/indicator_list.html", context)


@require_safe
@reads(*FILTERS)
def results_csv(request):
    _, results = filtered_results(request)
    return exports.csv_response(results.in_order(), "hokkaido-sousei-results.csv")


@require_safe
@reads(*FILTERS)
def results_json(request):
    _, results = filtered_results(request)
    return exports.json_response(results.in_order(), meta={"filters": request.GET.dict()})


def _indicator_and_results(request, slug):
    indicator = get_object_or_404(
        freshness.annotate(Indicator.objects.visible_to(request.user))
        .select_related(
            "measure__category__section__theme__project__strategy",
            "measure__category__section__edition",
            "measure__department",
            "department",
        )
        .prefetch_related(Prefetch("targets", queryset=visible_targets(request.user))),
        slug=slug,
    )
    results = (
        Result.objects.visible_to(request.user)
        .filter(indicator=indicator)
        .select_related(*RESULT_RELATIONS)
        .order_by("fiscal_year", "period_end", "order", "breakdown")
    )
    return indicator, results


@require_safe
def indicator_detail(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    start = indicator.plan_start_year
    card = card_for(indicator, results, plan_start_year=start)
    card.freshness = freshness.of(indicator, card.results)
    goals = progress.goals_from(indicator.targets.all())
    rows = [
        (result, progress.assess_result(goals, result, plan_start_year=start))
        for result in card.results
    ]
    context = {
        "indicator": indicator,
        "card": card,
        "rows": rows,
        "has_progress": bool(goals),
        "targets": indicator.targets.all(),
        "headings": Heading.objects.visible_to(request.user)
        .filter(indicator=indicator)
        .select_related("edition"),
        "goal_pks": {goal.target.pk for goal in goals.values()},
        "charts": card.chart is not None,
        "embed_code": sharing.embed_code(request, indicator),
        "share": sharing.share_card(indicator, card),
    }
    return render(request, "indicators/indicator_detail.html", context)


@require_safe
def indicator_csv(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    return exports.csv_response(results, f"{indicator.slug}.csv", targets=indicator.targets.all())


@require_safe
def indicator_json(request, slug):
    indicator, results = _indicator_and_results(request, slug)
    targets = list(indicator.targets.all())
    card = card_for(indicator, results, targets, plan_start_year=indicator.plan_start_year)
    meta = {
        "indicator": {
            "id": indicator.slug,
            "name": indicator.name,
            "unit": indicator.unit,
            "description": indicator.description,
            "breakdown_dimension": indicator.breakdown_dimension,
            "url": request.build_absolute_uri(indicator.get_absolute_url()),
        },
        "targets": [exports.target_row(target, card.goals) for target in targets],
        "progress": card.main_progress.as_dict() if card.main_progress else None,
    }
    return exports.json_response(card.results, targets=targets, meta=meta)


@require_safe
def grading_rule(request):
    """「自己評価の評価基準」: every version of the grading rule and what changed."""
    card = share.card(
        "自己評価の評価基準",
        "施策の自己評価（A・B・C・D・評価できない）を、KPIの進捗率から決める基準と、その変更の記録",
    )
    return render(
        request,
        "indicators/grading_rule.html",
        {
            "versions": grading.versions(),
            "grades": Grade.choices,
            "defaults": grading.describe(GradingRule()),
            "share": card,
        },
    )


@require_safe
def progress_rule(request):
    rule = progress.rule()
    card = share.card(
        "進捗状況の評価方法",
        "目標を設定した指標の進捗率と、進捗状況（"
        + "・".join(label for _, label in rule["statuses"])
        + "）の判定方法",
    )
    return render(request, "indicators/progress_rule.html", {"rule": rule, "share": card})
