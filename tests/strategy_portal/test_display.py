import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from strategy_portal import display


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("20814.0000"), "20,814"),
        (Decimal("1366"), "1,366"),
        (Decimal("1.4400"), "1.44"),
        (Decimal("0"), "0"),
        (Decimal("1234567.5"), "1,234,567.5"),
    ],
)
def test_numbers_have_separators_and_no_trailing_zeros(value, text):
    assert display.format_number(value) == text


def result(**kwargs):
    base = dict(
        period="fy",
        fiscal_year=2017,
        period_start=None,
        period_end=None,
        value=Decimal("80"),
        approximate=False,
        qualifier="",
        denominator=None,
        denominator_label="",
    )
    return SimpleNamespace(**{**base, **kwargs})


def test_value_shows_qualifiers_and_denominator():
    assert (
        display.value_label(result(denominator=Decimal(99), denominator_label="対象"), "市町村")
        == "80市町村（対象99市町村）"
    )
    assert display.value_label(result(value=Decimal(6900), approximate=True), "人") == "約6,900人"
    assert (
        display.value_label(result(value=Decimal(203), qualifier="cumulative"), "市町村")
        == "延べ203市町村"
    )
    assert (
        display.value_label(result(value=Decimal(3000), qualifier="subset", approximate=True), "人")
        == "うち約3,000人"
    )


def test_periods_read_as_printed_kinds():
    assert display.period_label(result()) == "2017年度（平成29年度）"
    assert display.period_label(result(period="cy", fiscal_year=2016)) == "2016年（平成28年）"
    span = result(
        period="span",
        period_start=datetime.date(2016, 10, 1),
        period_end=datetime.date(2018, 3, 31),
    )
    assert display.period_label(span) == "2016年10月1日～2018年3月31日"
    assert (
        display.period_label(result(period="as_of", period_end=datetime.date(2017, 10, 1)))
        == "2017年10月1日現在"
    )
    assert (
        display.period_label(result(period="month", period_end=datetime.date(2016, 11, 1)))
        == "2016年11月"
    )


def test_populations_read_in_man():
    assert display.format_man(4_600_000) == "460"
    assert display.format_man(5_381_733) == "538.1733"
