"""The strategy and its text: the strategy, report editions, projects, themes,
sections, categories (headings) and measures.

What each client may see comes from the models' visible_to
(strategy_portal.permissions): anonymous clients get published editions only;
signed-in staff's answers are never cached (strategy_portal.pagecache). The schemas
(api.schemas) read the objects; the querysets here prefetch what they list.
"""

from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query
from ninja.pagination import paginate

from indicators.models import Indicator
from municipalities.models import Municipality
from projects.models import Category, Edition, Measure, Project, Section, Strategy, Theme

from .. import schemas
from ..links import document
from ..pagination import Pages
from ..params import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    CodeFilter,
    EditionFilter,
    EditionYear,
    Id,
    ProjectFilter,
    SectionFilter,
    SubprefectureFilter,
    slug_of,
)
from . import ReadOnlyRouter

router = ReadOnlyRouter()


# --- the strategy and its editions ----------------------------------------------------


@router.get(
    "/strategy",
    response={
        200: schemas.one(schemas.StrategyOut, "StrategyDocument"),
        414: schemas.ErrorOut,
        429: schemas.ErrorOut,
    },
    url_name="strategy",
    summary="総合戦略",
    tags=["strategy"],
)
def strategy(request):
    """北海道創生総合戦略：計画期間、人口ビジョン、報告書の版、重点戦略プロジェクト。"""
    item = Strategy.objects.prefetch_related(
        Prefetch("editions", queryset=Edition.objects.visible_to(request.user).latest_first()),
        Prefetch("projects", queryset=Project.objects.in_order()),
    ).first()
    if item is None:
        raise Http404("strategy")
    return document(item)


@router.get(
    "/editions",
    response={200: schemas.page_of(schemas.EditionOut, "EditionPage"), **LIST_ERRORS},
    url_name="editions",
    summary="報告書の版の一覧",
    tags=["strategy"],
)
@paginate(Pages)
def editions(request):
    """報告書の版（新しい順）。"""
    return Edition.objects.visible_to(request.user).order_by("-year")


@router.get(
    "/editions/{year}",
    response={200: schemas.one(schemas.EditionOut, "EditionDocument"), **DETAIL_ERRORS},
    url_name="edition",
    summary="報告書の版",
    tags=["strategy"],
)
def edition(request, year: EditionYear):
    """一つの版。`results` はこの版に掲載された実績の一覧の URL です。"""
    return document(get_object_or_404(Edition.objects.visible_to(request.user), year=year))


# --- projects → themes → sections → categories → measures -------------------------------


@router.get(
    "/projects",
    response={200: schemas.page_of(schemas.ProjectOut, "ProjectPage"), **LIST_ERRORS},
    url_name="projects",
    summary="重点戦略プロジェクトの一覧",
    tags=["projects"],
)
@paginate(Pages)
def projects(request):
    """5つの重点戦略プロジェクト（番号順）。"""
    return Project.objects.in_order().prefetch_related("themes")


@router.get(
    "/projects/{slug}",
    response={200: schemas.one(schemas.ProjectOut, "ProjectDocument"), **DETAIL_ERRORS},
    url_name="project",
    summary="重点戦略プロジェクト",
    tags=["projects"],
)
def project(request, slug: slug_of("sumairu")):
    return document(get_object_or_404(Project.objects.prefetch_related("themes"), slug=slug))


def visible_themes(request):
    return Theme.objects.select_related("project").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.visible_to(request.user).select_related("edition"),
        )
    )


@router.get(
    "/themes",
    response={200: schemas.page_of(schemas.ThemeOut, "ThemePage"), **LIST_ERRORS},
    url_name="themes",
    summary="テーマの一覧",
    tags=["projects"],
)
@paginate(Pages)
def themes(request, project: ProjectFilter = None):
    """プロジェクトのページ（テーマ）。プロジェクト順・表示順。"""
    queryset = visible_themes(request).order_by("project__number", "order")
    if project:
        queryset = queryset.filter(project__slug=project)
    return queryset


@router.get(
    "/themes/{id}",
    response={200: schemas.one(schemas.ThemeOut, "ThemeDocument"), **DETAIL_ERRORS},
    url_name="theme",
    summary="テーマ",
    tags=["projects"],
)
def theme(request, id: Id):
    return document(get_object_or_404(visible_themes(request), pk=id))


def visible_sections(request):
    return (
        Section.objects.visible_to(request.user)
        .select_related("theme__project", "edition")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order")))
    )


@router.get(
    "/sections",
    response={200: schemas.page_of(schemas.SectionOut, "SectionPage"), **LIST_ERRORS},
    url_name="sections",
    summary="セクションの一覧",
    tags=["projects"],
)
@paginate(Pages)
def sections(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    kind: Annotated[
        Literal["achievements", "direction"],
        Query(description="achievements＝これまでの主な取組、direction＝推進方向"),
    ] = None,
):
    """テーマごと・版ごとの「これまでの主な取組」と「推進方向」。"""
    queryset = visible_sections(request).order_by(
        "theme__project__number", "theme__order", "-edition__year", "kind"
    )
    if project:
        queryset = queryset.filter(theme__project__slug=project)
    if edition:
        queryset = queryset.filter(edition__year=edition)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


@router.get(
    "/sections/{id}",
    response={200: schemas.one(schemas.SectionOut, "SectionDocument"), **DETAIL_ERRORS},
    url_name="section",
    summary="セクション",
    tags=["projects"],
)
def section(request, id: Id):
    return document(get_object_or_404(visible_sections(request), pk=id))


def visible_categories(request):
    return (
        Category.objects.visible_to(request.user)
        .select_related("section__edition", "parent")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order")))
    )


@router.get(
    "/categories",
    response={200: schemas.page_of(schemas.CategoryOut, "CategoryPage"), **LIST_ERRORS},
    url_name="categories",
    summary="分類（見出し）の一覧",
    tags=["projects"],
)
@paginate(Pages)
def categories(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    section: SectionFilter = None,
):
    """セクションの中の見出し（移住・定住の促進、【結婚期】など）。報告書の順。"""
    queryset = visible_categories(request).order_by(
        "section__theme__project__number",
        "section__theme__order",
        "-section__edition__year",
        "section__kind",
        "order",
    )
    if project:
        queryset = queryset.filter(section__theme__project__slug=project)
    if edition:
        queryset = queryset.filter(section__edition__year=edition)
    if section:
        queryset = queryset.filter(section_id=section)
    return queryset


@router.get(
    "/categories/{id}",
    response={200: schemas.one(schemas.CategoryOut, "CategoryDocument"), **DETAIL_ERRORS},
    url_name="category",
    summary="分類（見出し）",
    tags=["projects"],
)
def category(request, id: Id):
    return document(get_object_or_404(visible_categories(request), pk=id))


def visible_measures(request):
    indicators = Indicator.objects.visible_to(request.user).order_by("order", "pk")
    return (
        Measure.objects.visible_to(request.user)
        .select_related("category__section__theme__project", "category__section__edition")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("code")),
            Prefetch("indicators", queryset=indicators),
            Prefetch("origin__indicators", queryset=indicators),
        )
    )


MEASURE_ORDER = (
    "category__section__theme__project__number",
    "category__section__theme__order",
    "-category__section__edition__year",
    "category__section__kind",
    "category__order",
    "order",
)


@router.get(
    "/measures",
    response={200: schemas.page_of(schemas.MeasureOut, "MeasurePage"), **LIST_ERRORS},
    url_name="measures",
    summary="施策の一覧",
    tags=["projects"],
)
@paginate(Pages)
def measures(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    municipality: CodeFilter = None,
    subprefecture: SubprefectureFilter = None,
):
    """◆の施策。報告書の順。`municipality`・`subprefecture` は名前が挙がっている市町村で絞ります。"""
    queryset = visible_measures(request).order_by(*MEASURE_ORDER)
    if project:
        queryset = queryset.filter(category__section__theme__project__slug=project)
    if edition:
        queryset = queryset.filter(category__section__edition__year=edition)
    if municipality:
        queryset = queryset.filter(municipalities__code=municipality)
    if subprefecture:
        named = Municipality.objects.filter(subprefecture__slug=subprefecture)
        queryset = queryset.filter(
            pk__in=Measure.objects.filter(municipalities__in=named).values("pk")
        )
    return queryset


@router.get(
    "/measures/{id}",
    response={200: schemas.one(schemas.MeasureOut, "MeasureDocument"), **DETAIL_ERRORS},
    url_name="measure",
    summary="施策",
    tags=["projects"],
)
def measure(request, id: Id):
    return document(get_object_or_404(visible_measures(request), pk=id))
