"""The v1 pages, as a django-ninja pagination class.

An operation returns its whole queryset, in its fixed order; `Pages` reads `page`
and `per_page`, counts, slices and wraps the slice in the licence envelope:
`count`, `page`, `per_page`, `pages`, `next`, `previous`, `results`. A page past
the last is empty, not an error; its `previous` points at the last page.
"""

import math
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import create_model

from projects import credits

from .params import MAX_PAGE, MAX_PER_PAGE


class Pages(PaginationBase):
    """`per_page`: the default page size of the list; `credits`: sources credited
    besides the portal's own (the code table's for places); `serialise(request,
    objects)`: turns a page of objects into what the list's schema reads, for lists
    that look up something for the whole page at once (progress for results)."""

    # Each list declares its own page schema (schemas.page_of), named in the document.
    Output = None
    items_attribute = "results"

    def __init__(self, *, per_page: int = 50, credits=(), serialise=None, **kwargs: Any):
        super().__init__(**kwargs)
        self.credits = tuple(credits)
        self.serialise = serialise
        # Named by its default: ninja lists it among the document's components.
        self.Input = create_model(
            f"PageQuery{per_page}",
            __base__=Schema,
            page=(int, Field(1, ge=1, le=MAX_PAGE, description="ページ番号（1から）")),
            per_page=(
                int,
                Field(
                    per_page,
                    ge=1,
                    le=MAX_PER_PAGE,
                    description=f"1ページの件数（1～{MAX_PER_PAGE}）",
                ),
            ),
        )

    def paginate_queryset(self, queryset, pagination, request, **params) -> dict:
        page, per_page = pagination.page, pagination.per_page
        count = self._items_count(queryset)
        pages = max(1, math.ceil(count / per_page))
        start = (page - 1) * per_page
        objects = list(queryset[start : start + per_page]) if start < count else []
        if self.serialise:
            objects = self.serialise(request, objects)

        def page_url(number: int) -> str:
            query = request.GET.copy()
            query["page"] = number
            query["per_page"] = per_page
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return {
            **credits.license_fields(*self.credits),
            "count": count,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "next": page_url(page + 1) if page < pages else None,
            "previous": page_url(min(page - 1, pages)) if page > 1 else None,
            "results": objects,
        }
