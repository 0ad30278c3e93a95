"""Template filters for the display rules (see strategy_portal.display)."""

import re

from django import template
from django.utils.html import format_html, format_html_join

from strategy_portal import display, fiscal_years

register = template.Library()

register.filter("fiscal_year", fiscal_years.label)
register.filter("number", display.format_number)
register.filter("date_ja", display.date_label)
register.filter("man", display.format_man)

# Two or more Latin-script words in a row, e.g. "Hokkaido.Expanding Horizons."
ENGLISH_PHRASE = re.compile(r"[A-Za-z][\w'’!?,-]*(?:[ .]+[A-Za-z][\w'’!?,-]*)+\.?", re.ASCII)


@register.filter
def mark_english(text):
    """Japanese text with its English phrases in <span lang="en">, so that screen
    readers switch voice (language of parts, JIS X 8341-3 3.1.2). Every piece of
    the text is escaped by format_html; only the spans are markup."""
    text = str(text or "")
    pieces, position = [], 0
    for match in ENGLISH_PHRASE.finditer(text):
        pieces.append((text[position : match.start()], match.group()))
        position = match.end()
    marked = format_html_join("", '{}<span lang="en">{}</span>', pieces)
    return format_html("{}{}", marked, text[position:])


# A page's first charts are what a reader sees before scrolling: their pictures load at
# once, so they are in the first paint; the rest wait until they are near the viewport.
FIRST_VIEW_CHARTS = 2


@register.simple_tag(takes_context=True)
def chart_loading(context) -> str:
    """`loading` for the next chart's pictures in this page: eager for the first
    FIRST_VIEW_CHARTS (and on a page made for printing), lazy after them."""
    # The page's own render state: each included template gets a state of its own on top.
    page = context.render_context.dicts[0]
    seen = page.get("charts_seen", 0)
    page["charts_seen"] = seen + 1
    if context.get("eager_pictures") or seen < FIRST_VIEW_CHARTS:
        return "eager"
    return "lazy"
