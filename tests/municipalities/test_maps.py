"""Maps of real places: the boundaries match the 179, each map is labelled,
credited, has a table, and only map pages load map data."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from municipalities import maps
from municipalities.models import CollaborationArea, Municipality, Subprefecture

pytestmark = pytest.mark.django_db

BOUNDARIES = settings.BASE_DIR / "static" / maps.BOUNDARIES_STATIC
SHARED = settings.BASE_DIR.parent / "shared/data/hokkaido-boundaries/N03-21_01_210101.topojson"
CREDIT = "出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成"
NORTHERN_TERRITORIES = {"色丹村", "泊村", "留夜別村", "留別村", "紗那村", "蘂取村"}


def features():
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]


def map_spec(html: str) -> dict:
    (found,) = re.findall(
        r'<script id="[a-z-]+-map-spec" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found)


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_one_of_the_179_has_one_shape_in_its_own_subprefecture():
    counted = [f for f in features() if f["counted"]]
    stored = {m.code: m for m in Municipality.objects.select_related("subprefecture")}
    assert sorted(f["code"] for f in counted) == sorted(stored)
    for feature in counted:
        municipality = stored[feature["code"]]
        assert feature["name"] == municipality.name
        assert feature["subprefecture"] == municipality.subprefecture.name, municipality.name
        assert feature["rings"] and all(len(ring) >= 6 for ring in feature["rings"])


def test_only_the_six_northern_territories_villages_have_no_code_of_the_179():
    uncounted = [f for f in features() if not f["counted"]]
    assert {f["name"] for f in uncounted} == NORTHERN_TERRITORIES
    assert {f["subprefecture"] for f in uncounted} == {"根室振興局"}
    assert not Municipality.objects.filter(code__in=[f["code"] for f in uncounted]).exists()
    codes = [f["code"] for f in features()]
    assert len(codes) == len(set(codes)) == 185


def test_sapporo_is_one_city_not_ten_wards():
    sapporo = [f for f in features() if f["name"] == "札幌市" or f["code"].startswith("0110")]
    assert [f["code"] for f in sapporo] == ["011002"]
    assert len(sapporo[0]["rings"]) == 1  # the wards' shared borders are gone


@pytest.mark.skipif(not SHARED.exists(), reason="the shared boundary source is not beside the repo")
def test_the_build_script_reproduces_the_committed_file():
    script = settings.BASE_DIR / "tools" / "build_boundaries.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check", "--source", str(SHARED)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_area_colours_pass_contrast_against_the_background_and_the_grey():
    for colour in maps.PALETTE:
        assert contrast(colour, maps.BACKGROUND) >= 3, colour
        assert contrast(colour, maps.OTHERS) >= 3, colour
    assert contrast(maps.OTHERS_LINE, maps.BACKGROUND) >= 3
    assert contrast(maps.HATCH, maps.BACKGROUND) >= 4.5


def test_area_map_fills_each_model_area_with_its_colour_name_and_number(client):
    html = client.get(reverse("municipalities:areas")).content.decode()
    spec = map_spec(html)
    model = CollaborationArea.objects.filter(kind="model").order_by("order")
    filled = [layer for layer in spec["layers"] if layer["fill"]]
    assert len(filled) == model.count() == 11
    assert len({layer["color"] for layer in filled}) == 11
    labels = [note["text"] for note in spec["layout"]["annotations"]]
    for n, (area, layer) in enumerate(zip(model, filled, strict=True)):
        assert layer["codes"] == sorted(m.code for m in area.members.all())
        assert labels[n].startswith(maps.NUMBERS[n]) and labels[n][2:] in area.name
    hatched = [layer for layer in spec["layers"] if not layer["fill"]]
    assert {layer["pattern"] for layer in hatched} == {"/", "x"}  # 定住自立圏, 連携中枢都市圏
    assert all(layer["dash"] == "dash" for layer in hatched)
    # The same content as a table: every area with its members.
    legend = html.split('class="data map-legend"')[1].split("</table>")[0]
    for area in CollaborationArea.objects.all():
        assert area.name in legend
        assert "・".join(m.name for m in area.members.order_by("code")) in legend
    assert CREDIT in html
    assert "モデル事業の11地域" in spec["summary"]


def test_each_subprefecture_page_maps_its_own_municipalities(client):
    for sub in Subprefecture.objects.all():
        html = client.get(sub.get_absolute_url()).content.decode()
        (layer,) = map_spec(html)["layers"]
        own = list(sub.municipalities.order_by("code").values_list("code", flat=True))
        assert layer["codes"][: len(own)] == own
        assert len(layer["codes"]) - len(own) == (6 if sub.slug == "nemuro" else 0)
        assert sub.name in map_spec(html)["summary"] and CREDIT in html


def test_municipality_list_maps_the_14_subprefectures_each_named(client):
    html = client.get(reverse("municipalities:list")).content.decode()
    spec = map_spec(html)
    subs = list(Subprefecture.objects.order_by("order"))
    assert [layer["name"] for layer in spec["layers"]] == [s.name for s in subs]
    assert len({layer["color"] for layer in spec["layers"]}) == 14
    assert [note["text"] for note in spec["layout"]["annotations"]][:2] == ["空知", "石狩"]
    counted = {f["code"] for f in features() if f["counted"]}
    assert sum(len(set(layer["codes"]) & counted) for layer in spec["layers"]) == 179
    # the Northern Territories are drawn with 根室, as the prefecture's maps draw them
    nemuro = spec["layers"][-1]
    assert nemuro["name"] == "根室振興局" and len(set(nemuro["codes"]) - counted) == 6
    assert "北方領土の6村" in spec["summary"]
    assert CREDIT in html


def test_municipality_page_has_a_locator_map_and_its_table(client):
    municipality = Municipality.objects.get(name="浦河町")
    html = client.get(municipality.get_absolute_url()).content.decode()
    spec = map_spec(html)
    here = spec["layers"][-1]
    assert here["codes"] == [municipality.code] and here["label"] == "浦河町"
    assert "日高振興局" in spec["summary"] and CREDIT in html
    assert "とんがりロード広域連携地域" in html  # the areas it belongs to


def test_only_pages_with_a_map_load_map_code_or_data(client):
    with_map = [
        reverse("municipalities:areas"),
        reverse("municipalities:subprefecture", args=["hidaka"]),
        reverse("municipalities:detail", args=["011002"]),
        reverse("municipalities:list"),
    ]
    without = [
        reverse("projects:home"),
        reverse("indicators:list"),
        reverse("opendata:catalog"),
        reverse("projects:detail", args=["sumairu"]),
    ]
    for url in with_map:
        html = client.get(url).content.decode()
        assert "js/maps.js" in html and "data-boundaries=" in html, url
        # plotly.js is not a script of the page: maps.js fetches it when the map is near
        assert "plotly-basic" not in re.findall(r"<script[^>]*src=\"([^\"]+)\"", html).__str__()
    for url in without:
        html = client.get(url).content.decode()
        assert "maps.js" not in html and "data-boundaries=" not in html, url


def test_boundary_file_is_small():
    size = Path(BOUNDARIES).stat().st_size
    assert size < 150_000  # bytes before compression (about 39 KB gzip)
