"""Indicators, their results (figures) and targets.

A result carries the columns of the site's CSV/JSON downloads (indicators.exports),
under the same names, plus its links. Drafts come only from the models' visible_to
(strategy_portal.permissions): anonymous clients never see a draft figure or target.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja.pagination import paginate

from indicators import exports, progress
from indicators.cards import card_for
from indicators.filters import ResultFilter
from indicators.models import REPORT_ORDER, Heading, Indicator, Result, Target
from municipalities.models import Municipality
from projects.models import Measure

from .. import schemas
from ..links import api_url, document, link, set_last_modified, site_url
from ..pagination import Pages
from ..params import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    EditionFilter,
    FiscalYear,
    Id,
    IndicatorFilter,
    ProgressFilter,
    ProjectFilter,
    SlugFilter,
    SubprefectureFilter,
    UnitFilter,
    slug_of,
)
from . import ReadOnlyRouter

router = ReadOnlyRouter()

RESULT_RELATIONS = (
    "indicator__measure__category__section__theme__project__strategy",
    "edition",
)


def visible_results(request):
    return (
        Result.objects.visible_to(request.user)
        .select_related(*RESULT_RELATIONS)
        .prefetch_related(
            Prefetch(
                "indicator__targets",
                queryset=Target.objects.visible_to(request.user).in_order(),
            )
        )
    )


def result_rows(request, results, *, targets=None) -> list[dict]:
    """Results as the downloads' rows (progress read for all of them at once), plus links."""
    results = list(results)
    rows = exports.rows(results, targets=targets)
    return [
        {
            "id": result.pk,
            "url": api_url(request, "result", result.pk),
            "indicator_url": api_url(request, "indicator", result.indicator.slug),
            "html_url": site_url(request, result.indicator),
            **row,
        }
        for result, row in zip(results, rows, strict=True)
    ]


def target_dict(request, target, goals) -> dict:
    row = exports.target_row(target, goals.values())
    return {
        "id": target.pk,
        "url": api_url(request, "target", target.pk),
        "indicator": link(request, "indicator", target.indicator.slug, target.indicator.name),
        **row,
        "updated_at": timezone.localtime(target.updated_at).isoformat(timespec="seconds"),
    }


def target_rows(request, targets) -> list[dict]:
    """A page of targets, each with its kind (goal or milestone) among its indicator's
    visible targets."""
    visible = Target.objects.visible_to(request.user)
    goals = progress.goals_from(visible.filter(indicator__in={t.indicator_id for t in targets}))
    return [target_dict(request, t, goals) for t in targets]


def indicator_summary(request, indicator) -> dict:
    measure = indicator.measure
    project = measure.project if measure else None
    return {
        "slug": indicator.slug,
        "url": api_url(request, "indicator", indicator.slug),
        "html_url": site_url(request, indicator),
        "name": indicator.name,
        "unit": indicator.unit,
        "project": link(request, "project", project.slug, project.name) if project else None,
        "measure": link(request, "measure", measure.pk, measure.title) if measure else None,
        "results": api_url(request, "results", query={"indicator": indicator.slug}),
        "csv": request.build_absolute_uri(reverse("indicators:detail_csv", args=[indicator.slug])),
    }


def visible_indicators(request):
    return Indicator.objects.visible_to(request.user).select_related(
        "measure__category__section__theme__project__strategy"
    )


INDICATOR_ORDER = (
    "measure__category__section__theme__project__number",
    "measure__category__section__theme__order",
    "measure__category__section__kind",
    "measure__category__order",
    "measure__order",
    "order",
    "pk",
)


@router.get(
    "/indicators",
    response={200: schemas.page_of(schemas.IndicatorSummary, "IndicatorPage"), **LIST_ERRORS},
    url_name="indicators",
    summary="指標の一覧",
    tags=["indicators"],
)
@paginate(Pages, serialise=lambda request, page: [indicator_summary(request, i) for i in page])
def indicators(request, project: ProjectFilter = None, unit: UnitFilter = None):
    """報告書が数えているもの（相談件数、予算額…）。報告書の順。"""
    queryset = visible_indicators(request).order_by(*INDICATOR_ORDER)
    if project:
        queryset = queryset.filter(measure__category__section__theme__project__slug=project)
    if unit:
        queryset = queryset.filter(unit=unit)
    return queryset


@router.get(
    "/indicators/{slug}",
    response={200: schemas.one(schemas.IndicatorOut, "IndicatorDocument"), **DETAIL_ERRORS},
    url_name="indicator",
    summary="指標（実績・目標・進捗つき）",
    tags=["indicators"],
)
def indicator(request, slug: slug_of("p1-marriage-support-consultations")):
    """一つの指標と、その実績（年度順）・目標・最新の進捗。"""
    item = get_object_or_404(visible_indicators(request), slug=slug)
    targets = list(Target.objects.visible_to(request.user).filter(indicator=item).in_order())
    headings = list(
        Heading.objects.visible_to(request.user).filter(indicator=item).select_related("edition")
    )
    results = list(
        visible_results(request)
        .filter(indicator=item)
        .order_by("fiscal_year", "period_end", "order", "breakdown")
    )
    goals = progress.goals_from(targets)
    # The headline progress is the indicator page's own (its card's main goal).
    card = card_for(item, results, targets, plan_start_year=item.plan_start_year)
    latest = card.main_progress.as_dict() if card.main_progress else None
    set_last_modified(
        request,
        Result.objects.visible_to(request.user).filter(indicator=item),
        Target.objects.visible_to(request.user).filter(indicator=item),
    )
    return document(
        {
            **indicator_summary(request, item),
            "group": headings[0].text if headings else "",
            "headings": [{"edition": h.edition.year, "text": h.text} for h in headings],
            "description": item.description,
            "breakdown_dimension": item.breakdown_dimension,
            "source": item.source,
            "targets": [target_dict(request, t, goals) for t in targets],
            "progress": latest,
            "series": result_rows(request, results, targets=targets),
        }
    )


@router.get(
    "/results",
    response={200: schemas.page_of(schemas.ResultOut, "ResultPage"), **LIST_ERRORS},
    url_name="results",
    summary="実績の一覧",
    tags=["indicators"],
)
@paginate(Pages, serialise=result_rows)
def results(
    request,
    project: ProjectFilter = None,
    fiscal_year: FiscalYear = None,
    unit: UnitFilter = None,
    progress_status: ProgressFilter = None,
    indicator: IndicatorFilter = None,
    edition: EditionFilter = None,
    subprefecture: SubprefectureFilter = None,
):
    """公開された実績（報告書の順）。項目はサイトの CSV/JSON ダウンロードと同じ名前です。

    `subprefecture` は、名前が挙がっている市町村がその振興局にある施策の実績に絞ります。
    """
    queryset = visible_results(request).order_by(*REPORT_ORDER, "breakdown", "pk")
    if project:
        queryset = queryset.filter(
            indicator__measure__category__section__theme__project__slug=project
        )
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    if unit:
        queryset = queryset.filter(indicator__unit=unit)
    if indicator:
        queryset = queryset.filter(indicator__slug=indicator)
    if edition:
        queryset = queryset.filter(edition__year=edition)
    if subprefecture:
        named = Municipality.objects.filter(subprefecture__slug=subprefecture)
        measures_named = Measure.objects.filter(municipalities__in=named).values("pk")
        queryset = queryset.filter(indicator__measure__in=measures_named)
    # Only progress is the indicator table's own filter (indicators.filters.ResultFilter):
    # its other filters differ from the API's (a project by id, not slug; units and
    # years from a list, an unlisted value ignored rather than matching nothing).
    if progress_status:
        # The table's filter decides (progress is computed, not stored).
        queryset = ResultFilter(
            {"progress": progress_status}, queryset=queryset, request=request
        ).qs
    set_last_modified(request, queryset)
    return queryset


@router.get(
    "/results/{id}",
    response={200: schemas.one(schemas.ResultOut, "ResultDocument"), **DETAIL_ERRORS},
    url_name="result",
    summary="実績",
    tags=["indicators"],
)
def result(request, id: Id):
    item = get_object_or_404(visible_results(request), pk=id)
    set_last_modified(request, Result.objects.filter(pk=item.pk))
    return document(result_rows(request, [item])[0])


@router.get(
    "/targets",
    response={200: schemas.page_of(schemas.TargetOut, "TargetPage"), **LIST_ERRORS},
    url_name="targets",
    summary="目標の一覧",
    tags=["indicators"],
)
@paginate(Pages, serialise=target_rows)
def targets(
    request,
    project: ProjectFilter = None,
    indicator: SlugFilter = None,
    fiscal_year: FiscalYear = None,
):
    """公開された目標（指標・内訳・年度の順）。kind は最終目標か中間目標かを示します。"""
    queryset = (
        Target.objects.visible_to(request.user)
        .select_related("indicator")
        .order_by("indicator__slug", "breakdown", "fiscal_year", "pk")
    )
    if project:
        queryset = queryset.filter(
            indicator__measure__category__section__theme__project__slug=project
        )
    if indicator:
        queryset = queryset.filter(indicator__slug=indicator)
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    set_last_modified(request, queryset)
    return queryset


@router.get(
    "/targets/{id}",
    response={200: schemas.one(schemas.TargetOut, "TargetDocument"), **DETAIL_ERRORS},
    url_name="target",
    summary="目標",
    tags=["indicators"],
)
def target(request, id: Id):
    visible = Target.objects.visible_to(request.user)
    item = get_object_or_404(visible.select_related("indicator"), pk=id)
    goals = progress.goals_from(visible.filter(indicator=item.indicator))
    set_last_modified(request, visible.filter(pk=item.pk))
    return document(target_dict(request, item, goals))
