"""The card idiom of Japanese public dashboards: label, big number, period,
前年度比, chart with its table, note, source and the date it was updated.

Cards are built from indicators whose results were prefetched; no queries.
"""

from dataclasses import dataclass, field

from strategy_portal import display

from .charts import Chart, indicator_chart


@dataclass
class Card:
    indicator: object
    results: list
    latest: object = None  # the newest result, when the indicator has one value per period
    value: dict = field(default_factory=dict)  # display.value_parts of `latest`
    comparison: str = ""  # 前年度比
    period: str = ""  # the one period all results share, if they do
    chart: Chart | None = None
    updated: object = None

    @property
    def chart_id(self):
        return f"chart-{self.indicator.pk}"

    @property
    def has_drafts(self):
        return any(r.is_draft for r in self.results)


def card_for(indicator, results=None, *, with_chart=True) -> Card:
    """The card of one indicator; `with_chart=False` where no chart is drawn (home)."""
    results = list(indicator.results.all() if results is None else results)
    card = Card(indicator=indicator, results=results)
    if not results:
        return card
    card.updated = max(r.updated_at for r in results)
    if with_chart:
        card.chart = indicator_chart(indicator.name, indicator.unit, results)
    periods = {display.period_label(r) for r in results}
    card.period = periods.pop() if len(periods) == 1 else ""
    if not any(r.breakdown for r in results):
        ordered = sorted(results, key=lambda r: r.fiscal_year)
        card.latest = ordered[-1]
        card.value = display.value_parts(card.latest, indicator.unit)
        previous = ordered[-2] if len(ordered) > 1 else None
        if (
            previous
            and previous.fiscal_year == card.latest.fiscal_year - 1
            and previous.period == card.latest.period
        ):
            card.comparison = display.change_label(card.latest, previous, indicator.unit)
    return card
