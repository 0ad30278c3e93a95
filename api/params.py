"""The API's parameter types: path identifiers and query filters, with their limits
and Japanese descriptions (the OpenAPI document shows them as they are here)."""

from typing import Annotated

from ninja import Path, Query

from strategy_portal.fiscal_years import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR

from . import schemas

MAX_PAGE = 10_000
MAX_PER_PAGE = 200
MAX_ID = 2**31 - 1

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE_PATTERN = r"^01[0-9]{4}$"


def slug_of(example: str):
    """A slug path parameter; the example (a real object of the seed) lets a client,
    and schemathesis's examples phase, try an object that exists."""
    return Annotated[str, Path(pattern=SLUG_PATTERN, max_length=80, examples=[example])]


# --- path parameters ------------------------------------------------------------------

Code = Annotated[
    str, Path(pattern=CODE_PATTERN, description="団体コード（6桁）", examples=["011002"])
]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
EditionYear = Annotated[int, Path(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR, examples=[2018])]

# --- query filters ----------------------------------------------------------------------

SlugFilter = Annotated[str, Query(pattern=SLUG_PATTERN, max_length=80)]
ProjectFilter = Annotated[
    str,
    Query(
        pattern=SLUG_PATTERN,
        max_length=80,
        description="プロジェクトのスラッグ（/projects の slug）",
    ),
]
IndicatorFilter = Annotated[
    str, Query(pattern=SLUG_PATTERN, max_length=80, description="指標のスラッグ")
]
FiscalYear = Annotated[
    int,
    Query(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR, description="年度（西暦、例：2017）"),
]
EditionFilter = Annotated[
    int, Query(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR, description="報告書の版（年）")
]
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
AreaFilter = Annotated[
    str, Query(pattern=SLUG_PATTERN, max_length=50, description="連携地域のスラッグ")
]
CodeFilter = Annotated[str, Query(pattern=CODE_PATTERN, description="市町村の団体コード（6桁）")]
SectionFilter = Annotated[int, Query(ge=1, le=MAX_ID, description="セクションの id")]
ProgressFilter = Annotated[
    schemas.ProgressStatus,
    Query(
        description="進捗状況：achieved（達成）・on_track（順調）・slightly_behind（やや遅れ）・behind（遅れ）・unknown（評価できない）"
    ),
]

# --- what an operation may answer besides 200 -------------------------------------------

LIST_ERRORS = {400: schemas.ErrorOut, 414: schemas.ErrorOut, 429: schemas.ErrorOut}
DETAIL_ERRORS = {
    400: schemas.ErrorOut,
    404: schemas.ErrorOut,
    414: schemas.ErrorOut,
    429: schemas.ErrorOut,
}
