"""The read-only JSON API, /api/v1/ (django-ninja: typed schemas → OpenAPI 3.1).

Every list is paginated (`page`, `per_page`), in a fixed order (the report's,
or by code), and filterable. Drafts (results, targets) appear only to
signed-in staff, exactly as on the site. Errors are JSON with a Japanese and
an English message (api.errors).
"""

import math
import threading
from typing import Annotated, Literal

from django.conf import settings
from django.core.cache import caches
from django.db.models import Max, Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, urlencode
from ninja import NinjaAPI, Path, Query
from ninja.throttling import AnonRateThrottle

from indicators import exports, progress
from indicators.cards import card_for
from indicators.filters import ResultFilter
from indicators.models import REPORT_ORDER, Indicator, Result, Target
from municipalities.models import CollaborationArea, Municipality, Subprefecture
from projects import credits
from projects.models import Category, Edition, Measure, Project, Section, Strategy, Theme
from strategy_portal import opendata

from . import errors
from . import schemas as s

VERSION = "1.0.0"
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def slug_of(example: str):
    """A slug path parameter; the example (a real object of the seed) lets a client,
    and schemathesis's examples phase, try an object that exists."""
    return Annotated[str, Path(pattern=SLUG_PATTERN, max_length=80, examples=[example])]


Code = Annotated[
    str, Path(pattern=r"^01[0-9]{4}$", description="団体コード（6桁）", examples=["011002"])
]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="ページ番号（1から）")]
PerPage = Annotated[int, Query(ge=1, le=200, description="1ページの件数（1～200）")]
SlugFilter = Annotated[str, Query(pattern=SLUG_PATTERN, max_length=80)]
ProjectFilter = Annotated[
    str,
    Query(
        pattern=SLUG_PATTERN,
        max_length=80,
        description="プロジェクトのスラッグ（/projects の slug）",
    ),
]
FiscalYear = Annotated[int, Query(ge=1989, le=2100, description="年度（西暦、例：2017）")]
UnitFilter = Annotated[
    str,
    Query(pattern=r"^[^\x00-\x1f\x7f]+$", max_length=20, description="単位（例：件、人、千円）"),
]
SubprefectureFilter = Annotated[
    str,
    Query(
        pattern=SLUG_PATTERN,
        max_length=50,
        description="振興局のスラッグ（/subprefectures の slug、例：sorachi）",
    ),
]
CodeFilter = Annotated[str, Query(pattern=r"^01[0-9]{4}$", description="市町村の団体コード（6桁）")]
EditionFilter = Annotated[int, Query(ge=1989, le=2100, description="報告書の版（年）")]


class ClientAddressThrottle(AnonRateThrottle):
    """Requests per client address (REMOTE_ADDR, or X-Forwarded-For behind
    DJANGO_PROXY_COUNT proxies); the rate is `API_THROTTLE_RATE`, read per request.

    A fixed window: one counter per address and window (a minute for "120/m"),
    created by an atomic `add` and counted by an atomic `incr` in the `throttle`
    cache (flock in the file cache, INCR in Redis, incr in Memcached), so
    concurrent requests from one address, in any thread or worker, are each
    counted once. (Reading a list of times and writing it back let 480 of 480
    requests from 32 threads through a limit of 120.) At a window's edge a
    client can send up to twice the rate in a short burst; Retry-After is the
    time until its window ends.

    A cache that cannot count (a full disk, Redis down) lets requests through:
    the API is read-only open data, and refusing every reader because a counter
    cannot be written would be an outage. The cache backend logs the failure.

    One instance serves every thread of a worker, so the state of a request
    lives in a thread-local, not on the instance as in django-ninja's base class.
    """

    def __init__(self):
        super().__init__(settings.API_THROTTLE_RATE)
        self._state = threading.local()

    @property
    def cache(self):
        """A cache of its own: counts for many addresses must not crowd the page
        generation out of `default` (a full file cache deletes entries at random)."""
        return caches["throttle"]

    def allow_request(self, request):
        count, duration = self.parse_rate(settings.API_THROTTLE_RATE)
        key = self.get_cache_key(request)
        if key is None:
            return True
        now = self.timer()
        window = int(now // duration)
        key = f"{key}:{window}"
        self._state.retry_after = (window + 1) * duration - now
        for _ in range(2):
            # The counter is kept a little past its window; an add that finds it
            # does nothing. It can expire or be culled between the add and the
            # incr (ValueError): then it is added again.
            self.cache.add(key, 0, duration + 5)
            try:
                requests = self.cache.incr(key)
            except ValueError:
                continue
            # None: the cache could not count (logged by the backend); fail open.
            return requests is None or requests <= count
        return True

    def wait(self):
        return getattr(self._state, "retry_after", None)


DESCRIPTION = """
北海道創生総合戦略ポータルのデータを JSON で返す、読み取り専用の API です。

- ライセンス：CC BY 4.0（政府標準利用規約（第2.0版）と互換）。各レスポンスの `license` と
  `attribution` のとおり出典を記載してください。
- 一覧はページ分割され（`page`、`per_page`）、順序は固定です。
- 下書き（未公開）の数値は返しません。
- エラーは `{"error": {"status", "code", "message", "message_en", "details"}}` の JSON です。
- `ETag` と `Last-Modified` に対応し、再検証（`If-None-Match`）には 304 を返します。
- CORS：どのオリジンからも GET できます。
- 利用制限：クライアントの IP アドレスごとに {rate}。超えると 429 を返します。
- URL（パスとクエリ）は4,096バイトまでです。超えると 414 を返します。
- 互換性：v1 の間、項目は追加するだけで、名前の変更や削除はしません。
"""


class PortalAPI(NinjaAPI):
    """NinjaAPI whose document describes every field and parameter (in Japanese)."""

    def get_openapi_schema(self, *args, **kwargs):
        document = super().get_openapi_schema(*args, **kwargs)
        for schema in document.get("components", {}).get("schemas", {}).values():
            for name, prop in schema.get("properties", {}).items():
                if not prop.get("description") and name in s.COMMON_DESCRIPTIONS:
                    prop["description"] = s.COMMON_DESCRIPTIONS[name]
        for operations in document["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if isinstance(parameter.get("examples"), list):
                        # A Parameter Object's examples are a map of Example Objects.
                        parameter["examples"] = {
                            f"example{n}": {"value": value}
                            for n, value in enumerate(parameter["examples"], 1)
                        }
                    if not parameter.get("description"):
                        parameter["description"] = s.COMMON_DESCRIPTIONS.get(parameter["name"], "")
        return document


api = PortalAPI(
    title="北海道創生総合戦略ポータル API",
    version=VERSION,
    description=DESCRIPTION.replace("{rate}", settings.API_THROTTLE_DOC),
    urls_namespace="api",
    docs_url=None,  # the documentation page is ours, in Japanese, rendered from the document
    openapi_url="/openapi.json",
    throttle=[ClientAddressThrottle()],
    openapi_extra={
        "info": {
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
            "contact": {"name": "北海道創生総合戦略ポータル"},
        },
        "servers": [{"url": "/", "description": "このサイト"}],
    },
)
errors.install(api)

LIST_ERRORS = {400: s.ErrorOut, 414: s.ErrorOut, 429: s.ErrorOut}
DETAIL_ERRORS = {400: s.ErrorOut, 404: s.ErrorOut, 414: s.ErrorOut, 429: s.ErrorOut}


# --- helpers ----------------------------------------------------------------------


def _abs(request, name, *args, query: dict | None = None) -> str:
    url = request.build_absolute_uri(reverse(f"api:{name}", args=args))
    return f"{url}?{urlencode(query)}" if query else url


def _html(request, obj) -> str:
    return request.build_absolute_uri(obj.get_absolute_url())


def _link(request, name, key, label) -> dict:
    return {"id": key, "name": label, "url": _abs(request, name, key)}


CODE_TABLE_CREDIT = opendata.CODE_TABLE_TERMS["credit"]


def _page(request, queryset, page: int, per_page: int, serialise, other_credits=()) -> dict:
    count = queryset.count()
    pages = max(1, math.ceil(count / per_page))
    start = (page - 1) * per_page
    items = [serialise(obj) for obj in queryset[start : start + per_page]] if start < count else []

    def page_url(number):
        query = request.GET.copy()
        query["page"] = number
        query["per_page"] = per_page
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        **credits.license_fields(*other_credits),
        "count": count,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "next": page_url(page + 1) if page < pages else None,
        "previous": page_url(min(page - 1, pages)) if page > 1 else None,
        "results": items,
    }


def _one(data, other_credits=()) -> dict:
    return {**credits.license_fields(*other_credits), "data": data}


def _last_modified(request, *querysets):
    """Last-Modified from the newest row behind the response (ETag covers the rest)."""
    stamps = [qs.aggregate(latest=Max("updated_at"))["latest"] for qs in querysets]
    stamps = [stamp for stamp in stamps if stamp is not None]
    if stamps:
        request.api_last_modified = http_date(max(stamps).timestamp())


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(queryset.model._meta.verbose_name) from None


# --- the strategy -------------------------------------------------------------------


def _edition(request, edition) -> dict:
    return {
        "year": edition.year,
        "url": _abs(request, "edition", edition.year),
        "html_url": request.build_absolute_uri(reverse("projects:home")),
        "title": edition.title,
        "document_number": edition.document_number,
        "published_on": edition.published_on.isoformat(),
        "publisher": edition.publisher,
        "direction_fiscal_year": edition.direction_fiscal_year,
        "results_fiscal_year": edition.results_fiscal_year,
        "citation": edition.citation,
        "results": _abs(request, "results", query={"edition": edition.year}),
    }


@api.get(
    "/strategy",
    response={200: s.one(s.StrategyOut, "StrategyDocument"), 414: s.ErrorOut, 429: s.ErrorOut},
    url_name="strategy",
    summary="総合戦略",
    tags=["総合戦略"],
)
def strategy(request):
    """北海道創生総合戦略：計画期間、人口ビジョン、報告書の版、重点戦略プロジェクト。"""
    item = Strategy.objects.first()
    if item is None:
        raise Http404("strategy")
    return _one(
        {
            "slug": item.slug,
            "url": _abs(request, "strategy"),
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
                _edition(request, e) for e in item.editions.visible_to(request.user).latest_first()
            ],
            "projects": [
                _link(request, "project", p.slug, p.name) for p in item.projects.in_order()
            ],
        }
    )


@api.get(
    "/editions",
    response={200: s.page_of(s.EditionOut, "EditionPage"), **LIST_ERRORS},
    url_name="editions",
    summary="報告書の版の一覧",
    tags=["総合戦略"],
)
def editions(request, page: PageNumber = 1, per_page: PerPage = 50):
    """報告書の版（新しい順）。"""
    return _page(
        request,
        Edition.objects.visible_to(request.user).order_by("-year"),
        page,
        per_page,
        lambda e: _edition(request, e),
    )


@api.get(
    "/editions/{year}",
    response={200: s.one(s.EditionOut, "EditionDocument"), **DETAIL_ERRORS},
    url_name="edition",
    summary="報告書の版",
    tags=["総合戦略"],
)
def edition(request, year: Annotated[int, Path(ge=1989, le=2100, examples=[2018])]):
    """一つの版。`results` はこの版に掲載された実績の一覧の URL です。"""
    return _one(_edition(request, _get(Edition.objects.visible_to(request.user), year=year)))


# --- projects → themes → sections → categories → measures -------------------------------
# What each client may see comes from the models' visible_to (strategy_portal.permissions):
# anonymous clients get published editions only; signed-in staff's answers are never
# cached (strategy_portal.cache).


def _project(request, project) -> dict:
    return {
        "slug": project.slug,
        "url": _abs(request, "project", project.slug),
        "html_url": _html(request, project),
        "number": project.number,
        "name": project.name,
        "short_name": project.short_name,
        "themes": [
            _link(request, "theme", t.pk, t.title or project.short_name)
            for t in project.themes.all()
        ],
        "indicators": _abs(request, "indicators", query={"project": project.slug}),
        "results": _abs(request, "results", query={"project": project.slug}),
    }


@api.get(
    "/projects",
    response={200: s.page_of(s.ProjectOut, "ProjectPage"), **LIST_ERRORS},
    url_name="projects",
    summary="重点戦略プロジェクトの一覧",
    tags=["プロジェクト"],
)
def projects(request, page: PageNumber = 1, per_page: PerPage = 50):
    """5つの重点戦略プロジェクト（番号順）。"""
    queryset = Project.objects.in_order().prefetch_related("themes")
    return _page(request, queryset, page, per_page, lambda p: _project(request, p))


@api.get(
    "/projects/{slug}",
    response={200: s.one(s.ProjectOut, "ProjectDocument"), **DETAIL_ERRORS},
    url_name="project",
    summary="重点戦略プロジェクト",
    tags=["プロジェクト"],
)
def project(request, slug: slug_of("sumairu")):
    return _one(_project(request, _get(Project.objects.prefetch_related("themes"), slug=slug)))


def _theme(request, theme) -> dict:
    return {
        "id": theme.pk,
        "url": _abs(request, "theme", theme.pk),
        "html_url": request.build_absolute_uri(theme.get_absolute_url()),
        "project": _link(request, "project", theme.project.slug, theme.project.name),
        "order": theme.order,
        "title": theme.title,
        "sections": [
            _link(request, "section", sec.pk, f"{sec.heading}（{sec.edition.year}年版）")
            for sec in theme.sections.all()
        ],
    }


def _themes(request):
    return Theme.objects.select_related("project").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.visible_to(request.user).select_related("edition"),
        )
    )


@api.get(
    "/themes",
    response={200: s.page_of(s.ThemeOut, "ThemePage"), **LIST_ERRORS},
    url_name="themes",
    summary="テーマの一覧",
    tags=["プロジェクト"],
)
def themes(request, project: ProjectFilter = None, page: PageNumber = 1, per_page: PerPage = 50):
    """プロジェクトのページ（テーマ）。プロジェクト順・表示順。"""
    queryset = _themes(request).order_by("project__number", "order")
    if project:
        queryset = queryset.filter(project__slug=project)
    return _page(request, queryset, page, per_page, lambda t: _theme(request, t))


@api.get(
    "/themes/{id}",
    response={200: s.one(s.ThemeOut, "ThemeDocument"), **DETAIL_ERRORS},
    url_name="theme",
    summary="テーマ",
    tags=["プロジェクト"],
)
def theme(request, id: Id):
    return _one(_theme(request, _get(_themes(request), pk=id)))


def _section(request, section) -> dict:
    theme = section.theme
    return {
        "id": section.pk,
        "url": _abs(request, "section", section.pk),
        "project": _link(request, "project", theme.project.slug, theme.project.name),
        "theme": _link(request, "theme", theme.pk, theme.title or theme.project.short_name),
        "edition": section.edition.year,
        "kind": section.kind,
        "heading": section.heading,
        "lead": section.lead,
        "categories": [
            _link(request, "category", c.pk, c.title or "（見出しなし）")
            for c in section.categories.all()
        ],
    }


def _sections(request):
    return (
        Section.objects.visible_to(request.user)
        .select_related("theme__project", "edition")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order")))
    )


@api.get(
    "/sections",
    response={200: s.page_of(s.SectionOut, "SectionPage"), **LIST_ERRORS},
    url_name="sections",
    summary="セクションの一覧",
    tags=["プロジェクト"],
)
def sections(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    kind: Annotated[
        Literal["achievements", "direction"],
        Query(description="achievements＝これまでの主な取組、direction＝推進方向"),
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """テーマごと・版ごとの「これまでの主な取組」と「推進方向」。"""
    queryset = _sections(request).order_by(
        "theme__project__number", "theme__order", "-edition__year", "kind"
    )
    if project:
        queryset = queryset.filter(theme__project__slug=project)
    if edition:
        queryset = queryset.filter(edition__year=edition)
    if kind:
        queryset = queryset.filter(kind=kind)
    return _page(request, queryset, page, per_page, lambda x: _section(request, x))


@api.get(
    "/sections/{id}",
    response={200: s.one(s.SectionOut, "SectionDocument"), **DETAIL_ERRORS},
    url_name="section",
    summary="セクション",
    tags=["プロジェクト"],
)
def section(request, id: Id):
    return _one(_section(request, _get(_sections(request), pk=id)))


def _category(request, category) -> dict:
    section = category.section
    parent = category.parent
    return {
        "id": category.pk,
        "url": _abs(request, "category", category.pk),
        "section": _link(request, "section", section.pk, section.heading),
        "parent": _link(request, "category", parent.pk, parent.title or "（見出しなし）")
        if parent
        else None,
        "order": category.order,
        "title": category.title,
        "lead": category.lead,
        "measures": [_link(request, "measure", m.pk, m.title) for m in category.measures.all()],
    }


def _categories(request):
    return (
        Category.objects.visible_to(request.user)
        .select_related("section__edition", "parent")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order")))
    )


@api.get(
    "/categories",
    response={200: s.page_of(s.CategoryOut, "CategoryPage"), **LIST_ERRORS},
    url_name="categories",
    summary="分類（見出し）の一覧",
    tags=["プロジェクト"],
)
def categories(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    section: Annotated[int, Query(ge=1, le=MAX_ID, description="セクションの id")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """セクションの中の見出し（移住・定住の促進、【結婚期】など）。報告書の順。"""
    queryset = _categories(request).order_by(
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
    return _page(request, queryset, page, per_page, lambda c: _category(request, c))


@api.get(
    "/categories/{id}",
    response={200: s.one(s.CategoryOut, "CategoryDocument"), **DETAIL_ERRORS},
    url_name="category",
    summary="分類（見出し）",
    tags=["プロジェクト"],
)
def category(request, id: Id):
    return _one(_category(request, _get(_categories(request), pk=id)))


def _measure(request, measure) -> dict:
    category = measure.category
    project = category.section.theme.project
    return {
        "id": measure.pk,
        "url": _abs(request, "measure", measure.pk),
        "html_url": _html(request, measure),
        "project": _link(request, "project", project.slug, project.name),
        "category": _link(request, "category", category.pk, category.title or "（見出しなし）"),
        "edition": category.section.edition.year,
        "order": measure.order,
        "title": measure.title,
        "body": measure.body,
        "bullets": measure.bullets,
        "funding_note": measure.funding_note,
        "municipalities": [
            _link(request, "municipality", m.code, m.name) for m in measure.municipalities.all()
        ],
        # A measure carried into a later edition shows the indicators of its line,
        # which stay on the first measure of the line (Measure.origin).
        "indicators": [
            _link(request, "indicator", i.slug, i.name)
            for i in (measure.origin if measure.origin_id else measure).indicators.all()
        ],
    }


def _measures(request):
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


@api.get(
    "/measures",
    response={200: s.page_of(s.MeasureOut, "MeasurePage"), **LIST_ERRORS},
    url_name="measures",
    summary="施策の一覧",
    tags=["プロジェクト"],
)
def measures(
    request,
    project: ProjectFilter = None,
    edition: EditionFilter = None,
    municipality: CodeFilter = None,
    subprefecture: SubprefectureFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """◆の施策。報告書の順。`municipality`・`subprefecture` は名前が挙がっている市町村で絞ります。"""
    queryset = _measures(request).order_by(*MEASURE_ORDER)
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
    return _page(request, queryset, page, per_page, lambda m: _measure(request, m))


@api.get(
    "/measures/{id}",
    response={200: s.one(s.MeasureOut, "MeasureDocument"), **DETAIL_ERRORS},
    url_name="measure",
    summary="施策",
    tags=["プロジェクト"],
)
def measure(request, id: Id):
    return _one(_measure(request, _get(_measures(request), pk=id)))


# --- indicators, results, targets -------------------------------------------------------

RESULT_RELATIONS = (
    "indicator__measure__category__section__theme__project__strategy",
    "edition",
)


def _visible_results(request):
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


def _result_rows(request, results, *, targets=None) -> list[dict]:
    results = list(results)
    rows = exports.rows(results, targets=targets)
    return [
        {
            "id": result.pk,
            "url": _abs(request, "result", result.pk),
            "indicator_url": _abs(request, "indicator", result.indicator.slug),
            "html_url": _html(request, result.indicator),
            **row,
        }
        for result, row in zip(results, rows, strict=True)
    ]


def _indicator_summary(request, indicator) -> dict:
    measure = indicator.measure
    project = measure.project if measure else None
    return {
        "slug": indicator.slug,
        "url": _abs(request, "indicator", indicator.slug),
        "html_url": _html(request, indicator),
        "name": indicator.name,
        "unit": indicator.unit,
        "project": _link(request, "project", project.slug, project.name) if project else None,
        "measure": _link(request, "measure", measure.pk, measure.title) if measure else None,
        "results": _abs(request, "results", query={"indicator": indicator.slug}),
        "csv": request.build_absolute_uri(reverse("indicators:detail_csv", args=[indicator.slug])),
    }


def _indicators(request):
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


@api.get(
    "/indicators",
    response={200: s.page_of(s.IndicatorSummary, "IndicatorPage"), **LIST_ERRORS},
    url_name="indicators",
    summary="指標の一覧",
    tags=["指標と実績"],
)
def indicators(
    request,
    project: ProjectFilter = None,
    unit: UnitFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """報告書が数えているもの（相談件数、予算額…）。報告書の順。"""
    queryset = _indicators(request).order_by(*INDICATOR_ORDER)
    if project:
        queryset = queryset.filter(measure__category__section__theme__project__slug=project)
    if unit:
        queryset = queryset.filter(unit=unit)
    return _page(request, queryset, page, per_page, lambda i: _indicator_summary(request, i))


@api.get(
    "/indicators/{slug}",
    response={200: s.one(s.IndicatorOut, "IndicatorDocument"), **DETAIL_ERRORS},
    url_name="indicator",
    summary="指標（実績・目標・進捗つき）",
    tags=["指標と実績"],
)
def indicator(request, slug: slug_of("p1-marriage-support-consultations")):
    """一つの指標と、その実績（年度順）・目標・最新の進捗。"""
    item = _get(_indicators(request), slug=slug)
    targets = list(Target.objects.visible_to(request.user).filter(indicator=item).in_order())
    results = list(
        _visible_results(request)
        .filter(indicator=item)
        .order_by("fiscal_year", "period_end", "order", "breakdown")
    )
    goals = progress.goals_from(targets)
    # The headline progress is the indicator page's own (its card's main goal).
    card = card_for(item, results, targets, plan_start_year=item.plan_start_year)
    latest = card.main_progress.as_dict() if card.main_progress else None
    _last_modified(
        request,
        Result.objects.visible_to(request.user).filter(indicator=item),
        Target.objects.visible_to(request.user).filter(indicator=item),
    )
    return _one(
        {
            **_indicator_summary(request, item),
            "group": item.group,
            "description": item.description,
            "breakdown_dimension": item.breakdown_dimension,
            "source": item.source,
            "targets": [_target(request, t, goals) for t in targets],
            "progress": latest,
            "series": _result_rows(request, results, targets=targets),
        }
    )


ProgressFilter = Annotated[
    s.ProgressStatus,
    Query(
        description="進捗状況：achieved（達成）・on_track（順調）・slightly_behind（やや遅れ）・behind（遅れ）・unknown（評価できない）"
    ),
]


@api.get(
    "/results",
    response={200: s.page_of(s.ResultOut, "ResultPage"), **LIST_ERRORS},
    url_name="results",
    summary="実績の一覧",
    tags=["指標と実績"],
)
def results(
    request,
    project: ProjectFilter = None,
    fiscal_year: FiscalYear = None,
    unit: UnitFilter = None,
    progress_status: ProgressFilter = None,
    indicator: Annotated[
        str,
        Query(pattern=SLUG_PATTERN, max_length=80, description="指標のスラッグ"),
    ] = None,
    edition: EditionFilter = None,
    subprefecture: SubprefectureFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """公開された実績（報告書の順）。項目はサイトの CSV/JSON ダウンロードと同じ名前です。

    `subprefecture` は、名前が挙がっている市町村がその振興局にある施策の実績に絞ります。
    """
    queryset = _visible_results(request).order_by(*REPORT_ORDER, "breakdown", "pk")
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
    if progress_status:
        # The site's own filter decides (progress is computed, not stored).
        queryset = ResultFilter(
            {"progress": progress_status}, queryset=queryset, request=request
        ).qs
    _last_modified(request, queryset)
    data = _page(request, queryset, page, per_page, lambda r: r)
    data["results"] = _result_rows(request, data["results"])
    return data


@api.get(
    "/results/{id}",
    response={200: s.one(s.ResultOut, "ResultDocument"), **DETAIL_ERRORS},
    url_name="result",
    summary="実績",
    tags=["指標と実績"],
)
def result(request, id: Id):
    item = _get(_visible_results(request), pk=id)
    _last_modified(request, Result.objects.filter(pk=item.pk))
    return _one(_result_rows(request, [item])[0])


def _target(request, target, goals) -> dict:
    row = exports.target_row(target, goals.values())
    return {
        "id": target.pk,
        "url": _abs(request, "target", target.pk),
        "indicator": _link(request, "indicator", target.indicator.slug, target.indicator.name),
        **row,
        "updated_at": timezone.localtime(target.updated_at).isoformat(timespec="seconds"),
    }


@api.get(
    "/targets",
    response={200: s.page_of(s.TargetOut, "TargetPage"), **LIST_ERRORS},
    url_name="targets",
    summary="目標の一覧",
    tags=["指標と実績"],
)
def targets(
    request,
    project: ProjectFilter = None,
    indicator: SlugFilter = None,
    fiscal_year: FiscalYear = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """公開された目標（指標・内訳・年度の順）。kind は最終目標か中間目標かを示します。"""
    visible = Target.objects.visible_to(request.user)
    queryset = visible.select_related("indicator").order_by(
        "indicator__slug", "breakdown", "fiscal_year", "pk"
    )
    if project:
        queryset = queryset.filter(
            indicator__measure__category__section__theme__project__slug=project
        )
    if indicator:
        queryset = queryset.filter(indicator__slug=indicator)
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    _last_modified(request, queryset)
    data = _page(request, queryset, page, per_page, lambda t: t)
    shown = data["results"]
    goals = progress.goals_from(visible.filter(indicator__in={t.indicator_id for t in shown}))
    data["results"] = [_target(request, t, goals) for t in shown]
    return data


@api.get(
    "/targets/{id}",
    response={200: s.one(s.TargetOut, "TargetDocument"), **DETAIL_ERRORS},
    url_name="target",
    summary="目標",
    tags=["指標と実績"],
)
def target(request, id: Id):
    visible = Target.objects.visible_to(request.user)
    item = _get(visible.select_related("indicator"), pk=id)
    goals = progress.goals_from(visible.filter(indicator=item.indicator))
    _last_modified(request, visible.filter(pk=item.pk))
    return _one(_target(request, item, goals))


# --- municipalities -----------------------------------------------------------------


def _subprefecture(request, sub) -> dict:
    return {
        "slug": sub.slug,
        "url": _abs(request, "subprefecture", sub.slug),
        "html_url": _html(request, sub),
        "name": sub.name,
        "short_name": sub.short_name,
        "kind": sub.kind,
        "seat": sub.seat,
        "order": sub.order,
        "municipalities": [
            _link(request, "municipality", m.code, m.name) for m in sub.municipalities.all()
        ],
    }


SUBPREFECTURES = Subprefecture.objects.prefetch_related(
    Prefetch("municipalities", queryset=Municipality.objects.order_by("code"))
)


@api.get(
    "/subprefectures",
    response={200: s.page_of(s.SubprefectureOut, "SubprefecturePage"), **LIST_ERRORS},
    url_name="subprefectures",
    summary="振興局の一覧",
    tags=["市町村"],
)
def subprefectures(request, page: PageNumber = 1, per_page: PerPage = 50):
    """14の（総合）振興局（道の定める順）。"""
    queryset = SUBPREFECTURES.order_by("order", "pk")
    return _page(
        request,
        queryset,
        page,
        per_page,
        lambda x: _subprefecture(request, x),
        (CODE_TABLE_CREDIT,),
    )


@api.get(
    "/subprefectures/{slug}",
    response={200: s.one(s.SubprefectureOut, "SubprefectureDocument"), **DETAIL_ERRORS},
    url_name="subprefecture",
    summary="振興局",
    tags=["市町村"],
)
def subprefecture(request, slug: slug_of("ishikari")):
    return _one(_subprefecture(request, _get(SUBPREFECTURES, slug=slug)), (CODE_TABLE_CREDIT,))


def _municipality(request, m) -> dict:
    sub = m.subprefecture
    return {
        "code": m.code,
        "url": _abs(request, "municipality", m.code),
        "html_url": _html(request, m),
        "name": m.name,
        "kana": m.kana,
        "kind": m.kind,
        "subprefecture": _link(request, "subprefecture", sub.slug, sub.name),
        "latitude": float(m.latitude) if m.latitude is not None else None,
        "longitude": float(m.longitude) if m.longitude is not None else None,
        "areas": [_link(request, "area", a.slug, a.name) for a in m.collaboration_areas.all()],
        "measures": _abs(request, "measures", query={"municipality": m.code}),
    }


MUNICIPALITIES = Municipality.objects.select_related("subprefecture").prefetch_related(
    Prefetch("collaboration_areas", queryset=CollaborationArea.objects.order_by("order", "pk"))
)


@api.get(
    "/municipalities",
    response={200: s.page_of(s.MunicipalityOut, "MunicipalityPage"), **LIST_ERRORS},
    url_name="municipalities",
    summary="市町村の一覧",
    tags=["市町村"],
)
def municipalities(
    request,
    subprefecture: SubprefectureFilter = None,
    area: Annotated[
        str,
        Query(pattern=SLUG_PATTERN, max_length=50, description="連携地域のスラッグ"),
    ] = None,
    kind: Annotated[Literal["市", "町", "村"], Query(description="種別")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 200,
):
    """北海道の179市町村（団体コード順）。北方領土の6村は含みません。"""
    queryset = MUNICIPALITIES.order_by("code")
    if subprefecture:
        queryset = queryset.filter(subprefecture__slug=subprefecture)
    if area:
        queryset = queryset.filter(collaboration_areas__slug=area)
    if kind:
        queryset = queryset.filter(kind=kind)
    return _page(
        request, queryset, page, per_page, lambda m: _municipality(request, m), (CODE_TABLE_CREDIT,)
    )


@api.get(
    "/municipalities/{code}",
    response={200: s.one(s.MunicipalityOut, "MunicipalityDocument"), **DETAIL_ERRORS},
    url_name="municipality",
    summary="市町村",
    tags=["市町村"],
)
def municipality(request, code: Code):
    return _one(_municipality(request, _get(MUNICIPALITIES, code=code)), (CODE_TABLE_CREDIT,))


def _area(request, area) -> dict:
    return {
        "slug": area.slug,
        "url": _abs(request, "area", area.slug),
        "html_url": _html(request, area),
        "name": area.name,
        "kind": area.kind,
        "kind_label": area.get_kind_display(),
        "status": area.status,
        "start_fiscal_year": area.start_fiscal_year,
        "description": area.description,
        "members": [_link(request, "municipality", m.code, m.name) for m in area.members.all()],
        "member_note": area.member_note,
    }


AREAS = CollaborationArea.objects.prefetch_related(
    Prefetch("members", queryset=Municipality.objects.order_by("code"))
)


@api.get(
    "/areas",
    response={200: s.page_of(s.AreaOut, "AreaPage"), **LIST_ERRORS},
    url_name="areas",
    summary="連携地域の一覧",
    tags=["市町村"],
)
def areas(
    request,
    kind: Annotated[Literal["model", "teiju", "chusu"], Query(description="種別")] = None,
    subprefecture: SubprefectureFilter = None,
    municipality: CodeFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
):
    """市町村連携地域モデル事業・定住自立圏・連携中枢都市圏（報告書の順）。"""
    queryset = AREAS.order_by("order", "pk")
    if kind:
        queryset = queryset.filter(kind=kind)
    if subprefecture:
        queryset = queryset.filter(
            pk__in=CollaborationArea.objects.filter(
                members__subprefecture__slug=subprefecture
            ).values("pk")
        )
    if municipality:
        queryset = queryset.filter(members__code=municipality)
    return _page(
        request, queryset, page, per_page, lambda a: _area(request, a), (CODE_TABLE_CREDIT,)
    )


@api.get(
    "/areas/{slug}",
    response={200: s.one(s.AreaOut, "AreaDocument"), **DETAIL_ERRORS},
    url_name="area",
    summary="連携地域",
    tags=["市町村"],
)
def area(request, slug: slug_of("nemuro")):
    return _one(_area(request, _get(AREAS, slug=slug)), (CODE_TABLE_CREDIT,))
