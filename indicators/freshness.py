"""Who keeps an indicator up to date, and how fresh it is, as the public sees it:
its department (担当部局), 最終更新日 (the newest change of a published figure),
次回更新予定 (the due date of a round that asks for a year not yet published) and
更新遅れ (a round's due date passed and that year's figure is still not public).

Read for many indicators at once (`for_indicators`): one query for the rounds'
tasks; the figures are the ones the page has already read."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from strategy_portal.permissions import PUBLISHED

from .models import Task


@dataclass(frozen=True)
class Freshness:
    department: object | None
    last_updated: datetime.date | None
    next_due: datetime.date | None
    late_years: tuple[int, ...]

    @property
    def is_late(self) -> bool:
        return bool(self.late_years)


def for_indicators(
    indicators, *, results: dict | None = None, today: datetime.date | None = None
) -> dict[int, Freshness]:
    """{indicator pk: Freshness}. The figures are `results[pk]` if given, else each
    indicator's `results` (prefetched); its department comes from `department` and
    `measure__department` (select them)."""
    today = today or timezone.localdate()
    indicators = list(indicators)
    tasks_by_indicator: dict[int, list[Task]] = {}
    for task in Task.objects.filter(indicator__in=[i.pk for i in indicators]).select_related(
        "round"
    ):
        tasks_by_indicator.setdefault(task.indicator_id, []).append(task)
    found = {}
    for indicator in indicators:
        figures = results.get(indicator.pk, ()) if results is not None else indicator.results.all()
        published = [r for r in figures if r.status == PUBLISHED]
        years = {r.fiscal_year for r in published}
        last = max((r.updated_at for r in published if r.updated_at), default=None)
        waiting = [
            task.round
            for task in tasks_by_indicator.get(indicator.pk, ())
            if task.round.fiscal_year not in years
        ]
        found[indicator.pk] = Freshness(
            department=indicator.owning_department,
            last_updated=timezone.localdate(last) if last else None,
            next_due=min((r.due_on for r in waiting if r.due_on >= today), default=None),
            late_years=tuple(sorted(r.fiscal_year for r in waiting if r.due_on < today)),
        )
    return found
