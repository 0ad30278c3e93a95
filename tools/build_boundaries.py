#!/usr/bin/env python3
"""Build the municipality boundaries the site's maps draw (a committed static file).

Input: the shared 国土数値情報 行政区域 (N03, 2021) TopoJSON of Hokkaido,
simplified by SmartNews Media Research Institute (../shared/data/
hokkaido-boundaries/, see its SOURCE.md). Output:
static/maps/hokkaido-municipalities.json, compact enough to fetch on a map page:

- one feature per municipality, keyed by its 6-digit 全国地方公共団体コード
  (JIS X 0402, check digit added to N03's 5 digits);
- Sapporo's 10 wards (01101–01110) merged into 札幌市 (011002): the arcs the
  wards share are dropped and the rest stitched into rings, so the city is
  drawn with its outer boundary only (TopoJSON's shared arcs make this exact);
- the 6 villages of the Northern Territories (01695–01700) kept, marked
  `"counted": false`: they are drawn (as the prefecture's maps draw them, as
  part of 根室振興局) but are not among the 179;
- coordinates in thousandths of a degree (about 80 m east–west, 110 m
  north–south: finer than the 1 % simplification), each ring as
  [x0, y0, dx1, dy1, dx2, dy2, …] (first point absolute, then differences),
  repeated points dropped;
- a label point per feature (the centroid of its largest ring).

The script checks the result against the site's own reference data
(fixtures/municipalities/*.csv): every one of the 179 codes has a shape, no
shape is left without a code but the 6 villages, and each shape's 振興局
(N03_002) is the one the site stores. Any mismatch exits non-zero.

Usage (Python 3.11, standard library only; the output is byte-for-byte
reproducible):
  python3 tools/build_boundaries.py [--source PATH.topojson] [--out PATH] [--check]
  --check compares with the committed file instead of writing it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared/data/hokkaido-boundaries/N03-21_01_210101.topojson"
DEFAULT_OUT = ROOT / "static/maps/hokkaido-municipalities.json"
FIXTURES = ROOT / "fixtures/municipalities"

SAPPORO = "011002"
SAPPORO_WARDS = {f"011{n:02d}" for n in range(1, 11)}  # 5-digit 01101–01110
NORTHERN_TERRITORIES = {f"01{n}" for n in range(695, 701)}  # 5-digit 01695–01700
SCALE = 1000  # integer thousandths of a degree
CREDIT = "出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成"
WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def full_code(five: str) -> str:
    return five + str(check_digit(five))


def decode_arcs(topology: dict) -> list[list[tuple[int, int]]]:
    """Arcs as absolute quantized points (TopoJSON delta encoding undone)."""
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x, y))
        arcs.append(points)
    return arcs


def arc_points(arcs, index: int) -> list[tuple[int, int]]:
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def ring_from_arcs(arcs, refs: list[int]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for ref in refs:
        part = arc_points(arcs, ref)
        points.extend(part if not points else part[1:])
    return points


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    raise ValueError(f"unexpected geometry {geometry['type']}")


def merge_rings(arcs, geometries: list[dict]) -> list[list[tuple[int, int]]]:
    """The outer rings of the union of polygons that share arcs (TopoJSON merge)."""
    refs = [
        ref for g in geometries for polygon in polygons_of(g) for ring in polygon for ref in ring
    ]
    uses: dict[int, int] = {}
    for ref in refs:
        key = ref if ref >= 0 else ~ref
        uses[key] = uses.get(key, 0) + 1
    outer = [ref for ref in refs if uses[ref if ref >= 0 else ~ref] == 1]
    by_start: dict[tuple[int, int], list[int]] = {}
    for ref in outer:
        by_start.setdefault(arc_points(arcs, ref)[0], []).append(ref)
    rings = []
    unused = list(outer)
    used: set[int] = set()
    for first in unused:
        if first in used:
            continue
        chain = [first]
        used.add(first)
        start = arc_points(arcs, first)[0]
        end = arc_points(arcs, first)[-1]
        while end != start:
            following = [r for r in by_start.get(end, []) if r not in used]
            if not following:
                raise ValueError("the merged boundary does not close")
            chain.append(following[0])
            used.add(following[0])
            end = arc_points(arcs, following[0])[-1]
        rings.append(ring_from_arcs(arcs, chain))
    return rings


def to_degrees(topology, point) -> tuple[float, float]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    return point[0] * sx + tx, point[1] * sy + ty


def encode_ring(topology, ring) -> list[int] | None:
    """Thousandths of a degree, first point absolute then deltas; None if degenerate."""
    points: list[tuple[int, int]] = []
    for point in ring:
        lon, lat = to_degrees(topology, point)
        q = (round(lon * SCALE), round(lat * SCALE))
        if not points or points[-1] != q:
            points.append(q)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # the renderer closes the ring itself
    if len(set(points)) < 3:
        return None  # a speck smaller than the grid: nothing to draw
    encoded = [points[0][0], points[0][1]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        encoded += [x1 - x0, y1 - y0]
    return encoded


def decode_ring(encoded: list[int]) -> list[tuple[float, float]]:
    x, y = encoded[0], encoded[1]
    points = [(x, y)]
    for i in range(2, len(encoded), 2):
        x += encoded[i]
        y += encoded[i + 1]
        points.append((x, y))
    return [(px / SCALE, py / SCALE) for px, py in points]


def ring_area_and_centroid(points) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        xs, ys = zip(*points, strict=True)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area), (cx / (6 * area), cy / (6 * area))


def label_point(rings: list[list[int]]) -> list[float]:
    best = max((ring_area_and_centroid(decode_ring(r)) for r in rings), key=lambda a: a[0])
    return [round(best[1][0], 3), round(best[1][1], 3)]


def reference_data():
    subprefectures = {}
    with open(FIXTURES / "subprefectures.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            subprefectures[row["slug"]] = row["name"]
    municipalities = {}
    with open(FIXTURES / "municipalities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            municipalities[row["code"]] = (row["name"], subprefectures[row["subprefecture"]])
    return municipalities


def build(source: Path) -> dict:
    topology = json.loads(source.read_text(encoding="utf-8"))
    (name,) = topology["objects"]
    geometries = topology["objects"][name]["geometries"]
    arcs = decode_arcs(topology)
    known = reference_data()
    problems = []

    features = []
    wards = [g for g in geometries if g["properties"]["N03_007"] in SAPPORO_WARDS]
    if len(wards) != len(SAPPORO_WARDS):
        problems.append(f"expected 10 Sapporo wards, found {len(wards)}")
    rest = [g for g in geometries if g["properties"]["N03_007"] not in SAPPORO_WARDS]
    sources = [(SAPPORO, wards[0]["properties"]["N03_002"], "札幌市", merge_rings(arcs, wards))]
    for g in rest:
        props = g["properties"]
        rings = [ring_from_arcs(arcs, polygon[0]) for polygon in polygons_of(g)]
        sources.append((full_code(props["N03_007"]), props["N03_002"], props["N03_004"], rings))

    seen = set()
    for code, subprefecture, feature_name, rings in sorted(sources):
        encoded = [e for e in (encode_ring(topology, r) for r in rings) if e is not None]
        encoded.sort(key=lambda r: -ring_area_and_centroid(decode_ring(r))[0])
        counted = code[:5] not in NORTHERN_TERRITORIES
        if counted:
            if code not in known:
                problems.append(f"{code} {feature_name}: a shape without one of the 179 codes")
            else:
                known_name, known_subprefecture = known[code]
                if known_name != feature_name:
                    problems.append(f"{code}: N03 says {feature_name}, the site {known_name}")
                if known_subprefecture != subprefecture:
                    problems.append(
                        f"{code} {known_name}: N03 says {subprefecture}, the site {known_subprefecture}"
                    )
        if code in seen:
            problems.append(f"{code}: two shapes")
        seen.add(code)
        features.append(
            {
                "code": code,
                "name": feature_name,
                "subprefecture": subprefecture,
                "counted": counted,
                "label": label_point(encoded),
                "rings": encoded,
            }
        )
    missing = sorted(set(known) - seen)
    problems += [f"{code} {known[code][0]}: no shape" for code in missing]
    territories = [f for f in features if not f["counted"]]
    if len(territories) != len(NORTHERN_TERRITORIES):
        problems.append(f"expected 6 Northern Territories villages, found {len(territories)}")
    if problems:
        raise SystemExit("boundaries do not match the site's data:\n  " + "\n  ".join(problems))

    return {
        "title": "北海道の市町村界（179市町村と北方領土の6村）",
        "credit": CREDIT,
        "source": (
            "国土交通省「国土数値情報（行政区域データ）」N03 2021年（令和3年1月1日現在）を、"
            "SmartNews Media Research Institute が頂点数1%に簡略化したもの"
            "（smartnews-smri/japan-topography）から作成。札幌市の10区を統合し、"
            "座標を0.001度単位に丸めています。"
        ),
        "license": "国土数値情報利用約款に従い、出典を記載して利用できます。",
        "format": {
            "code": "全国地方公共団体コード（JIS X 0402、検査数字つき6桁）",
            "counted": "179市町村に数えるとき true（北方領土の6村は false）",
            "rings": (
                f"外周ごとに [x0, y0, dx1, dy1, …]。単位は1/{SCALE}度（経度・緯度、WGS84）。"
                "最初の点は絶対値、以降は前の点との差。閉じる点は省略"
            ),
            "label": "ラベル位置 [経度, 緯度]（最大の外周の重心）",
        },
        "scale": SCALE,
        "features": features,
    }


def serialise(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args(argv)
    text = serialise(build(args.source))
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} is not what {args.source} builds", file=sys.stderr)
            return 1
        print(f"{args.out}: up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    counted = sum(1 for f in json.loads(text)["features"] if f["counted"])
    print(f"wrote {args.out}: {counted} municipalities + 6 villages, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
