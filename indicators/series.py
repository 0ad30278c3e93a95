"""An indicator's results as series over time: one series per breakdown.

Pure functions on Result objects (no ORM): the order of periods, the newest
figure, and whether two figures can be compared (前年度比).
"""

import datetime
from dataclasses import dataclass

# Two spans count as one year apart when they start 365 or 366 days apart.
YEAR_DAYS = (365, 366)


def period_key(result) -> tuple:
    """Sort key of a result's period: fiscal year, then the date it ends or stands at."""
    return (result.fiscal_year, result.period_end or datetime.date.min)


@dataclass
class Series:
    breakdown: str  # "" for an indicator without breakdowns
    results: list  # in period order

    @property
    def newest(self):
        return newest(self.results)


def group_series(results) -> list[Series]:
    """Results → one series per breakdown, in the breakdowns' display order."""
    by_breakdown = {}
    orders = {}
    for result in results:
        by_breakdown.setdefault(result.breakdown, []).append(result)
        orders.setdefault(result.breakdown, result.order)
    keys = sorted(by_breakdown, key=lambda b: (orders[b], b))
    return [Series(b, sorted(by_breakdown[b], key=period_key)) for b in keys]


def newest(results, *, drafts=False):
    """The newest published figure; the newest draft only where none is published, or
    with `drafts` (a draft edition's preview shows what it will publish)."""
    ordered = sorted(results, key=period_key)
    published = [r for r in ordered if not r.is_draft]
    if published and not drafts:
        return published[-1]
    return ordered[-1] if ordered else None


def previous_of(latest, results):
    """The figure just before `latest` in its series (published ones first, as newest)."""
    earlier = [r for r in results if period_key(r) < period_key(latest)]
    return newest(earlier) if earlier else None


def _days(span_start, span_end) -> int:
    return (span_end - span_start).days


def comparable(previous, latest) -> bool:
    """May 前年度比 compare these two figures?

    Only the same breakdown, the same period kind and qualifier (延べ, うち) and
    periods of the same length exactly one year apart: consecutive fiscal or
    calendar years, the same date a year later, the same month a year later,
    or spans of equal length that start a year apart and do not overlap.
    Two cumulative spans from one start date never compare.
    """
    if previous is None or latest is None:
        return False
    if previous.breakdown != latest.breakdown or previous.period != latest.period:
        return False
    if previous.qualifier != latest.qualifier:
        return False
    kind = latest.period
    if kind in ("fy", "cy"):
        return latest.fiscal_year == previous.fiscal_year + 1
    if kind in ("as_of", "month"):
        a, b = previous.period_end, latest.period_end
        if a is None or b is None:
            return False
        if kind == "month":
            return (b.year, b.month) == (a.year + 1, a.month)
        return (b.year, b.month, b.day) == (a.year + 1, a.month, a.day)
    if kind == "span":
        dates = (previous.period_start, previous.period_end, latest.period_start, latest.period_end)
        if None in dates:
            return False
        p_start, p_end, l_start, l_end = dates
        return (
            p_end < l_start
            and abs(_days(p_start, p_end) - _days(l_start, l_end)) <= 1
            and (l_start - p_start).days in YEAR_DAYS
        )
    return False
