"""Page-number pagination for the lists that grow (tasks, measurements, plans)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import BaseModel, Field

T = TypeVar("T")
PAGE_SIZE = 50
LARGEST_PAGE = 500


class PageIn(Schema):
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=PAGE_SIZE, ge=1, le=LARGEST_PAGE)


class PageMeta(BaseModel):
    count: int  # all items that match, on every page
    page: int
    pages: int
    next: str | None  # the next page's URL, None on the last
    previous: str | None


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    paging: PageIn,
    item: Callable[[Any], T],
) -> tuple[list[T], dict[str, Any]]:
    """One page of `rows`, each mapped by `item`, and the page's links."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    pages = max(1, math.ceil(count / paging.page_size))
    start = (paging.page - 1) * paging.page_size
    items = [item(row) for row in rows[start : start + paging.page_size]]
    meta = {
        "count": count,
        "page": paging.page,
        "pages": pages,
        "next": _link(request, paging.page + 1) if paging.page < pages else None,
        "previous": _link(request, min(paging.page - 1, pages)) if paging.page > 1 else None,
    }
    return items, meta
