"""The one number formatter and the one formula rule, as every page and file uses them."""

from decimal import Decimal

import pytest

from strategy_portal import display
from strategy_portal.spreadsheets import escape_formula, unescape_formula


@pytest.mark.parametrize(
    "stored, read, typed, native",
    [
        (Decimal("20814.0000"), "20,814", "20814", 20814),
        (Decimal("1.4400"), "1.44", "1.44", 1.44),
        (Decimal("0.0000"), "0", "0", 0),
        (Decimal("1234567.5000"), "1,234,567.5", "1234567.5", 1234567.5),
    ],
)
def test_a_stored_decimal_is_shown_typed_and_exported_without_its_padding(
    stored, read, typed, native
):
    assert display.format_number(stored) == read
    assert display.plain_number(stored) == typed
    assert display.native_number(stored) == native
    assert type(display.native_number(stored)) is type(native)


def test_no_value_is_blank_or_null():
    assert display.format_number(None) == display.plain_number(None) == ""
    assert display.native_number(None) is None


@pytest.mark.parametrize("text", ["=1+1", "+81 11", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_text_excel_would_run_gets_an_apostrophe_and_reads_back_unchanged(text):
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize("value", ["相談件数", "'quoted", 813, None])
def test_other_cells_are_left_alone(value):
    assert escape_formula(value) == value
