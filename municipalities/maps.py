"""Maps of real places: municipality boundaries drawn offline with Plotly.

Data in, figure out (no request, no ORM). The boundaries are the committed
static file built by tools/build_boundaries.py; the page ships only a small
spec (which codes form which layer, colours, labels, the layout), and
static/js/maps.js fetches the boundaries and fills each layer's polygons
with a plain `scatter` trace (`fill: "toself"`), which the basic plotly.js
bundle draws: no tiles, no topojson, no other host.

Meaning never rests on colour alone: every coloured layer has a label on the
map (its number and name, in a white box pointing at it), the 定住自立圏 and
連携中枢都市圏 are hatched as well as outlined, and each map has a text
alternative and a table with the same content.
"""

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.urls import reverse

from opendata.licence import BOUNDARY_CREDIT
from strategy_portal import pictures
from strategy_portal.charts import layout, plain_text

BOUNDARIES_STATIC = "maps/hokkaido-municipalities.json"
# A map's pictures: 320 px for phones, 1080 px for a full-width map (site.css, the .map
# container queries). Each is 18,000 points drawn in about a second, 25–50 KB compressed.
MAP_WIDTHS = (320, 1080)
LOCATOR_HEIGHT = 300
HOKKAIDO_LATITUDE = 43.5  # a degree of longitude is cos(43.5°) of a degree of latitude here

# Fills of the areas: each at least 3:1 against the white background and against
# the grey of the other municipalities (WCAG 1.4.11), checked by the tests.
BACKGROUND = "#ffffff"
OTHERS = "#e4e7eb"  # municipalities in no layer
OTHERS_LINE = "#7d8791"  # their outline: the coast stays visible (3.6:1 on white)
PALETTE = (
    "#1f5fa8",
    "#b03a2e",
    "#2e7d32",
    "#7b3294",
    "#9a5b00",
    "#00796b",
    "#c2185b",
    "#5d4037",
    "#3949ab",
    "#5f6b00",
    "#006064",
    "#455a64",
    "#8e24aa",
    "#827717",
)
HATCH = "#1a1a1a"
TEIJU_PATTERN = "/"
CHUSU_PATTERN = "x"
NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass
class Layer:
    """Municipalities drawn together: one fill (and maybe a hatch), one legend entry."""

    name: str
    codes: list[str]
    color: str
    label: str = ""  # the text on the map; empty: no label
    pattern: str = ""  # a plotly fillpattern shape: "/" "x" …, drawn over the fill
    fill: bool = True  # False: only the hatch and the outline (over other layers)
    dash: str = "solid"
    legend: str = ""  # the legend's words (defaults to the name)


@dataclass
class MapSpec:
    """What maps.js needs: the layers, the layout, the boundaries' URL (set by the view)."""

    id: str
    summary: str  # the text alternative
    layers: list[Layer]
    layout: dict
    height: int
    others_name: str = "その他の市町村"
    credit: str = BOUNDARY_CREDIT
    boundaries: str = ""
    table: list = field(default_factory=list)
    # Each municipality's page, "000000" standing for its code: a click on the map goes there.
    link: str = field(default_factory=lambda: reverse("municipalities:detail", args=["000000"]))
    pictured: bool = True  # drawn on the server too (not the 179 small locator maps)

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"

    @property
    def picture(self):
        """The map's SVGs (drawn on the server, as the charts' are), or None until drawn.
        Its key is the spec's and the boundaries' (the figure is built only to queue it)."""
        if not self.pictured:
            return None
        key = pictures.figure_key({"map": self.as_dict(), "boundaries": boundaries_digest()})
        return pictures.picture(
            self.figure, self.summary, key=key, height=self.height, widths=MAP_WIDTHS
        )

    def figure(self) -> dict:
        """The whole Plotly figure, polygons included: what static/js/maps.js builds in
        the browser from this spec and the boundaries, built here for the map's
        picture (strategy_portal/pictures.py). Keep the two in step."""
        spec = self.as_dict()
        geo = boundaries()
        by_code = {f["code"]: f for f in geo["features"]}
        filled = {code for layer in spec["layers"] if layer["fill"] for code in layer["codes"]}
        rest = _shapes([f for f in geo["features"] if f["code"] not in filled], geo["scale"])
        data = [
            {
                "type": "scatter",
                "mode": "lines",
                **rest,
                "fill": "toself",
                "fillcolor": OTHERS,
                "line": {"color": OTHERS_LINE, "width": 0.6},
                "name": spec["others_name"],
                "hoverinfo": "skip",
                "showlegend": spec["layout"]["showlegend"],
            }
        ]
        for layer in spec["layers"]:
            members = [by_code[code] for code in layer["codes"] if code in by_code]
            trace = {
                "type": "scatter",
                "mode": "lines",
                **_shapes(members, geo["scale"]),
                "fill": "toself",
                "fillcolor": layer["color"] if layer["fill"] else "rgba(0,0,0,0)",
                "line": {
                    "color": "#ffffff" if layer["fill"] else layer["color"],
                    "width": 0.8 if layer["fill"] else 2,
                    "dash": layer["dash"],
                },
                "name": layer["legend"] or layer["name"],
                "hoveron": "fills",
                "hoverinfo": "name",
            }
            if layer["pattern"]:
                trace["fillpattern"] = {
                    "shape": layer["pattern"],
                    "fgcolor": HATCH,
                    "bgcolor": "rgba(0,0,0,0)",
                    "size": 7,
                    "solidity": 0.2,
                }
            data.append(trace)
        return {"data": data, "layout": spec["layout"]}

    def as_dict(self) -> dict:
        """The spec as the page ships it: the words Plotly draws (a layer's name,
        legend and label) are plain text to it, whatever the places are called."""
        data = asdict(self)
        for layer in data["layers"]:
            for key in ("name", "legend", "label"):
                layer[key] = plain_text(layer[key])
        data["style"] = {"others": OTHERS, "others_line": OTHERS_LINE, "hatch": HATCH}
        return data


@lru_cache(maxsize=1)
def boundaries_digest() -> str:
    """The boundaries file's SHA-256: part of each map picture's key."""
    with open(finders.find(BOUNDARIES_STATIC), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@lru_cache(maxsize=1)
def boundaries() -> dict:
    """The committed boundaries file (read once per process)."""
    path = finders.find(BOUNDARIES_STATIC)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _shapes(features, scale: int) -> dict:
    """x and y of every ring of `features` (each ring [x0, y0, dx1, dy1, …] in 1/scale
    degrees), closed, a gap (None) between rings: one trace fills them all."""
    xs, ys = [], []
    for feature in features:
        for ring in feature["rings"]:
            x, y = ring[0], ring[1]
            xs.append(x / scale)
            ys.append(y / scale)
            for i in range(2, len(ring), 2):
                x += ring[i]
                y += ring[i + 1]
                xs.append(x / scale)
                ys.append(y / scale)
            xs += [ring[0] / scale, None]
            ys += [ring[1] / scale, None]
    return {"x": xs, "y": ys}


def uncounted_in(subprefecture: str) -> list[str]:
    """Shapes of a 振興局 that are not among the 179: the Northern Territories'
    6 villages, which the prefecture's maps draw as part of 根室振興局."""
    return [
        f["code"]
        for f in boundaries()["features"]
        if not f["counted"] and f["subprefecture"] == subprefecture
    ]


TERRITORIES_NOTE = "北方領土の6村（色丹村・泊村・留夜別村・留別村・紗那村・蘂取村）は179市町村に含めず、道の地図と同じく根室振興局に含めて描いています。"


def label_points() -> dict[str, tuple[float, float]]:
    """Where a label points: the 179 only (a 振興局's label stays on its towns)."""
    return {f["code"]: tuple(f["label"]) for f in boundaries()["features"] if f["counted"]}


def _bounds(codes=None):
    features = boundaries()["features"]
    if codes is not None:
        features = [f for f in features if f["code"] in codes]
    xs, ys = [], []
    for feature in features:
        for ring in feature["rings"]:
            x, y = ring[0], ring[1]
            xs.append(x)
            ys.append(y)
            for i in range(2, len(ring), 2):
                x += ring[i]
                y += ring[i + 1]
                xs.append(x)
                ys.append(y)
    scale = boundaries()["scale"]
    return min(xs) / scale, max(xs) / scale, min(ys) / scale, max(ys) / scale


def _axes(bounds, pad=0.15):
    x0, x1, y0, y1 = bounds
    return (
        {"visible": False, "fixedrange": True, "range": [x0 - pad, x1 + pad]},
        {
            "visible": False,
            "fixedrange": True,
            "range": [y0 - pad, y1 + pad],
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(HOKKAIDO_LATITUDE)),
        },
    )


def _centre(codes, points):
    members = [points[c] for c in codes if c in points]
    return (
        sum(p[0] for p in members) / len(members),
        sum(p[1] for p in members) / len(members),
    )


def _annotations(layers, points, bounds, height):
    """A white label per labelled layer, pushed outwards from the island's middle,
    each placed where it overlaps no earlier label (approximate pixels)."""
    x0, x1, y0, y1 = bounds
    middle = ((x0 + x1) / 2, (y0 + y1) / 2)
    px_per_degree = height / (y1 - y0 + 0.3)  # latitude; longitude is scaled by cos(lat)
    px_x = px_per_degree * math.cos(math.radians(HOKKAIDO_LATITUDE))
    placed, notes = [], []
    for layer in layers:
        if not layer.label:
            continue
        x, y = _centre(layer.codes, points)
        angle = math.atan2(
            y - middle[1], (x - middle[0]) * math.cos(math.radians(HOKKAIDO_LATITUDE))
        )
        width, tall = 13 * len(layer.label) + 10, 22
        choice = None
        for length in (46, 80, 115, 150):
            for turn in (0, 0.45, -0.45, 0.9, -0.9):
                ax = round(math.cos(angle + turn) * length)
                ay = round(-math.sin(angle + turn) * length)
                cx, cy = (x - x0) * px_x + ax, (y1 - y) * px_per_degree + ay
                box = (cx - width / 2, cy - tall / 2, cx + width / 2, cy + tall / 2)
                if not any(
                    box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                    for b in placed
                ):
                    choice = (ax, ay, box)
                    break
            if choice:
                break
        if choice is None:
            ax, ay = round(math.cos(angle) * 46), round(-math.sin(angle) * 46)
            choice = (ax, ay, (0, 0, 0, 0))
        placed.append(choice[2])
        notes.append(
            {
                "x": x,
                "y": y,
                "text": plain_text(layer.label),
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": 1.5,
                "arrowcolor": HATCH,
                "ax": choice[0],
                "ay": choice[1],
                "bgcolor": "#ffffff",
                "bordercolor": layer.color,
                "borderwidth": 2,
                "borderpad": 2,
                "font": {"size": 12, "color": "#1a1a1a"},
            }
        )
    return notes


def _figure_layout(layers, height, bounds, *, legend=True):
    xaxis, yaxis = _axes(bounds)
    points = label_points()
    return layout(
        height,
        showlegend=legend,
        legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top", "font": {"size": 12}},
        xaxis=xaxis,
        yaxis=yaxis,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        annotations=_annotations(layers, points, bounds, height),
        hovermode="closest",
    )


def areas_map(areas) -> MapSpec:
    """The 連携地域 map: model areas filled and numbered, 定住自立圏 and
    連携中枢都市圏 hatched and outlined, the rest grey.

    `areas`: (slug, name, kind, [member codes]) in the report's order.
    """
    layers, table = [], []
    model = [a for a in areas if a[2] == "model"]
    for n, (slug, name, _kind, codes) in enumerate(model):
        color = PALETTE[n % len(PALETTE)]
        short = name.removesuffix("連携地域") or name
        label = f"{NUMBERS[n]} {short}"
        layers.append(Layer(name, codes, color, label=label, legend=f"{NUMBERS[n]} {name}"))
        table.append(
            {
                "mark": NUMBERS[n],
                "name": name,
                "kind": "モデル事業",
                "slug": slug,
                "codes": codes,
                "color": color,
                "pattern": "",
            }
        )
    others = [a for a in areas if a[2] != "model"]
    for slug, name, kind, codes in others:
        pattern = TEIJU_PATTERN if kind == "teiju" else CHUSU_PATTERN
        kind_label = "定住自立圏" if kind == "teiju" else "連携中枢都市圏"
        hatch_words = "斜線" if kind == "teiju" else "格子"
        layers.append(
            Layer(
                f"{name}（{kind_label}）",
                codes,
                HATCH,
                pattern=pattern,
                fill=False,
                dash="dash",
                legend=f"{kind_label}：{name}（{hatch_words}・破線）",
            )
        )
        table.append(
            {
                "mark": hatch_words,
                "name": name,
                "kind": kind_label,
                "slug": slug,
                "codes": codes,
                "color": "",
                "pattern": pattern,
            }
        )
    bounds = _bounds()
    counted = len({c for a in areas for c in a[3]})
    summary = (
        f"北海道の市町村の地図。市町村連携地域モデル事業の{len(model)}地域を色と番号で示し"
        + "".join(
            f"、{NUMBERS[n]}{name}（{len(codes)}市町村）"
            for n, (_s, name, _k, codes) in enumerate(model)
        )
        + "。"
        + "".join(
            f"{'定住自立圏' if kind == 'teiju' else '連携中枢都市圏'}の{name}（{len(codes)}市町村）は斜線・格子と破線で示しています。"
            for _s, name, kind, codes in others
        )
        + f"連携地域に参加している市町村は{counted}、その他の市町村は灰色です。同じ内容を地図の下の表に掲載しています。"
    )
    return MapSpec(
        "areas-map",
        summary,
        layers,
        _figure_layout(layers, 620, bounds),
        620,
        table=table,
    )


def group_map(name: str, codes: list[str], *, map_id: str, members_word: str) -> MapSpec:
    """One group among all municipalities (a 振興局, an area): filled and labelled."""
    layer = Layer(f"{name}の{members_word}", codes, PALETTE[0], label=name)
    summary = (
        f"北海道の市町村の地図。{name}の{members_word}（{len(codes)}市町村）を青で塗り、"
        f"「{name}」と名前を添えています。その他の市町村は灰色です。"
        f"{members_word}は地図の下の表に掲載しています。"
    )
    return MapSpec(map_id, summary, [layer], _figure_layout([layer], 460, _bounds()), 460)


def subprefecture_map(name: str, codes: list[str]) -> MapSpec:
    """A 振興局 among the 14 (根室 with the Northern Territories, as the prefecture draws it)."""
    spec = group_map(name, codes, map_id="subprefecture-map", members_word="市町村")
    territories = uncounted_in(name)
    if territories:
        spec.layers[0].codes = codes + territories
        spec.summary += TERRITORIES_NOTE
    return spec


def locator_map(
    name: str, code: str, subprefecture: str, subprefecture_codes: list[str]
) -> MapSpec:
    """A small map: where the municipality is, within its 振興局 and Hokkaido."""
    around = Layer(
        f"{subprefecture}の市町村",
        [c for c in subprefecture_codes if c != code],
        "#8fb3d9",
        legend=f"{subprefecture}の市町村",
    )
    here = Layer(name, [code], PALETTE[1], label=name)
    layers = [around, here]
    bounds = _bounds()
    summary = (
        f"{name}の位置を示す北海道の地図。{name}を赤で塗って名前を添え、"
        f"同じ{subprefecture}の市町村を薄い青で示しています。"
    )
    return MapSpec(
        "locator-map",
        summary,
        layers,
        _figure_layout([here], LOCATOR_HEIGHT, bounds, legend=False),
        LOCATOR_HEIGHT,
        # One per municipality, each the whole island (18,000 points): 179 more pictures
        # would triple the time to draw the site from cold. Its page's text and table say
        # where the municipality is; the map is drawn when the reader acts, as before.
        pictured=False,
    )


def subprefectures_map(subprefectures) -> MapSpec:
    """The 14 振興局, each filled in its own colour and named: where is my town?

    `subprefectures`: (name, [member codes]) in the official order.
    """
    layers = [
        Layer(
            name,
            codes + uncounted_in(name),
            PALETTE[n % len(PALETTE)],
            label=name.removesuffix("総合振興局").removesuffix("振興局"),
        )
        for n, (name, codes) in enumerate(subprefectures)
    ]
    summary = (
        f"北海道の{len(layers)}の振興局を色分けし、名前を添えた地図。"
        + "、".join(f"{name}（{len(codes)}市町村）" for name, codes in subprefectures)
        + "。"
        + TERRITORIES_NOTE
        + "市町村は地図の下の表に振興局ごとに掲載しています。"
    )
    return MapSpec(
        "subprefectures-map",
        summary,
        layers,
        _figure_layout(layers, 620, _bounds(), legend=False),
        620,
    )
