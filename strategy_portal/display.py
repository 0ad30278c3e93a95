"""Display rules used everywhere: numbers with units, dates and periods (years: fiscal_years)."""

import datetime
from decimal import Decimal

from . import fiscal_years


def date_label(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# Numbers: the one formatter. The database keeps 4 decimal places (813.0000);
# nobody is shown them: a whole number is an int, any other is its shortest decimal.


def normalized(value) -> int | Decimal:
    """Decimal('813.0000') → 813, Decimal('1.4400') → Decimal('1.44')."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def outline_label(value) -> str:
    """A list kept as JSON (bullets, captions, headlines, blocks) as an editor reads
    it: ・item, and an item's sub-items in brackets: ・text［a、b］."""
    items = value if isinstance(value, list) else [value]
    parts = []
    for item in items:
        if isinstance(item, dict):
            head = item.get("text") or item.get("title") or ""
            subs = "、".join(str(sub) for sub in item.get("items", []))
            parts.append(f"・{head}［{subs}］" if subs else f"・{head}")
        else:
            parts.append(f"・{item}")
    return " ".join(parts)


def field_value_label(field, value) -> str:
    """A stored field's value as an editor or reader reads it (history, 正誤表):
    1,024, 下書き（未公開）, はい, 2018年5月1日, ・bullets, the related object's name."""
    from django.db import models

    if value is None or value == "" or value == []:
        return "（なし）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, datetime.datetime):
        return f"{date_label(value)} {value:%H:%M}"
    if isinstance(value, datetime.date):
        return date_label(value)
    if isinstance(field, models.JSONField):
        return outline_label(value)
    if field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return str(value)


def format_number(value) -> str:
    """For reading, with thousands separators: Decimal('20814.0000') → 20,814."""
    if value is None:
        return ""
    number = normalized(value)
    return f"{number:,}" if isinstance(number, int) else f"{number:,f}"


def plain_number(value) -> str:
    """For typing and spreadsheets, no separators: 20814, 1.44; '' for None."""
    if value is None:
        return ""
    number = normalized(value)
    return str(number) if isinstance(number, int) else format(number, "f")


def native_number(value) -> int | float | None:
    """For JSON and spreadsheet cells: 813 stays an integer, 1.44 a float."""
    if value is None:
        return None
    number = normalized(value)
    return number if isinstance(number, int) else float(number)


def format_man(value) -> str:
    """A count in 万 (ten thousands), as Japanese plans state populations: 4600000 → 460."""
    return format_number(Decimal(value) / 10_000)


def period_label(result) -> str:
    """The period a result covers, as the reader expects to see it."""
    kind = result.period
    if kind == "cy":
        return fiscal_years.calendar_label(result.fiscal_year)
    if kind == "span" and result.period_start and result.period_end:
        return f"{date_label(result.period_start)}～{date_label(result.period_end)}"
    if kind == "as_of" and result.period_end:
        return f"{date_label(result.period_end)}現在"
    if kind == "month" and result.period_end:
        return f"{result.period_end.year}年{result.period_end.month}月"
    return fiscal_years.label(result.fiscal_year)


def period_short_label(result) -> str:
    """A compact period for chart axes: 2017年度, 2016年, 2017年10月1日現在,
    2016年10月～2018年3月."""
    if result.period == "fy":
        return fiscal_years.short(result.fiscal_year)
    if result.period == "cy":
        return fiscal_years.calendar_short(result.fiscal_year)
    if result.period == "span" and result.period_start and result.period_end:
        # Both ends, by month: spans from one start date differ only at their end.
        start, end = result.period_start, result.period_end
        return f"{start.year}年{start.month}月～{end.year}年{end.month}月"
    return period_label(result)


def value_parts(result, unit: str) -> dict:
    """The pieces of a displayed value, so a card can print the number large."""
    prefix = ""
    if result.qualifier == "subset":
        prefix += "うち"
    if result.qualifier == "cumulative":
        prefix += "延べ"
    if result.approximate:
        prefix += "約"
    suffix = ""
    if result.denominator is not None:
        suffix = f"（{result.denominator_label}{format_number(result.denominator)}{unit}）"
    return {"prefix": prefix, "number": format_number(result.value), "unit": unit, "suffix": suffix}


def value_label(result, unit: str) -> str:
    """813件, 約6,900人, 延べ203市町村, 80市町村（対象99市町村）."""
    parts = value_parts(result, unit)
    return f"{parts['prefix']}{parts['number']}{parts['unit']}{parts['suffix']}"


def change_word(result) -> str:
    """What the change from the year before is called: 前年比 between calendar years
    (暦年の統計), 前年度比 between fiscal years and other periods."""
    return "前年比" if result.period == "cy" else "前年度比"


def change_label(latest, previous, unit: str) -> str:
    """前年度比 for two results of consecutive periods: +6,638千円（131.9%）."""
    difference = Decimal(latest.value) - Decimal(previous.value)
    sign = "+" if difference > 0 else ("±" if difference == 0 else "-")
    text = f"{sign}{format_number(abs(difference))}{unit}"
    if previous.value:
        ratio = (Decimal(latest.value) / Decimal(previous.value) * 100).quantize(Decimal("0.1"))
        text += f"（{ratio}%）"
    return text
