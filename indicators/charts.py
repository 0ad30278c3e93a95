"""Figures for indicators: data in, figure out (no request, no ORM).

Every figure is a plain dict (Plotly's JSON) that the page passes through
`json_script` and static/js/charts.js draws; the same numbers are always in
a table beside it, and `summary` is its text alternative.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from strategy_portal import display

BLUE = "#004f8a"
GREEN = "#1d6b3a"
GREY = "#858f99"  # 3.3:1 on white: bars and markers stay visible (non-text contrast)
FONT = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, IPAGothic, '
    '"Noto Sans CJK JP", sans-serif'
)


@dataclass(frozen=True)
class Chart:
    kind: str  # series | breakdown | share | map
    figure: dict
    summary: str  # the text alternative, read by screen readers


def _layout(height: int, **extra) -> dict:
    return {
        "template": "none",
        "height": height,
        "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
        "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "separators": ".,",
        "dragmode": False,
        **extra,
    }


def _as_dict(figure: go.Figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def _number(value) -> float:
    return float(Decimal(value))


def indicator_chart(name: str, unit: str, results) -> Chart | None:
    """The figure that suits an indicator's results, or None when one number says it all.

    - more than one fiscal year, no breakdown → a time series (bars per year);
    - several breakdowns in one period → horizontal bars per breakdown;
    - a value with a denominator → a share of the whole (progress bar).
    """
    results = list(results)
    if not results:
        return None
    years = sorted({r.fiscal_year for r in results})
    breakdowns = [r.breakdown for r in results if r.breakdown]
    if len(years) > 1 and not breakdowns:
        return _series(name, unit, sorted(results, key=lambda r: r.fiscal_year))
    if len(breakdowns) > 1 and len(years) == 1:
        return _breakdown(name, unit, results)
    if len(results) == 1 and results[0].denominator:
        return _share(name, unit, results[0])
    return None


def _series(name, unit, results) -> Chart:
    labels = [display.period_short_label(r) for r in results]
    texts = [display.value_label(r, unit) for r in results]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=[_number(r.value) for r in results],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker={"color": [GREY] * (len(results) - 1) + [BLUE]},
            hovertemplate="%{x}<br>%{text}<extra></extra>",
        ),
        layout=_layout(
            240,
            yaxis={"visible": False, "rangemode": "tozero"},
            xaxis={"type": "category", "fixedrange": True},
            margin={"l": 8, "r": 8, "t": 24, "b": 40},
        ),
    )
    periods = [display.period_label(r) for r in results]
    summary = f"{name}の推移：" + "、".join(f"{p} {t}" for p, t in zip(periods, texts, strict=True))
    return Chart("series", _as_dict(figure), summary)


def _breakdown(name, unit, results) -> Chart:
    results = sorted(results, key=lambda r: r.order)
    labels = [r.breakdown for r in results]
    texts = [display.value_label(r, unit) for r in results]
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=labels,
            x=[_number(r.value) for r in results],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker={"color": BLUE},
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        ),
        layout=_layout(
            56 + 36 * len(results),
            xaxis={"visible": False, "rangemode": "tozero", "fixedrange": True},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            margin={"l": 8, "r": 72, "t": 8, "b": 8},
        ),
    )
    period = display.period_label(results[0])
    summary = f"{name}（{period}）の内訳：" + "、".join(
        f"{label} {text}" for label, text in zip(labels, texts, strict=True)
    )
    return Chart("breakdown", _as_dict(figure), summary)


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
                hovertemplate=f"{display.value_label(result, unit)}<extra></extra>",
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
