"""The offline map: town halls as points on plain axes (no tiles, no topojson).

179 town halls trace Hokkaido's outline well enough to find a place; the
figure needs only the scatter trace of the basic plotly.js bundle.
"""

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from indicators.charts import BLUE, GREY, Chart, _as_dict, _layout

HOKKAIDO_LATITUDE = 43.5  # degrees of longitude are this much shorter than of latitude


@dataclass(frozen=True)
class Point:
    name: str
    latitude: float
    longitude: float
    marked: bool
    label: str = ""  # what the mark means for this place (its areas)


def points_map(points: list[Point], marked_name: str, unmarked_name: str) -> Chart:
    marked = [p for p in points if p.marked]
    others = [p for p in points if not p.marked]

    def trace(group, name, color, size):
        return go.Scatter(
            x=[p.longitude for p in group],
            y=[p.latitude for p in group],
            mode="markers",
            name=name,
            text=[f"{p.name}<br>{p.label}" if p.label else p.name for p in group],
            hovertemplate="%{text}<extra></extra>",
            marker={"color": color, "size": size, "line": {"color": "#ffffff", "width": 1}},
        )

    figure = go.Figure(
        [trace(others, unmarked_name, GREY, 7), trace(marked, marked_name, BLUE, 11)],
        layout=_layout(
            520,
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            xaxis={"visible": False, "fixedrange": True},
            yaxis={
                "visible": False,
                "fixedrange": True,
                "scaleanchor": "x",
                "scaleratio": 1 / math.cos(math.radians(HOKKAIDO_LATITUDE)),
            },
            margin={"l": 4, "r": 4, "t": 32, "b": 4},
        ),
    )
    summary = (
        f"北海道の市町村の位置を示す地図。{marked_name}：{len(marked)}市町村"
        f"（{'・'.join(p.name for p in marked)}）。同じ内容を地図に続く表に掲載しています。"
    )
    return Chart("map", _as_dict(figure), summary)
