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
