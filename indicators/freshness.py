"""Who keeps an indicator up to date, and how fresh it is, as the public sees it:
its department (担当部局), 最終更新日 (the newest change of a published figure),
次回更新予定 (the due date of a round that asks for a year not yet published) and
更新遅れ (a round's due date passed and that year's figure is still not public).

`annotate(indicators)` adds what the rounds say to the query that reads the
indicators (no query of its own: pages keep their query counts); `of(indicator,
figures)` reads it back with the figures the page has already read."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from strategy_portal.permissions import PUBLISHED

from .models import Result, Task


@dataclass(frozen=True)
class Freshness:
    department: object | None
    last_updated: datetime.date | None
    next_due: datetime.date | None
    late_year: int | None  # the earliest year whose figure is overdue

    @property
    def is_late(self) -> bool:
        return self.late_year is not None


def annotate(indicators, *, today: datetime.date | None = None):
    """The indicators' query, with `fresh_next_due` and `fresh_late_year` (from the
    rounds' tasks whose year has no published figure yet)."""
    today = today or timezone.localdate()
    published = Result.objects.filter(
        indicator=OuterRef("indicator"),
        fiscal_year=OuterRef("round__fiscal_year"),
        status=PUBLISHED,
    )
    waiting = Task.objects.filter(indicator=OuterRef("pk")).exclude(Exists(published))
    return indicators.annotate(
        fresh_next_due=Subquery(
            waiting.filter(round__due_on__gte=today)
            .order_by("round__due_on")
            .values("round__due_on")[:1]
        ),
        fresh_late_year=Subquery(
            waiting.filter(round__due_on__lt=today)
            .order_by("round__fiscal_year")
            .values("round__fiscal_year")[:1]
        ),
    )


def of(indicator, figures) -> Freshness:
    """An indicator read through `annotate`, with its figures (drafts are skipped)."""
    stamps = [r.updated_at for r in figures if r.status == PUBLISHED and r.updated_at]
    return Freshness(
        department=indicator.owning_department,
        last_updated=timezone.localdate(max(stamps)) if stamps else None,
        next_due=getattr(indicator, "fresh_next_due", None),
        late_year=getattr(indicator, "fresh_late_year", None),
    )
