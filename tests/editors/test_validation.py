"""What an editor may type in a result form, and what they are told when it is wrong."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.forms import InputError, parse_decimal, parse_fiscal_year
from indicators.models import Indicator, Result
from strategy_portal import display

from .conftest import add_result

pytestmark = pytest.mark.django_db


def errors_of(response):
    """The form's error messages, as shown above and beside the fields."""
    assert response.status_code == 200, "the form comes back with its errors"
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def stored(fiscal_year=2018, slug="p1-marriage-support-consultations", breakdown=""):
    return Result.objects.get(indicator__slug=slug, fiscal_year=fiscal_year, breakdown=breakdown)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("１，３６６", Decimal("1366")),
        ("1,366", Decimal("1366")),
        (" 1366 ", Decimal("1366")),
        ("１．４４", Decimal("1.44")),
        ("20,814", Decimal("20814")),
    ],
)
def test_full_width_digits_and_separators_are_accepted(editor_client, typed, expected):
    # 合計特殊出生率 has no unit: it takes decimals (a count of 件 would not).
    slug = "p5-total-fertility-rate"
    response = add_result(editor_client, slug=slug, value=typed, breakdown="道全体")
    assert response.status_code == 302, errors_of(response)
    assert stored(slug=slug, breakdown="道全体").value == expected


@pytest.mark.parametrize(
    "typed, message",
    [
        ("NaN", "値にNaN（非数）や無限大は入力できません。数値を入力してください。"),
        ("Infinity", "値にNaN（非数）や無限大は入力できません。数値を入力してください。"),
        ("-inf", "値にNaN（非数）や無限大は入力できません。数値を入力してください。"),
        ("∞", "値にNaN（非数）や無限大は入力できません。数値を入力してください。"),
        ("-5", "値に負の数は入力できません。"),
        ("－５", "値に負の数は入力できません。"),
        ("約900", "「約」は値に含めず、「概数（約）」の欄で指定してください。"),
        ("900件", "単位「件」は値に入れないでください（単位は指標で決まっています）。"),
        ("1e3", "値「1e3」を数値として読めません。"),
    ],
)
def test_values_that_are_not_a_count_are_refused_with_a_clear_message(
    editor_client, typed, message
):
    messages = errors_of(add_result(editor_client, value=typed))
    assert any(m.startswith(message) for m in messages), messages
    assert not Result.objects.filter(
        fiscal_year=2018, indicator__slug__startswith="p1-marr"
    ).exists()


@pytest.mark.parametrize("typed", ["1988", "2101", "18", "平成０年度", "H31年度extra"])
def test_a_fiscal_year_outside_the_sane_range_is_refused(editor_client, typed):
    messages = errors_of(add_result(editor_client, fiscal_year=typed))
    assert any("年度" in m for m in messages), messages


@pytest.mark.parametrize(
    "typed, year",
    [
        ("２０１８", 2018),
        ("2018年度", 2018),
        ("平成30年度", 2018),
        ("H30", 2018),
        ("令和元年度", 2019),
    ],
)
def test_a_fiscal_year_may_be_typed_as_japanese_write_it(editor_client, typed, year):
    response = add_result(editor_client, fiscal_year=typed)
    assert response.status_code == 302, errors_of(response)
    assert stored(fiscal_year=year).value == 900


def test_a_denominator_below_the_value_is_refused(editor_client):
    messages = errors_of(add_result(editor_client, value="100", denominator="99"))
    assert "分母（99）は値（100）以上にしてください。" in messages


def test_a_duplicate_names_the_existing_row(editor_client):
    existing = stored(fiscal_year=2017)
    messages = errors_of(add_result(editor_client, fiscal_year="2017", value="1"))
    assert any(
        "この指標・年度・内訳の実績はすでに登録されています" in m
        and "相談件数 2017年度" in m
        and "813件" in m
        and f"ID {existing.pk}" in m
        for m in messages
    ), messages
    assert stored(fiscal_year=2017).value == 813


def test_a_breakdown_differing_only_in_spaces_is_the_same_row(editor_client):
    slug = "p2-mirai-challenge-grants"
    messages = errors_of(
        add_result(editor_client, slug, fiscal_year="2017", breakdown=" スポーツコース ")
    )
    assert any("すでに登録されています" in m for m in messages), messages


def test_a_span_needs_both_dates_in_order(editor_client):
    messages = errors_of(
        add_result(editor_client, period="span", period_start="2018-03-31", period_end="2017-04-01")
    )
    assert "期間には開始日と終了日（開始日以降）が必要です。" in messages


def test_a_change_needs_a_reason(editor_client):
    result = stored(fiscal_year=2017)
    url = reverse("admin:indicators_result_change", args=[result.pk])
    page = editor_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        value="814", change_reason="", indicator=result.indicator_id, edition=result.edition_id
    )
    response = editor_client.post(url, data)
    assert "このフィールドは必須です。" in errors_of(response)
    assert "変更理由" in response.content.decode()
    assert stored(fiscal_year=2017).value == 813


def test_the_value_box_accepts_what_an_ime_types():
    """A text box, not <input type=number>, which would not take １，３６６ at all."""
    from indicators.forms import ResultForm

    html = str(ResultForm()["value"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html


@pytest.mark.parametrize(
    "cell, expected",
    [
        (813, Decimal("813")),
        (1.44, Decimal("1.44")),
        ("", None),
        (None, None),
        ("1、366", Decimal("1366")),
    ],
)
def test_spreadsheet_cells_are_read_as_numbers(cell, expected):
    assert parse_decimal(cell) == expected


@pytest.mark.parametrize("cell", [float("nan"), float("inf"), True, "1.2.3", "--1"])
def test_spreadsheet_cells_that_are_not_numbers_are_refused(cell):
    with pytest.raises(InputError):
        parse_decimal(cell)


@pytest.mark.parametrize("cell, year", [(2017.0, 2017), ("R2", 2020), ("h29年度", 2017)])
def test_spreadsheet_fiscal_years(cell, year):
    assert parse_fiscal_year(cell) == year


def test_a_breakdown_typed_with_a_full_width_space_is_the_course_already_stored(editor_client):
    grants = Indicator.objects.get(slug="p2-mirai-challenge-grants")
    response = add_result(
        editor_client,
        slug=grants.slug,
        fiscal_year="2018",
        breakdown="スポーツ　コース",
        value="4",
    )
    assert response.status_code == 302
    assert Result.objects.get(indicator=grants, fiscal_year=2018).breakdown == "スポーツコース"
    courses = set(Result.objects.filter(indicator=grants).values_list("breakdown", flat=True))
    assert len(courses) == 4


def test_a_count_cannot_have_decimals(editor_client):
    response = add_result(editor_client, fiscal_year="2018", value="21.5")
    assert response.status_code == 200
    assert "「件」は数を数える単位なので、小数（21.5）は入力できません" in response.content.decode()


def test_the_denominator_label_takes_no_number(editor_client):
    municipalities = Indicator.objects.get(slug="p1-safe-childbirth-support-municipalities")
    response = add_result(
        editor_client,
        slug=municipalities.slug,
        fiscal_year="2018",
        value="82",
        denominator="179",
        denominator_label="対象179市町村",
    )
    assert response.status_code == 200
    assert "分母の名称には数や単位を入れず" in response.content.decode()
    assert not Result.objects.filter(indicator=municipalities, fiscal_year=2018).exists()


@pytest.mark.parametrize(
    "start, end",
    [
        ("2016/10/01", "2019年3月31日"),
        ("２０１６－１０－０１", "2019-03-31"),
        ("H28.10.1", "H31.3.31"),  # 和暦, as the report prints its periods
        ("平成28年10月1日", "平成31年3月31日"),
    ],
)
def test_the_admin_reads_dates_as_the_import_does(editor_client, start, end):
    response = add_result(
        editor_client,
        slug="p1-furusato-center-consultations",
        fiscal_year="2018",
        value="2110",
        period="span",
        period_start=start,
        period_end=end,
    )
    assert response.status_code == 302, errors_of(response)
    stored_span = stored(slug="p1-furusato-center-consultations")
    assert (stored_span.period_start.isoformat(), stored_span.period_end.isoformat()) == (
        "2016-10-01",
        "2019-03-31",
    )


def test_a_month_figure_takes_a_year_and_month_alone(editor_client, client):
    """年月: 「2018年11月」 is the month (stored as its first day), shown as typed."""
    response = add_result(
        editor_client,
        slug="p1-furusato-center-consultations",
        fiscal_year="2018",
        value="2110",
        period="month",
        period_end="2018年11月",
    )
    assert response.status_code == 302, errors_of(response)
    stored_month = stored(slug="p1-furusato-center-consultations")
    assert stored_month.period_end.isoformat() == "2018-11-01"
    assert display.period_label(stored_month) == "2018年11月"


def test_an_era_date_that_does_not_exist_is_refused_with_examples(editor_client):
    response = add_result(
        editor_client,
        slug="p1-furusato-center-consultations",
        fiscal_year="2018",
        value="2110",
        period="as_of",
        period_end="平成30年2月30日",
    )
    assert any(
        "「平成30年2月30日」を日付として読めません（例：2016-10-01、H28.10.1" in message
        for message in errors_of(response)
    )
    assert not Result.objects.filter(
        indicator__slug="p1-furusato-center-consultations", fiscal_year=2018
    ).exists()


def test_every_problem_of_a_value_is_said_at_once():
    """「約45回」 was flagged for 約 only: the 回 needed another round (issue 19, part 10)."""
    from indicators.forms import InputError, parse_decimal

    with pytest.raises(InputError) as error:
        parse_decimal("約45回")
    message = str(error.value)
    assert "「約」は値に含めず、「概数（約）」の欄で指定してください。" in message
    assert "単位「回」は値に入れないでください" in message
