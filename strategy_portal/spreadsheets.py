"""Text in spreadsheet cells: the one rule for formulas (CSV and Excel, admin and open data).

A cell starting with = + - @ (or a tab or carriage return) would be run by Excel
as a formula ("CSV injection"). On the way out such text gets a leading
apostrophe, which Excel shows as text; on the way in (the admin import) the
apostrophe is taken off again, so a round trip changes nothing.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)"; anything else (numbers too) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """What escape_formula wrote, read back: "'=1+1" → '=1+1'."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
