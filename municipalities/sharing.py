"""Share images of places: Hokkaido's outline from the municipality boundaries
(maps.boundaries(), the committed static file), with a municipality, a 振興局's
or an area's municipalities filled, and its name; 1200×630 PNGs drawn with Pillow.

The site's own image (pages.views.og_image) is the same outline with nothing
highlighted. Longitude is scaled by cos(43.5°), as on the page's maps.
"""

import math

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from opendata import licence
from strategy_portal import share
from strategy_portal.share import HEIGHT, INK, MUTED, WIDTH, canvas, fit, font

from . import maps
from .models import CollaborationArea, Municipality, Subprefecture

# The map's box on the image (right-hand side), in pixels.
MAP_BOX = (470, 40, WIDTH - 30, HEIGHT - 70)
HIGHLIGHT = maps.PALETTE[1]  # the page's locator map fills the municipality in this red
MARK_RADIUS = 14  # a ring around a place too small to see at this scale


def _points(ring, scale):
    x, y = ring[0], ring[1]
    points = [(x / scale, y / scale)]
    for i in range(2, len(ring), 2):
        x += ring[i]
        y += ring[i + 1]
        points.append((x / scale, y / scale))
    return points


def _projection():
    """Degrees → pixels: all of Hokkaido (with the Northern Territories) fitted in MAP_BOX."""
    x0, x1, y0, y1 = maps._bounds()
    shrink = math.cos(math.radians(maps.HOKKAIDO_LATITUDE))
    left, top, right, bottom = MAP_BOX
    per_degree = min((right - left) / ((x1 - x0) * shrink), (bottom - top) / (y1 - y0))
    width, height = (x1 - x0) * shrink * per_degree, (y1 - y0) * per_degree
    offset_x = left + (right - left - width) / 2
    offset_y = top + (bottom - top - height) / 2

    def project(lon, lat):
        return (offset_x + (lon - x0) * shrink * per_degree, offset_y + (y1 - lat) * per_degree)

    return project


AROUND = "#8fb3d9"  # the rest of the municipality's 振興局, as on the locator map


def draw_map(draw, codes=frozenset(), colour=HIGHLIGHT, around=frozenset()):
    """Every municipality in grey with its outline, those in `codes` filled with `colour`
    (those in `around` in light blue); a place smaller than the ring is marked with it."""
    data = maps.boundaries()
    project = _projection()
    scale = data["scale"]
    highlighted = []
    for feature in data["features"]:
        chosen = feature["code"] in codes
        for ring in feature["rings"]:
            polygon = [project(*p) for p in _points(ring, scale)]
            if len(polygon) < 3:
                continue
            fill = colour if chosen else AROUND if feature["code"] in around else maps.OTHERS
            draw.polygon(polygon, fill=fill, outline=maps.OTHERS_LINE if not chosen else None)
            if chosen:
                highlighted.extend(polygon)
    if highlighted:
        xs, ys = [p[0] for p in highlighted], [p[1] for p in highlighted]
        if max(xs) - min(xs) < MARK_RADIUS and max(ys) - min(ys) < MARK_RADIUS:
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            r = MARK_RADIUS
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=4)


TEXT_WIDTH = 400  # the text column, left of the map


def draw_place(name: str, lines: list[str], codes, around=()) -> bytes:
    """The image: the site's name, the place's name and a line or two about it, the map."""
    image, draw = canvas()
    draw.rectangle([0, 0, WIDTH, 14], fill=maps.PALETTE[0])
    draw_map(draw, frozenset(codes), around=frozenset(around))
    small, medium = font(28), font(30)
    draw.text((60, 48), fit(draw, licence.SITE_CREDIT, small, TEXT_WIDTH), font=small, fill=MUTED)
    large, size, name_lines = share.heading(draw, name, TEXT_WIDTH)
    y = 140
    for line in name_lines:
        draw.text((60, y), line, font=large, fill=INK)
        y += round(size * 1.2)
    y += 24
    for text in lines:
        for line in share.wrap(draw, text, medium, TEXT_WIDTH, 2):
            draw.text((60, y), line, font=medium, fill=INK)
            y += 44
    share.credit_line(draw, licence.BOUNDARY_CREDIT)
    return share.png(image)


def _codes_with_territories(subprefecture: Subprefecture, codes: list[str]) -> list[str]:
    return codes + maps.uncounted_in(subprefecture.name)


# --- cards and images of the pages ---------------------------------------------------------


def municipality_card(municipality: Municipality) -> share.Card:
    subprefecture = municipality.subprefecture
    return share.card(
        municipality.name,
        f"{municipality.name}（{municipality.kana}）：{subprefecture.name}の"
        f"{municipality.get_kind_display()}。位置の地図、参加している連携地域、名前が挙がっている施策",
        image=reverse("municipalities:og_image", args=[municipality.code]),
        image_alt=f"北海道の地図に{municipality.name}を赤で、{subprefecture.name}の市町村を薄い青で示した画像",
        type="article",
    )


def _first_names(municipalities, shown: int = 5) -> str:
    """札幌市・江別市・千歳市・恵庭市・北広島市など: a group's first members, for a card."""
    more = "など" if len(municipalities) > shown else ""
    return "・".join(m.name for m in municipalities[:shown]) + more


def subprefecture_card(subprefecture: Subprefecture, municipalities) -> share.Card:
    names = _first_names(municipalities)
    return share.card(
        subprefecture.name,
        f"{subprefecture.name}（{subprefecture.seat}）の{len(municipalities)}市町村：{names}",
        image=reverse("municipalities:subprefecture_og_image", args=[subprefecture.slug]),
        image_alt=f"北海道の地図に{subprefecture.name}の市町村を赤で示した画像",
        type="article",
    )


def area_card(area: CollaborationArea, members) -> share.Card:
    return share.card(
        area.name,
        f"{area.name}（{area.get_kind_display()}）の構成市町村：{_first_names(members)}",
        image=reverse("municipalities:area_og_image", args=[area.slug]),
        image_alt=f"北海道の地図に{area.name}の構成市町村を赤で示した画像",
        type="article",
    )


@require_safe
def og_image(request, code):
    municipality = get_object_or_404(
        Municipality.objects.select_related("subprefecture"), code=code
    )
    subprefecture = municipality.subprefecture
    lines = [municipality.kana, f"{subprefecture.name}の{municipality.get_kind_display()}"]
    around = subprefecture.municipalities.values_list("code", flat=True)
    image = draw_place(municipality.name, lines, [municipality.code], around=list(around))
    return share.png_response(image)


@require_safe
def subprefecture_og_image(request, slug):
    subprefecture = get_object_or_404(Subprefecture, slug=slug)
    codes = list(subprefecture.municipalities.values_list("code", flat=True))
    lines = [f"{len(codes)}市町村（所在地：{subprefecture.seat}）"]
    codes = _codes_with_territories(subprefecture, codes)
    return share.png_response(draw_place(subprefecture.name, lines, codes))


@require_safe
def area_og_image(request, slug):
    area = get_object_or_404(CollaborationArea, slug=slug)
    codes = list(area.members.values_list("code", flat=True))
    lines = [area.get_kind_display(), f"構成市町村：{len(codes)}"]
    return share.png_response(draw_place(area.name, lines, codes))
