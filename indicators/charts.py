"""Figures for indicators: data in, figure out (no request, no ORM).

Every figure is a plain dict (Plotly's JSON) that the page passes through
`json_script` and static/js/charts.js draws; the same numbers are always in
a table beside it, and `summary` is its text alternative.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from strategy_portal import display, fiscal_years
from strategy_portal.charts import layout as _layout
from strategy_portal.charts import plain_text

from .series import Series, period_key

BLUE = "#004f8a"
GREEN = "#1d6b3a"
GREY = "#858f99"  # 3.3:1 on white: bars and markers stay visible (non-text contrast)
TARGET = "#a03c00"  # 目標: dark orange, 5.9:1 on white, drawn as a labelled diamond
# One colour, marker and dash per breakdown line, so no line is told apart by colour alone.
# Each colour has at least 4.5:1 contrast on white.
LINE_STYLES = (
    (BLUE, "circle", "solid"),
    ("#b3261e", "square", "dash"),
    (GREEN, "diamond", "dot"),
    ("#6a3d9a", "triangle-up", "dashdot"),
    ("#7a5200", "cross", "longdash"),
    ("#00666e", "x", "longdashdot"),
)
# Above this many bars, only the newest is labelled (the table has every number).
MAX_LABELLED_BARS = 3


@dataclass(frozen=True)
class Chart:
    kind: str  # series | lines | breakdown | share | activities | map
    figure: dict
    summary: str  # the text alternative, read by screen readers
    axis_note: str = ""  # what the bare numbers on the x axis are (年度)


def _axis_note(series_list) -> str:
    return "横軸は年度" if all(r.period == "fy" for s in series_list for r in s.results) else ""


def _as_dict(figure: go.Figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def _number(value) -> float:
    return float(Decimal(value))


def _period_axis(series_list, goals) -> list[tuple]:
    """Every period shown on the x axis, in time order: (sort key, label)."""
    kind = _target_kind(series_list)
    points = {}
    for series in series_list:
        for r in series.results:
            points.setdefault(_tick(r), (period_key(r), r.period))
    for goal in goals:
        for target in (*goal.milestones.values(), goal.target):
            label = period_tick(target.fiscal_year, kind)
            points.setdefault(label, ((target.fiscal_year, datetime.date.max), kind))
    if all(kind == "fy" for _, kind in points.values()):
        # Fiscal years on a category axis: every year between, so a gap shows as a gap.
        years = [key[0] for key, _ in points.values()]
        for year in range(min(years), max(years) + 1):
            points.setdefault(period_tick(year, "fy"), ((year, datetime.date.min), "fy"))
    return sorted(((key, label) for label, (key, _) in points.items()), key=lambda p: p[0])


def _target_kind(series_list) -> str:
    """Targets are years of the same kind as the figures: calendar years for 暦年 statistics."""
    kinds = {r.period for s in series_list for r in s.results}
    return "cy" if kinds == {"cy"} else "fy"


def _target_trace(goal, unit: str, name: str = "目標", kind: str = "fy") -> go.Scatter:
    targets = [*sorted(goal.milestones.values(), key=lambda t: t.fiscal_year), goal.target]
    texts = [plain_text(f"{name} {display.format_number(t.value)}{unit}") for t in targets]
    # The plot keeps a right margin for the goal's label (the rightmost point).
    positions = ["top center"] * len(targets)
    return go.Scatter(
        x=[period_tick(t.fiscal_year, kind) for t in targets],
        y=[_number(t.value) for t in targets],
        mode="markers+text",
        marker={"symbol": "diamond", "size": 11, "color": TARGET, "line": {"width": 0}},
        text=["目標"] * len(targets),
        customdata=texts,
        textposition=positions,
        textfont={"color": TARGET, "size": 12},
        cliponaxis=False,
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        name=plain_text(name),
    )


def period_tick(year: int, kind: str) -> str:
    """A compact x-axis label: 2017 for a fiscal year (the caption says 年度), 2016年."""
    return str(year) if kind == "fy" else fiscal_years.calendar_short(year)


def _tick(result) -> str:
    if result.period in ("fy", "cy"):
        return period_tick(result.fiscal_year, result.period)
    return display.period_short_label(result)


def _target_summary(goals, unit: str) -> str:
    parts = []
    for goal in goals:
        label = f"{goal.breakdown}の" if goal.breakdown else ""
        parts.append(
            f"{label}目標は{fiscal_years.short(goal.fiscal_year)}に{display.format_number(goal.value)}{unit}"
        )
    return ("。" + "、".join(parts)) if parts else ""


def indicator_chart(name: str, unit: str, series_list, goals=()) -> Chart | None:
    """The figure that suits an indicator's results, or None when one number says it all.

    - one series (no breakdown) over several periods, or with a target → bars
      per period, the newest dark, targets as labelled diamonds;
    - several breakdowns in one period → horizontal bars per breakdown;
    - several breakdowns over several periods → one line per breakdown, each
      with its own marker and dash and its name at its end;
    - a single value with a denominator → its share of the whole.
    """
    series_list = [s for s in series_list if s.results]
    if not series_list:
        return None
    goals = list(goals)
    periods = {period_key(r) for s in series_list for r in s.results}
    if len(series_list) > 1:
        if len(periods) == 1 and not goals:
            return _breakdown(name, unit, [s.results[0] for s in series_list])
        return _lines(name, unit, series_list, goals)
    results = series_list[0].results
    if len(results) > 1 or goals:
        return _series(name, unit, results, goals)
    if results[0].denominator:
        return _share(name, unit, results[0])
    return None


def _series(name, unit, results, goals) -> Chart:
    labels = [_tick(r) for r in results]
    texts = [plain_text(display.value_label(r, unit)) for r in results]
    shown = texts if len(results) <= MAX_LABELLED_BARS else [""] * (len(texts) - 1) + texts[-1:]
    traces = [
        go.Bar(
            x=labels,
            y=[_number(r.value) for r in results],
            text=shown,
            customdata=texts,
            textposition="outside",
            constraintext="none",  # the newest figure's label keeps its size
            textfont={"size": 12},
            cliponaxis=False,
            marker={"color": [GREY] * (len(results) - 1) + [BLUE]},
            hovertemplate="%{x}<br>%{customdata}<extra></extra>",
            name="実績",
        )
    ]
    kind = _target_kind([Series("", results)])
    traces += [_target_trace(goal, unit, kind=kind) for goal in goals]
    axis = _period_axis([Series("", results)], goals)
    figure = go.Figure(
        traces,
        layout=_layout(
            240,
            yaxis={"visible": False, "rangemode": "tozero", "fixedrange": True},
            xaxis={
                "type": "category",
                "fixedrange": True,
                "categoryorder": "array",
                "categoryarray": [label for _, label in axis],
            },
            margin={"l": 8, "r": 24, "t": 28, "b": 40},
        ),
    )
    summary = f"{name}の推移：" + "、".join(
        f"{display.period_label(r)} {display.value_label(r, unit)}" for r in results
    )
    return Chart(
        "series",
        _as_dict(figure),
        summary + _target_summary(goals, unit),
        _axis_note([Series("", results)]),
    )


def _lines(name, unit, series_list, goals) -> Chart:
    traces = []
    for index, series in enumerate(series_list):
        colour, symbol, dash = LINE_STYLES[index % len(LINE_STYLES)]
        results = series.results
        texts = [plain_text(display.value_label(r, unit)) for r in results]
        traces.append(
            go.Scatter(
                x=[_tick(r) for r in results],
                y=[_number(r.value) for r in results],
                mode="lines+markers",
                name=plain_text(series.breakdown),
                line={"color": colour, "dash": dash, "width": 2},
                marker={"color": colour, "symbol": symbol, "size": 8},
                customdata=texts,
                cliponaxis=False,
                hovertemplate="%{fullData.name}<br>%{x}<br>%{customdata}<extra></extra>",
            )
        )
    for goal in goals:
        label = f"目標（{goal.breakdown}）" if goal.breakdown else "目標"
        traces.append(_target_trace(goal, unit, label, _target_kind(series_list)))
    axis = _period_axis(series_list, goals)
    # A legend under the plot names each line with its marker and dash (not colour alone).
    entries = len(series_list) + len(goals)
    figure = go.Figure(
        traces,
        layout=_layout(
            240 + 22 * entries,
            showlegend=True,
            legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "font": {"size": 12}},
            yaxis={"rangemode": "tozero", "fixedrange": True, "gridcolor": "#e3e7eb"},
            xaxis={
                "type": "category",
                "fixedrange": True,
                "categoryorder": "array",
                "categoryarray": [label for _, label in axis],
            },
            margin={"l": 40, "r": 16, "t": 24, "b": 8},
        ),
    )
    parts = []
    for series in series_list:
        values = "、".join(
            f"{display.period_label(r)} {display.value_label(r, unit)}" for r in series.results
        )
        parts.append(f"{series.breakdown}：{values}")
    summary = f"{name}の推移（内訳別）：" + "。".join(parts)
    return Chart(
        "lines", _as_dict(figure), summary + _target_summary(goals, unit), _axis_note(series_list)
    )


def _horizontal_bars(labels, results, unit, *, colour=BLUE) -> tuple[dict, list]:
    """One bar per label; each label sits above its bar, so long names never get cut off.

    `labels` are the data's own strings; the figure holds them as plain text. Returns
    the figure and each bar's value as the reader reads it (for the summary)."""
    labels = [plain_text(label) for label in labels]
    values = [display.value_label(r, unit) for r in results]
    texts = [plain_text(value) for value in values]
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=labels,
            x=[_number(r.value) for r in results],
            text=texts,
            textposition="outside",
            constraintext="none",
            textfont={"size": 12},
            cliponaxis=False,
            width=0.45,
            marker={"color": colour},
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        ),
        layout=_layout(
            24 + 48 * len(results),
            xaxis={"visible": False, "rangemode": "tozero", "fixedrange": True},
            yaxis={"visible": False, "autorange": "reversed", "fixedrange": True},
            margin={"l": 4, "r": 84, "t": 20, "b": 4},
            annotations=[
                {
                    "xref": "paper",
                    "x": 0,
                    "y": label,
                    "yshift": 17,
                    "xanchor": "left",
                    "text": label,
                    "showarrow": False,
                    "font": {"size": 12},
                }
                for label in labels
            ],
        ),
    )
    return _as_dict(figure), values


def _breakdown(name, unit, results) -> Chart:
    labels = [r.breakdown for r in results]
    figure, texts = _horizontal_bars(labels, results, unit)
    period = display.period_label(results[0])
    summary = f"{name}（{period}）の内訳：" + "、".join(
        f"{label} {text}" for label, text in zip(labels, texts, strict=True)
    )
    return Chart("breakdown", figure, summary)


def activities_chart(title: str, unit: str, items) -> Chart:
    """Several indicators of one measure counting the same thing in one period, side by side.

    `items` are (label, result) pairs, e.g. イベント 192名, 出前講座 317名, ツアー 23名.
    """
    labels = [label for label, _ in items]
    results = [result for _, result in items]
    figure, texts = _horizontal_bars(labels, results, unit, colour=GREEN)
    period = display.period_label(results[0])
    summary = f"{title}（{period}）：" + "、".join(
        f"{label} {text}" for label, text in zip(labels, texts, strict=True)
    )
    return Chart("activities", figure, summary)


def _share(name, unit, result) -> Chart:
    value, whole = _number(result.value), _number(result.denominator)
    percent = round(100 * value / whole, 1) if whole else 0
    figure = go.Figure(
        [
            go.Bar(
                orientation="h",
                y=[""],
                x=[value],
                marker={"color": GREEN},
                customdata=[plain_text(display.value_label(result, unit))],
                hovertemplate="%{customdata}<extra></extra>",
            ),
            go.Bar(
                orientation="h", y=[""], x=[whole - value], marker={"color": GREY}, hoverinfo="skip"
            ),
        ],
        layout=_layout(
            64,
            barmode="stack",
            xaxis={"visible": False, "range": [0, whole], "fixedrange": True},
            yaxis={"visible": False, "fixedrange": True},
            annotations=[
                {
                    "x": value,
                    "y": 0,
                    "xanchor": "right",
                    "text": f"{percent}%",
                    "showarrow": False,
                    "font": {"color": "#ffffff", "size": 14},
                }
            ],
        ),
    )
    total = f"{result.denominator_label}{display.format_number(result.denominator)}{unit}"
    summary = f"{name}：{total}のうち{display.format_number(result.value)}{unit}（{percent}%）"
    return Chart("share", _as_dict(figure), summary)
