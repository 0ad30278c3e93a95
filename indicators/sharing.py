"""Sharing an indicator: an Open Graph image drawn on the server, and an embeddable chart.

The image (1200×630 PNG, what Open Graph and Twitter cards expect) shows the
indicator's newest published figure and a bar chart of its series, drawn
with Pillow from the data; the embed view is a minimal page with the card's
chart and table, the only page other sites may frame.
"""

import io
from pathlib import Path

from csp.decorators import csp_replace
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont

from projects import credits
from strategy_portal import display, fiscal_years, opendata

from .cards import card_for
from .charts import BLUE, GREY
from .models import Indicator, Result, Target
from .series import group_series

WIDTH, HEIGHT = 1200, 630
INK = "#1a1a1a"
MUTED = "#4a5560"
# Debian's IPA Gothic (fonts-ipafont-gothic, installed by `make install` as root).
FONT_FILES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
MAX_BARS = 8


def _font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)  # no Japanese glyphs: install the font


def _fit(draw, text: str, font, width: int) -> str:
    """The text, cut with … so it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _indicator_card(slug: str):
    """The indicator as the public sees it: published figures and targets only."""
    indicator = get_object_or_404(
        Indicator.objects.public().select_related(
            "measure__category__section__theme__project__strategy"
        ),
        slug=slug,
    )
    results = list(
        Result.objects.public()
        .filter(indicator=indicator)
        .select_related("edition")
        .order_by("fiscal_year", "period_end", "order", "breakdown")
    )
    targets = list(Target.objects.public().filter(indicator=indicator).in_order())
    card = card_for(indicator, results, targets, plan_start_year=indicator.plan_start_year)
    return indicator, card


def draw_image(indicator, card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 14], fill=BLUE)
    small, medium, large = _font(28), _font(40), _font(96)
    draw.text((60, 48), _fit(draw, opendata.SITE_CREDIT, small, 1080), font=small, fill=MUTED)
    title = indicator.name + (
        f"（{indicator.breakdown_dimension}）" if indicator.breakdown_dimension else ""
    )
    draw.text((60, 92), _fit(draw, title, medium, 1080), font=medium, fill=INK)
    headline = card.headlines[0] if card.headlines else None
    if headline is None:
        draw.text((60, 200), "公開されている実績はありません", font=medium, fill=MUTED)
    else:
        result = headline.result
        label = f"{headline.label} " if headline.label else ""
        value = display.value_label(result, indicator.unit)
        draw.text((60, 170), _fit(draw, value, large, 520), font=large, fill=INK)
        period = _fit(draw, label + result.period_display, small, 520)
        draw.text((60, 290), period, font=small, fill=MUTED)
        if headline.comparison:
            draw.text((60, 334), f"前年度比 {headline.comparison}", font=small, fill=MUTED)
        series = next(
            (s for s in group_series(card.results) if s.breakdown == result.breakdown), None
        )
        if series:
            _bars(draw, series.results[-MAX_BARS:], small)
    credit = _fit(draw, credits.attribution(), _font(20), 1080)
    draw.text((60, HEIGHT - 50), credit, font=_font(20), fill=MUTED)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _bars(draw, results, font):
    """A bar per figure (newest highlighted), on the right half, labelled with its year."""
    left, top, right, bottom = 640, 180, 1140, 520
    values = [float(r.value) for r in results]
    highest = max(values) or 1
    step = (right - left) / len(values)
    width = min(80, step * 0.7)
    draw.line([left, bottom, right, bottom], fill=MUTED, width=2)
    label_font = _font(22)
    for n, (result, value) in enumerate(zip(results, values, strict=True)):
        x = left + step * n + (step - width) / 2
        height = (bottom - top) * value / highest
        colour = BLUE if n == len(values) - 1 else GREY
        draw.rectangle([x, bottom - height, x + width, bottom], fill=colour)
        year = fiscal_years.short(result.fiscal_year)
        draw.text((x + width / 2, bottom + 8), year, font=label_font, fill=MUTED, anchor="ma")


@require_safe
def og_image(request, slug):
    indicator, card = _indicator_card(slug)
    response = HttpResponse(draw_image(indicator, card), content_type="image/png")
    # A share card's image is shown by other sites (SNS, chat): loadable cross-origin,
    # unlike every other response (strategy_portal.security).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return opendata.add_license_link(response)


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # only this view may be framed
def embed(request, slug):
    """「埋め込み」: the chart, its table, the newest figure and the credit; framable by any site."""
    indicator, card = _indicator_card(slug)
    context = {
        "indicator": indicator,
        "card": card,
        "charts": card.chart is not None,
        "page_url": request.build_absolute_uri(indicator.get_absolute_url()),
        "attribution": credits.attribution(),
        "license": opendata,
    }
    return render(request, "indicators/embed.html", context)


def embed_code(request, indicator) -> str:
    """The <iframe> a reader copies to embed the chart.

    Its attribute values are HTML-escaped, so a name with quotes or markup stays
    text on every site that pastes the snippet. The result is a plain `str`, not
    safe markup: the page shows it as code, escaped once more by the template.
    """
    url = request.build_absolute_uri(reverse("indicators:embed", args=[indicator.slug]))
    title = f"{indicator.name}（{opendata.SITE_CREDIT}）"
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" '
        'width="100%" height="520" loading="lazy" style="border:0"></iframe>'
    )
