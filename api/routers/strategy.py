"""The strategy and its text: the strategy, report editions, projects, themes,
sections, categories (headings) and measures.

What each client may see comes from the models' visible_to
(strategy_portal.permissions): anonymous clients get published editions only;
signed-in staff's answers are never cached (strategy_portal.cache).
"""

from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query
from ninja.pagination import paginate

from indicators.models import Indicator
from municipalities.models import Municipality
from projects.models import Category, Edition, Measure, Project, Section, Strategy, Theme

from .. import schemas
from ..links import api_url, document, link, site_url
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

UNTITLED = "（見出しなし）"


def serialiser(to_dict):
    """A Pages serialiser from a one-object dict builder."""
    return lambda request, objects: [to_dict(request, obj) for obj in objects]


# --- the strategy and its editions ----------------------------------------------------


def edition_dict(request, edition) -> dict:
    return {
        "year": edition.year,
        "url": api_url(request, "edition", edition.year),
        "html_url": request.build_absolute_uri(reverse("projects:home")),
        "title": edition.title,
        "document_number": edition.document_number,
        "published_on": edition.published_on.isoformat(),
        "publisher": edition.publisher,
        "direction_fiscal_year": edition.direction_fiscal_year,
        "results_fiscal_year": edition.results_fiscal_year,
        "citation": edition.citation,
        "results": api_url(request, "results", query={"edition": edition.year}),
    }


@router.get(
    "/strategy",
    response={
        200: schemas.one(schemas.StrategyOut, "StrategyDocument"),
        414: schemas.ErrorOut,
        429: schemas.ErrorOut,
    },
    url_name="strategy",
    summary="総合戦略",
    tags=["総合戦略"],
)
def strategy(request):
    """北海道創生総合戦略：計画期間、人口ビジョン、報告書の版、重点戦略プロジェクト。"""
    item = Strategy.objects.first()
    if item is None:
        raise Http404("strategy")
    return document(
        {
            "slug": item.slug,
            "url": api_url(request, "strategy"),
            "html_url": request.build_absolute_uri(reverse("projects:home")),
            "name": item.name,
            "start_year": item.start_year,
            "end_year": item.end_year,
            "vision_target_year": item.vision_target_year,
            "vision_population_high": item.vision_population_high,
            "vision_population_low": item.vision_population_low,
            "vision_text": item.vision_text,
            "pillars": item.pillars,
            "editions": [
                edition_dict(request, e)
                for e in item.editions.visible_to(request.user).latest_first()
            ],
            "projects": [
                link(request, "project", p.slug, p.name) for p in item.projects.in_order()
            ],
        }
    )


@router.get(
    "/editions",
    response={200: schemas.page_of(schemas.EditionOut, "EditionPage"), **LIST_ERRORS},
    url_name="editions",
    summary="報告書の版の一覧",
    tags=["総合戦略"],
)
@paginate(Pages, serialise=serialiser(edition_dict))
def editions(request):
    """報告書の版（新しい順）。"""
    return Edition.objects.visible_to(request.user).order_by("-year")


@router.get(
    "/editions/{year}",
    response={200: schemas.one(schemas.EditionOut, "EditionDocument"), **DETAIL_ERRORS},
    url_name="edition",
    summary="報告書の版",
    tags=["総合戦略"],
)
def edition(request, year: EditionYear):
    """一つの版。`results` はこの版に掲載された実績の一覧の URL です。"""
    item = get_object_or_404(Edition.objects.visible_to(request.user), year=year)
    return document(edition_dict(request, item))


# --- projects → themes → sections → categories → measures -------------------------------


def project_dict(request, project) -> dict:
    return {
        "slug": project.slug,
        "url": api_url(request, "project", project.slug),
        "html_url": site_url(request, project),
        "number": project.number,
        "name": project.name,
        "short_name": project.short_name,
        "themes": [
            link(request, "theme", t.pk, t.title or project.short_name)
            for t in project.themes.all()
        ],
        "indicators": api_url(request, "indicators", query={"project": project.slug}),
        "results": api_url(request, "results", query={"project": project.slug}),
    }


@router.get(
    "/projects",
    response={200: schemas.page_of(schemas.ProjectOut, "ProjectPage"), **LIST_ERRORS},
    url_name="projects",
    summary="重点戦略プロジェクトの一覧",
    tags=["プロジェクト"],
)
@paginate(Pages, serialise=serialiser(project_dict))
def projects(request):
    """5つの重点戦略プロジェクト（番号順）。"""
    return Project.objects.in_order().prefetch_related("themes")


@router.get(
    "/projects/{slug}",
    response={200: schemas.one(schemas.ProjectOut, "ProjectDocument"), **DETAIL_ERRORS},
    url_name="project",
    summary="重点戦略プロジェクト",
    tags=["プロジェクト"],
)
def project(request, slug: slug_of("sumairu")):
    item = get_object_or_404(Project.objects.prefetch_related("themes"), slug=slug)
    return document(project_dict(request, item))


def theme_dict(request, theme) -> dict:
    return {
        "id": theme.pk,
        "url": api_url(request, "theme", theme.pk),
        "html_url": site_url(request, theme),
        "project": link(request, "project", theme.project.slug, theme.project.name),
        "order": theme.order,
        "title": theme.title,
        "sections": [
            link(request, "section", sec.pk, f"{sec.heading}（{sec.edition.year}年版）")
            for sec in theme.sections.all()
        ],
    }


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
    tags=["プロジェクト"],
)
@paginate(Pages, serialise=serialiser(theme_dict))
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
    tags=["プロジェクト"],
)
def theme(request, id: Id):
    return document(theme_dict(request, get_object_or_404(visible_themes(request), pk=id)))


def section_dict(request, section) -> dict:
    theme = section.theme
    return {
        "id": section.pk,
        "url": api_url(request, "section", section.pk),
        "project": link(request, "project", theme.project.slug, theme.project.name),
        "theme": link(request, "theme", theme.pk, theme.title or theme.project.short_name),
        "edition": section.edition.year,
        "kind": section.kind,
        "heading": section.heading,
        "lead": section.lead,
        "categories": [
            link(request, "category", c.pk, c.title or UNTITLED) for c in section.categories.all()
        ],
    }


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
    tags=["プロジェクト"],
)
@paginate(Pages, serialise=serialiser(section_dict))
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
    tags=["プロジェクト"],
)
def section(request, id: Id):
    return document(section_dict(request, get_object_or_404(visible_sections(request), pk=id)))


def category_dict(request, category) -> dict:
    section = category.section
    parent = category.parent
    return {
        "id": category.pk,
        "url": api_url(request, "category", category.pk),
        "section": link(request, "section", section.pk, section.heading),
        "parent": link(request, "category", parent.pk, parent.title or UNTITLED)
        if parent
        else None,
        "order": category.order,
        "title": category.title,
        "lead": category.lead,
        "measures": [link(request, "measure", m.pk, m.title) for m in category.measures.all()],
    }


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
    tags=["プロジェクト"],
)
@paginate(Pages, serialise=serialiser(category_dict))
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
    tags=["プロジェクト"],
)
def category(request, id: Id):
    item = get_object_or_404(visible_categories(request), pk=id)
    return document(category_dict(request, item))


def measure_dict(request, measure) -> dict:
    category = measure.category
    project = category.section.theme.project
    return {
        "id": measure.pk,
        "url": api_url(request, "measure", measure.pk),
        "html_url": site_url(request, measure),
        "project": link(request, "project", project.slug, project.name),
        "category": link(request, "category", category.pk, category.title or UNTITLED),
        "edition": category.section.edition.year,
        "order": measure.order,
        "title": measure.title,
        "body": measure.body,
        "bullets": measure.bullets,
        "funding_note": measure.funding_note,
        "municipalities": [
            link(request, "municipality", m.code, m.name) for m in measure.municipalities.all()
        ],
        # A measure carried into a later edition shows the indicators of its line,
        # which stay on the first measure of the line (Measure.origin).
        "indicators": [
            link(request, "indicator", i.slug, i.name)
            for i in (measure.origin if measure.origin_id else measure).indicators.all()
        ],
    }


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
    tags=["プロジェクト"],
)
@paginate(Pages, serialise=serialiser(measure_dict))
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
    tags=["プロジェクト"],
)
def measure(request, id: Id):
    return document(measure_dict(request, get_object_or_404(visible_measures(request), pk=id)))
