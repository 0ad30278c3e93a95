"""Sharing an indicator: an Open Graph image drawn on the server, and an embeddable chart.

The image (1200×630 PNG, what Open Graph and Twitter cards expect) shows the
indicator's headline figure (the total, or 道全体: `Card.headline`) and the page's own
chart: the same Plotly figure, drawn by the same renderer as the page's pictures
(strategy_portal/pictures.py); until that is drawn, the figure alone. The embed
view is a minimal page with the card's chart (its picture first, no script needed)
and table, the only page other sites may frame.
"""

from csp.decorators import csp_replace
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from PIL import Image

from opendata import licence
from projects import credits
from strategy_portal import display, pictures, share
from strategy_portal.share import INK, MUTED, WIDTH, canvas, fit, font

from .cards import card_for
from .charts import BLUE
from .models import Indicator, Result, Target

CHART_AT = (620, 166)  # the chart's top left: the right half, under the title


def share_card(indicator, card) -> share.Card:
    """The indicator page's card: its newest figure, and the image drawn from its figures."""
    headline = card.headline
    if headline:
        label = f"{headline.label} " if headline.label else ""
        figure = f"{headline.result.value_display}（{headline.result.period_display}）"
        description = f"{indicator.name} {label}{figure}"
    else:
        description = f"{indicator.name}の実績"
    return share.card(
        indicator.name,
        description,
        image=reverse("indicators:og_image", args=[indicator.slug]),
        image_alt=f"{indicator.name}の最新の数値" + ("とグラフ" if card.chart else ""),
        type="article",
    )


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
    image, draw = canvas()
    draw.rectangle([0, 0, WIDTH, 14], fill=BLUE)
    small, medium, large = font(28), font(40), font(96)
    draw.text((60, 48), fit(draw, licence.SITE_CREDIT, small, 1080), font=small, fill=MUTED)
    title = indicator.name + (
        f"（{indicator.breakdown_dimension}）" if indicator.breakdown_dimension else ""
    )
    draw.text((60, 92), fit(draw, title, medium, 1080), font=medium, fill=INK)
    headline = card.headline
    if headline is None:
        draw.text((60, 200), "公開されている実績はありません", font=medium, fill=MUTED)
    else:
        result = headline.result
        label = f"{headline.label} " if headline.label else ""
        value = display.value_label(result, indicator.unit)
        draw.text((60, 170), fit(draw, value, large, 520), font=large, fill=INK)
        period = fit(draw, label + result.period_display, small, 520)
        draw.text((60, 290), period, font=small, fill=MUTED)
        if headline.comparison:
            draw.text(
                (60, 334),
                f"{headline.comparison_word} {headline.comparison}",
                font=small,
                fill=MUTED,
            )
        chart = card.chart and pictures.share_chart(card.chart.figure, card.chart.summary)
        if chart:
            with Image.open(chart) as drawn:
                picture = drawn.convert("RGBA")
            image.paste(picture, CHART_AT, picture)
    share.credit_line(draw, credits.attribution(), size=20, bottom=50)
    return share.png(image)


@require_safe
def og_image(request, slug):
    indicator, card = _indicator_card(slug)
    return licence.add_license_link(share.png_response(draw_image(indicator, card)))


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
        "license": licence,
    }
    return render(request, "indicators/embed.html", context)


def embed_code(request, indicator) -> str:
    """The <iframe> a reader copies to embed the chart.

    Its attribute values are HTML-escaped, so a name with quotes or markup stays
    text on every site that pastes the snippet. The result is a plain `str`, not
    safe markup: the page shows it as code, escaped once more by the template.
    """
    url = request.build_absolute_uri(reverse("indicators:embed", args=[indicator.slug]))
    title = f"{indicator.name}（{licence.SITE_CREDIT}）"
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" '
        'width="100%" height="520" loading="lazy" style="border:0"></iframe>'
    )
