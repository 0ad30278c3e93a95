"""The card idiom of Japanese public dashboards: label, big number, period,
前年度比, chart with its table, target and progress, source and update date.

Cards are built from indicators whose results and targets were prefetched: no
queries here. Any number of fiscal years, breakdowns and period kinds.
"""

import logging
from dataclasses import dataclass, field

from strategy_portal import display, pictures

from . import progress as progress_rules
from .charts import Chart, activities_chart, indicator_chart
from .series import Series, comparable, group_series, newest, period_key, previous_of

logger = logging.getLogger(__name__)

# The breakdowns that are the whole: none (an indicator without breakdowns), then the
# prefecture as a whole (合計特殊出生率: 全国 1.44, 道全体 1.29, 札幌市 1.18 → 1.29).
TOTAL_LABELS = ("", "道全体", "全道", "北海道", "合計", "計", "総数")


@dataclass
class Headline:
    """The newest figure of one series, as the card prints it."""

    result: object
    label: str  # the breakdown, or "" for an indicator without breakdowns
    value: dict  # display.value_parts
    comparison: str = ""  # 前年度比, only between comparable figures
    comparison_word: str = "前年度比"  # 前年比 between calendar years


@dataclass
class TableRow:
    label: str  # the period
    cells: list  # one result (or None) per series


@dataclass
class Card:
    indicator: object
    results: list
    series: list = field(default_factory=list)
    headlines: list = field(default_factory=list)
    period: str = ""  # the period all headlines share, if they do
    chart: Chart | None = None
    updated: object = None
    freshness: object = None  # indicators.freshness: owner, last update, next due, late
    goals: list = field(default_factory=list)
    progress: list = field(default_factory=list)  # one Progress per goal, newest figure
    sources: list = field(default_factory=list)
    chart_failed: bool = False  # the figure could not be built: the table stands in for it
    errata: list = field(default_factory=list)  # corrections of an edition's page (訂正)
    heading: object = None  # 原資料の見出し as the page's edition printed it

    @property
    def chart_id(self):
        return f"chart-{self.indicator.pk}"

    @property
    def picture(self):
        """The chart's SVGs, drawn on the server; never of a card with drafts (staff's)."""
        if self.chart is None or self.has_drafts:
            return None
        return pictures.picture(self.chart.figure, self.chart.summary)

    @property
    def latest(self):
        """The newest figure of an indicator without breakdowns."""
        if len(self.headlines) == 1 and not self.headlines[0].label:
            return self.headlines[0].result
        return None

    @property
    def headline(self) -> Headline | None:
        """The one figure that stands for the card where one is shown alone (its share
        image, the share text): the total, or 道全体, where there is one; else the first."""
        for label in TOTAL_LABELS:
            for headline in self.headlines:
                if headline.label == label:
                    return headline
        return self.headlines[0] if self.headlines else None

    @property
    def main_progress(self):
        return self.progress[0] if self.progress else None

    @property
    def has_drafts(self):
        return any(r.is_draft for r in self.results) or any(g.is_draft for g in self.goals)

    @property
    def is_wide(self):
        """A card with several breakdowns over time takes a whole row of the grid."""
        return len(self.series) > 1 and len(self.table_rows) > 1

    @property
    def has_breakdowns(self):
        return len(self.series) > 1 or bool(self.series and self.series[0].breakdown)

    @property
    def table_rows(self) -> list[TableRow]:
        """Periods down, breakdowns across: one row per period, however many years."""
        index = {s.breakdown: i for i, s in enumerate(self.series)}
        rows = {}
        for result in sorted(self.results, key=period_key):
            key = (period_key(result), result.period, result.period_start)
            row = rows.setdefault(key, TableRow(result.period_display, [None] * len(self.series)))
            row.cells[index[result.breakdown]] = result
        return list(rows.values())


def _headline(series: Series, unit: str, *, drafts=False) -> Headline | None:
    latest = newest(series.results, drafts=drafts)
    if latest is None:
        return None
    headline = Headline(latest, series.breakdown, display.value_parts(latest, unit))
    previous = previous_of(latest, series.results)
    if comparable(previous, latest):
        headline.comparison = display.change_label(latest, previous, unit)
        headline.comparison_word = display.change_word(latest)
    return headline


def card_for(
    indicator, results=None, targets=None, *, plan_start_year=None, with_chart=True, preview=False
):
    """The card of one indicator; `with_chart=False` where no chart is drawn (home).
    `preview`: a draft edition's page, whose newest figure is the draft it will publish
    (the number agrees with the chart).

    `results` and `targets` default to the indicator's prefetched rows; the
    caller has already narrowed both to what the visitor may see.
    """
    results = list(indicator.results.all() if results is None else results)
    targets = list(indicator.targets.all() if targets is None else targets)
    card = Card(indicator=indicator, results=results)
    card.series = group_series(results)
    card.goals = list(progress_rules.goals_from(targets).values())
    card.goals.sort(key=lambda g: (g.breakdown != "", g.breakdown))
    if not results:
        return card
    card.updated = max(r.updated_at for r in results)
    unit = indicator.unit
    card.headlines = [h for h in (_headline(s, unit, drafts=preview) for s in card.series) if h]
    periods = {h.result.period_display for h in card.headlines}
    card.period = periods.pop() if len(periods) == 1 else ""
    latest = {s.breakdown: newest(s.results, drafts=preview) for s in card.series}
    for goal in card.goals:
        figure = latest.get(goal.breakdown)
        value, year = (figure.value, figure.fiscal_year) if figure else (None, None)
        card.progress.append(
            progress_rules.assess(goal, value, year, plan_start_year=plan_start_year)
        )
    card.sources = list(dict.fromkeys(r.source_display for r in sorted(results, key=period_key)))
    if with_chart:
        try:
            card.chart = indicator_chart(indicator.name, unit, card.series, card.goals)
        except Exception:  # a figure the data cannot make must not take the page down
            logger.exception("chart of indicator %s could not be built", indicator.slug)
            card.chart_failed = True
    return card


@dataclass
class Comparison:
    """A measure's figures of one kind (same unit, period and qualifier), side by side."""

    chart: Chart
    unit: str
    period: str
    items: list  # (label, result)
    key: str

    @property
    def chart_id(self):
        return f"activities-{self.key}"

    @property
    def picture(self):
        if any(result.is_draft for _, result in self.items):
            return None
        return pictures.picture(self.chart.figure, self.chart.summary)


def measure_comparisons(measure_title: str, cards, *, key_prefix: str) -> list[Comparison]:
    """Where a measure counts the same thing for several activities in one period.

    Cards of single-series indicators whose newest figures share the unit, the
    period and the qualifier (延べ, うち) make one chart each, in card order.
    """
    groups = {}
    for card in cards:
        latest = card.latest
        if latest is None or not card.indicator.unit:
            continue
        key = (card.indicator.unit, latest.period_display, latest.qualifier)
        groups.setdefault(key, []).append((card.indicator.name, latest))
    comparisons = []
    for number, ((unit, period, _), items) in enumerate(groups.items()):
        if len(items) < 2:
            continue
        chart = activities_chart(f"{measure_title}（単位：{unit}）", unit, items)
        comparisons.append(Comparison(chart, unit, period, items, f"{key_prefix}-{number}"))
    return comparisons
