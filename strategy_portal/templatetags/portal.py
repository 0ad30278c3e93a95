"""Template filters for the display rules (see strategy_portal.display)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from strategy_portal import display

register = template.Library()

register.filter("fiscal_year", display.fiscal_year_label)
register.filter("number", display.format_number)
register.filter("date_ja", display.date_label)
register.filter("man", display.format_man)

# Two or more Latin-script words in a row, e.g. "Hokkaido.Expanding Horizons."
ENGLISH_PHRASE = re.compile(r"[A-Za-z][\w'’!?,-]*(?:[ .]+[A-Za-z][\w'’!?,-]*)+\.?", re.ASCII)


@register.filter(needs_autoescape=True)
def mark_english(text, autoescape=True):
    """Japanese text with its English phrases in <span lang="en">, so that screen
    readers switch voice (language of parts, JIS X 8341-3 3.1.2)."""
    escape = conditional_escape if autoescape else str
    text = str(text or "")
    parts, position = [], 0
    for match in ENGLISH_PHRASE.finditer(text):
        parts += [escape(text[position : match.start()]), '<span lang="en">']
        parts += [escape(match.group()), "</span>"]
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
