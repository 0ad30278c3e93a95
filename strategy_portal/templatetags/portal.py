"""Template filters for the display rules (see strategy_portal.display)."""

from django import template

from strategy_portal import display

register = template.Library()

register.filter("fiscal_year", display.fiscal_year_label)
register.filter("number", display.format_number)
register.filter("date_ja", display.date_label)
register.filter("man", display.format_man)
