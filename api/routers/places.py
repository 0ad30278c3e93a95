"""Places: subprefectures, municipalities and collaboration areas (public reference
data: no drafts). Their answers credit the code table too (links.CODE_TABLE_CREDIT)."""

from typing import Annotated, Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query
from ninja.pagination import paginate

from municipalities.models import CollaborationArea, Municipality, Subprefecture

from .. import schemas
from ..links import CODE_TABLE_CREDIT, api_url, document, link, site_url
from ..pagination import Pages
from ..params import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    AreaFilter,
    Code,
    CodeFilter,
    SubprefectureFilter,
    slug_of,
)
from . import ReadOnlyRouter

router = ReadOnlyRouter()
CREDITS = (CODE_TABLE_CREDIT,)


def subprefecture_dict(request, subprefecture) -> dict:
    return {
        "slug": subprefecture.slug,
        "url": api_url(request, "subprefecture", subprefecture.slug),
        "html_url": site_url(request, subprefecture),
        "name": subprefecture.name,
        "short_name": subprefecture.short_name,
        "kind": subprefecture.kind,
        "seat": subprefecture.seat,
        "order": subprefecture.order,
        "municipalities": [
            link(request, "municipality", m.code, m.name)
            for m in subprefecture.municipalities.all()
        ],
    }


SUBPREFECTURES = Subprefecture.objects.prefetch_related(
    Prefetch("municipalities", queryset=Municipality.objects.order_by("code"))
)


@router.get(
    "/subprefectures",
    response={
        200: schemas.page_of(schemas.SubprefectureOut, "SubprefecturePage"),
        **LIST_ERRORS,
    },
    url_name="subprefectures",
    summary="振興局の一覧",
    tags=["市町村"],
)
@paginate(
    Pages,
    credits=CREDITS,
    serialise=lambda request, page: [subprefecture_dict(request, s) for s in page],
)
def subprefectures(request):
    """14の（総合）振興局（道の定める順）。"""
    return SUBPREFECTURES.order_by("order", "pk")


@router.get(
    "/subprefectures/{slug}",
    response={
        200: schemas.one(schemas.SubprefectureOut, "SubprefectureDocument"),
        **DETAIL_ERRORS,
    },
    url_name="subprefecture",
    summary="振興局",
    tags=["市町村"],
)
def subprefecture(request, slug: slug_of("ishikari")):
    item = get_object_or_404(SUBPREFECTURES, slug=slug)
    return document(subprefecture_dict(request, item), CREDITS)


def municipality_dict(request, municipality) -> dict:
    m = municipality
    sub = m.subprefecture
    return {
        "code": m.code,
        "url": api_url(request, "municipality", m.code),
        "html_url": site_url(request, m),
        "name": m.name,
        "kana": m.kana,
        "kind": m.kind,
        "subprefecture": link(request, "subprefecture", sub.slug, sub.name),
        "latitude": float(m.latitude) if m.latitude is not None else None,
        "longitude": float(m.longitude) if m.longitude is not None else None,
        "areas": [link(request, "area", a.slug, a.name) for a in m.collaboration_areas.all()],
        "measures": api_url(request, "measures", query={"municipality": m.code}),
    }


MUNICIPALITIES = Municipality.objects.select_related("subprefecture").prefetch_related(
    Prefetch("collaboration_areas", queryset=CollaborationArea.objects.order_by("order", "pk"))
)


@router.get(
    "/municipalities",
    response={
        200: schemas.page_of(schemas.MunicipalityOut, "MunicipalityPage"),
        **LIST_ERRORS,
    },
    url_name="municipalities",
    summary="市町村の一覧",
    tags=["市町村"],
)
@paginate(
    Pages,
    per_page=200,
    credits=CREDITS,
    serialise=lambda request, page: [municipality_dict(request, m) for m in page],
)
def municipalities(
    request,
    subprefecture: SubprefectureFilter = None,
    area: AreaFilter = None,
    kind: Annotated[Literal["市", "町", "村"], Query(description="種別")] = None,
):
    """北海道の179市町村（団体コード順）。北方領土の6村は含みません。"""
    queryset = MUNICIPALITIES.order_by("code")
    if subprefecture:
        queryset = queryset.filter(subprefecture__slug=subprefecture)
    if area:
        queryset = queryset.filter(collaboration_areas__slug=area)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


@router.get(
    "/municipalities/{code}",
    response={
        200: schemas.one(schemas.MunicipalityOut, "MunicipalityDocument"),
        **DETAIL_ERRORS,
    },
    url_name="municipality",
    summary="市町村",
    tags=["市町村"],
)
def municipality(request, code: Code):
    item = get_object_or_404(MUNICIPALITIES, code=code)
    return document(municipality_dict(request, item), CREDITS)


def area_dict(request, area) -> dict:
    return {
        "slug": area.slug,
        "url": api_url(request, "area", area.slug),
        "html_url": site_url(request, area),
        "name": area.name,
        "kind": area.kind,
        "kind_label": area.get_kind_display(),
        "status": area.status,
        "start_fiscal_year": area.start_fiscal_year,
        "description": area.description,
        "members": [link(request, "municipality", m.code, m.name) for m in area.members.all()],
        "member_note": area.member_note,
    }


AREAS = CollaborationArea.objects.prefetch_related(
    Prefetch("members", queryset=Municipality.objects.order_by("code"))
)


@router.get(
    "/areas",
    response={200: schemas.page_of(schemas.AreaOut, "AreaPage"), **LIST_ERRORS},
    url_name="areas",
    summary="連携地域の一覧",
    tags=["市町村"],
)
@paginate(
    Pages,
    credits=CREDITS,
    serialise=lambda request, page: [area_dict(request, a) for a in page],
)
def areas(
    request,
    kind: Annotated[Literal["model", "teiju", "chusu"], Query(description="種別")] = None,
    subprefecture: SubprefectureFilter = None,
    municipality: CodeFilter = None,
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
    return queryset


@router.get(
    "/areas/{slug}",
    response={200: schemas.one(schemas.AreaOut, "AreaDocument"), **DETAIL_ERRORS},
    url_name="area",
    summary="連携地域",
    tags=["市町村"],
)
def area(request, slug: slug_of("nemuro")):
    return document(area_dict(request, get_object_or_404(AREAS, slug=slug)), CREDITS)
