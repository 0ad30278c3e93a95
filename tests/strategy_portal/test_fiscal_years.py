import pytest
from django.core.exceptions import ValidationError

from strategy_portal import fiscal_years


@pytest.mark.parametrize(
    "year, label",
    [
        (2015, "2015年度（平成27年度）"),
        (2017, "2017年度（平成29年度）"),
        (2018, "2018年度（平成30年度）"),
        (2019, "2019年度（令和元年度）"),
        (2020, "2020年度（令和2年度）"),
        (1989, "1989年度（平成元年度）"),
    ],
)
def test_fiscal_years_read_with_their_era(year, label):
    assert fiscal_years.label(year) == label


def test_no_year_has_no_label():
    assert fiscal_years.label(None) == ""


def test_a_year_before_heisei_is_showa_and_before_showa_is_plain():
    assert fiscal_years.era_year(1988) == "昭和63"
    assert fiscal_years.era_year(1926) == "昭和元"
    assert fiscal_years.era_year(1900) == "1900"


def test_short_calendar_and_span_labels():
    assert fiscal_years.short(2017) == "2017年度"
    assert fiscal_years.calendar_label(2016) == "2016年（平成28年）"
    assert fiscal_years.calendar_short(2016) == "2016年"
    assert fiscal_years.span(2015, 2019) == "2015～2019年度"


@pytest.mark.parametrize(
    "typed, year",
    [("平成30", 2018), ("H30", 2018), ("h29", 2017), ("令和元", 2019), ("R2", 2020), ("r元", 2019)],
)
def test_an_era_year_typed_by_an_editor_is_read(typed, year):
    assert fiscal_years.from_era(typed) == year


@pytest.mark.parametrize("typed", ["2018", "昭和63", "S63", "平成", "H30年度", "大正5"])
def test_what_is_not_an_era_year_in_range_is_not_read_as_one(typed):
    assert fiscal_years.from_era(typed) is None


@pytest.mark.parametrize(
    "year, accepted", [(1988, False), (1989, True), (2100, True), (2101, False)]
)
def test_the_range_and_its_validators_agree(year, accepted):
    assert fiscal_years.in_range(year) is accepted
    messages = []
    for validator in fiscal_years.validators:
        try:
            validator(year)
        except ValidationError as error:
            messages += error.messages
    assert messages == ([] if accepted else [fiscal_years.MESSAGE])
    assert fiscal_years.MESSAGE == "年度は1989～2100の範囲で入力してください。"
