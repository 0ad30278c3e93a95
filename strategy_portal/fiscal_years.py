"""Fiscal years (年度): the one home of the accepted range, the eras (和暦) and the labels.

A fiscal year runs from April to the next March and is named by the year it starts
in: FY2019 is April 2019–March 2020. The portal stores the western year
(2017) and writes it as the prefecture does:

- `label(2017)`           → 2017年度（平成29年度）   (pages, admin lists, choices)
- `short(2017)`           → 2017年度                (chart axes, titles, messages)
- `calendar_label(2016)`  → 2016年（平成28年）       (a calendar-year statistic)
- `calendar_short(2016)`  → 2016年
- `span(2015, 2019)`      → 2015～2019年度
- `era_year(2019)`        → 令和元

Editors may type an era year (平成30年度, H30, 令和元年度): `from_era` reads it.
The range (1989–2100) is checked by the models' validators and constraint, the
forms, the spreadsheet import and the API's parameters, all with `MESSAGE`.
"""

import re

from django.core.validators import MaxValueValidator, MinValueValidator

# --- the accepted range ----------------------------------------------------------------
# 年度 accepted anywhere: the Heisei era's first full fiscal year to far ahead.
MIN_FISCAL_YEAR = 1989
MAX_FISCAL_YEAR = 2100
MESSAGE = f"年度は{MIN_FISCAL_YEAR}～{MAX_FISCAL_YEAR}の範囲で入力してください。"
validators = [
    MinValueValidator(MIN_FISCAL_YEAR, message=MESSAGE),
    MaxValueValidator(MAX_FISCAL_YEAR, message=MESSAGE),
]


def in_range(year: int) -> bool:
    return MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR


# --- eras (和暦) ------------------------------------------------------------------------
# (first year, name, the letter editors type); a fiscal year takes the era in force for
# most of it: FY2019 (April 2019–March 2020) is 令和元年度, as the prefecture writes it.
ERAS = ((2019, "令和", "R"), (1989, "平成", "H"), (1926, "昭和", "S"))

# The eras an editor may type: those inside the accepted range (平成, 令和; H, R).
_TYPED = {
    key: first for first, name, letter in ERAS if first >= MIN_FISCAL_YEAR for key in (name, letter)
}
_TYPED_RE = re.compile(rf"^({'|'.join(_TYPED)})(\d+|元)$", re.IGNORECASE)


def era_year(year: int) -> str:
    """2017 → 平成29, 2019 → 令和元."""
    for first, name, _ in ERAS:
        if year >= first:
            number = year - first + 1
            return f"{name}{'元' if number == 1 else number}"
    return str(year)


def from_era(text: str) -> int | None:
    """'平成30' / 'H30' / 'r元' → the western year; None when `text` is not an era year."""
    match = _TYPED_RE.match(text)
    if not match:
        return None
    name, number = match.group(1), match.group(2)
    first = _TYPED[name.upper() if name.isascii() else name]
    return first - 1 + (1 if number == "元" else int(number))


# --- labels -----------------------------------------------------------------------------


def label(year: int | None) -> str:
    """2017 → 2017年度（平成29年度）; None → ''."""
    if year is None:
        return ""
    return f"{year}年度（{era_year(year)}年度）"


def short(year: int) -> str:
    """2017 → 2017年度."""
    return f"{year}年度"


def calendar_label(year: int) -> str:
    """2016 → 2016年（平成28年）."""
    return f"{year}年（{era_year(year)}年）"


def calendar_short(year: int) -> str:
    """2016 → 2016年."""
    return f"{year}年"


def span(first: int, last: int) -> str:
    """2015, 2019 → 2015～2019年度."""
    return f"{first}～{short(last)}"
