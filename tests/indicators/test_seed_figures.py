"""Every figure printed in the seed is stored as a result, with its unit and period."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Result

pytestmark = pytest.mark.django_db

SEED_TEXT = Path(settings.BASE_DIR).parent.joinpath("shared/seed/000_d177e17a2c8ccc19.txt")
FIGURE = re.compile(
    r"(?<![\d.])(\d(?:[\d,]|\s(?=\d))*)\s*(件|市町村|人|回|名|社|千円|圏域|地域|振興局|事業|者)"
)
# Numbers in the text that are words of a sentence or part of a name, not figures.
PROSE = {
    ("24", "社"): "「24社・団体が構成する」: the council's membership, in a sentence",
    ("4", "者"): "「4者で包括連携協定を締結」: parties to an agreement",
    ("5", "者"): "「5者で協力連携協定を締結」: parties to an agreement",
    ("3", "市町村"): "part of the area name 留萌南部3市町村連携地域",
    ("5", "市町村"): "part of the area name 西紋別5市町村連携地域",
}


def seed_text():
    if SEED_TEXT.exists():
        return SEED_TEXT.read_text(encoding="utf-8")
    pytest.skip("the shared seed text is not beside the project")


def test_every_printed_figure_is_a_stored_result():
    stored = set()
    for r in Result.objects.select_related("indicator"):
        stored.add((r.value, r.indicator.unit))
        if r.denominator is not None:
            stored.add((r.denominator, r.indicator.unit))
    missing = []
    for match in FIGURE.finditer(seed_text()):
        number = re.sub(r"[\s,]", "", match.group(1))
        unit = match.group(2)
        if (number, unit) in PROSE:
            continue
        if (Decimal(number), unit) not in stored:
            missing.append(match.group(0))
    assert missing == []


def test_the_rates_are_stored_with_their_areas():
    rates = Result.objects.filter(indicator__name="合計特殊出生率").order_by("order")
    assert [(r.breakdown, r.value) for r in rates] == [
        ("全国", Decimal("1.44")),
        ("道全体", Decimal("1.29")),
        ("札幌市", Decimal("1.18")),
    ]
    assert {r.period for r in rates} == {"cy"}
    assert {r.fiscal_year for r in rates} == {2016}


def result(name, **filters):
    return Result.objects.select_related("indicator").get(indicator__name=name, **filters)


def test_spot_checks_against_the_seed():
    consultations = result("相談件数", indicator__slug__startswith="p1-")
    assert (consultations.value, consultations.indicator.unit, consultations.fiscal_year) == (
        813,
        "件",
        2017,
    )
    assert consultations.value_display == "813件"

    childbirth = Result.objects.get(indicator__slug="p1-safe-childbirth-support-municipalities")
    assert childbirth.value_display == "80市町村（対象99市町村）"

    span = result("相談対応件数")
    assert span.period == "span"
    assert (span.period_start, span.period_end) == (
        datetime.date(2016, 10, 1),
        datetime.date(2018, 3, 31),
    )
    assert result("相談対応人数").value_display == "1,648人"
    assert result("セミナー市町村数（延べ）").value_display == "延べ203市町村"

    as_of = result("「生涯活躍のまち」の推進意向のある市町村")
    assert as_of.period_display == "2017年10月1日現在"

    budget = Result.objects.filter(indicator__name="予算額").order_by("fiscal_year")
    assert [(r.fiscal_year, r.value_display) for r in budget] == [
        (2017, "20,814千円"),
        (2018, "27,452千円"),
    ]
    courses = Result.objects.filter(indicator__name="助成実績").order_by("order")
    assert [(r.breakdown, r.value) for r in courses] == [
        ("学生留学コース", 5),
        ("スポーツコース", 3),
        ("文化芸術コース", 1),
        ("未来の匠コース", 1),
    ]
    fair = Result.objects.get(indicator__slug="p3-smart-agri-fair-visitors")
    assert (fair.value_display, fair.period_display) == ("約5,000名", "2016年11月")
    sapporo = Result.objects.get(indicator__name="道外への転出超過数", breakdown="札幌市")
    assert sapporo.value_display == "うち約3,000人"


def test_seed_results_are_published_and_cite_the_2018_report():
    assert Result.objects.count() >= 48
    assert not Result.objects.exclude(status="published").exists()
    assert set(Result.objects.values_list("edition__year", flat=True)) == {2018}
