"""Share cards of the site's pages (strategy_portal/share.py) and the site's image.

- A project page's image is its headline indicator's og.png: the first indicator
  card on the page, in the report's order, that has figures (what a reader sees
  first); a project with no figures on the page has the site's image.
- The site's image (/og.png): Hokkaido's outline, the site's name and the
  strategy's name and years from the Strategy row; one image, for every page
  with no subject of its own (home, the lists, about, the open data page).
"""

from django.urls import reverse
from django.views.decorators.http import require_safe

from municipalities import maps
from municipalities import sharing as places
from opendata import licence
from projects.models import Strategy
from strategy_portal import share
from strategy_portal.share import INK, MUTED, WIDTH, canvas, fit, font


def strategy_title(strategy) -> str:
    """「北海道創生総合戦略（2015～2019年度）」, from the row."""
    return f"{strategy.name}（{strategy.start_year}～{strategy.end_year}年度）"


def project_card(project, themes, measures) -> share.Card:
    """`themes` and `measures`: the page's own, already read (no query of its own)."""
    themes = [t.title for t in themes if t.title]
    description = f"{project.strategy.name}の重点戦略プロジェクト：{project.name}"
    if themes:
        description += "（" + "、".join(themes) + "）"
    headline = next((c for m in measures for c in m.cards if c.headlines), None)
    if headline is None:
        return share.card(project.name, description, type="article")
    indicator = headline.indicator
    return share.card(
        project.name,
        description,
        image=reverse("indicators:og_image", args=[indicator.slug]),
        image_alt=f"{indicator.name}の最新の数値" + ("とグラフ" if headline.chart else ""),
        type="article",
    )


def draw_site_image(strategy) -> bytes:
    image, draw = canvas()
    draw.rectangle([0, 0, WIDTH, 14], fill=maps.PALETTE[0])
    codes = frozenset(f["code"] for f in maps.boundaries()["features"])
    places.draw_map(draw, codes, colour=maps.PALETTE[0])
    title, size, lines = share.heading(draw, licence.SITE_CREDIT, 420, sizes=(60, 52, 44))
    y = 150
    for line in lines:
        draw.text((60, y), line, font=title, fill=INK)
        y += round(size * 1.25)
    if strategy is not None:
        medium = font(34)
        y += 40
        for line in (strategy.name, f"（{strategy.start_year}～{strategy.end_year}年度）"):
            draw.text((60, y), fit(draw, line, medium, 420), font=medium, fill=MUTED)
            y += 48
    share.credit_line(draw, licence.BOUNDARY_CREDIT)
    return share.png(image)


@require_safe
def og_image(request):
    return share.png_response(draw_site_image(Strategy.objects.first()))
