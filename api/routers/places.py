"""Places: subprefectures, municipalities and collaboration areas (public reference
data: no drafts). Their answers credit the code table too (links.CODE_TABLE_CREDIT).
The schemas (api.schemas) read the objects; the querysets here prefetch what they list."""

from typing import Annotated, Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query
from ninja.pagination import paginate

from municipalities.models import CollaborationArea, Municipality, Subprefecture

from .. import schemas
from ..links import CODE_TABLE_CREDIT, document
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
    tags=["places"],
)
@paginate(Pages, credits=CREDITS)
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
    tags=["places"],
)
def subprefecture(request, slug: slug_of("ishikari")):
    return document(get_object_or_404(SUBPREFECTURES, slug=slug), CREDITS)


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
    tags=["places"],
)
@paginate(Pages, per_page=200, credits=CREDITS)
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
    tags=["places"],
)
def municipality(request, code: Code):
    return document(get_object_or_404(MUNICIPALITIES, code=code), CREDITS)


AREAS = CollaborationArea.objects.prefetch_related(
    Prefetch("members", queryset=Municipality.objects.order_by("code"))
)


@router.get(
    "/areas",
    response={200: schemas.page_of(schemas.AreaOut, "AreaPage"), **LIST_ERRORS},
    url_name="areas",
    summary="連携地域の一覧",
    tags=["places"],
)
@paginate(Pages, credits=CREDITS)
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
    tags=["places"],
)
def area(request, slug: slug_of("nemuro")):
    return document(get_object_or_404(AREAS, slug=slug), CREDITS)
