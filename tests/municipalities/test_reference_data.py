"""The 14 振興局, 179 市町村 with valid codes, and the collaboration areas of the seed."""

import pytest
from django.core.exceptions import ValidationError

from municipalities.models import DMO, CollaborationArea, Municipality, Subprefecture
from municipalities.validators import check_digit, validate_local_government_code

pytestmark = pytest.mark.django_db

MUNICIPALITIES_PER_SUBPREFECTURE = {
    "空知総合振興局": 24,
    "石狩振興局": 8,
    "後志総合振興局": 20,
    "胆振総合振興局": 11,
    "日高振興局": 7,
    "渡島総合振興局": 11,
    "檜山振興局": 7,
    "上川総合振興局": 23,
    "留萌振興局": 8,
    "宗谷総合振興局": 10,
    "オホーツク総合振興局": 18,
    "十勝総合振興局": 19,
    "釧路総合振興局": 8,
    "根室振興局": 5,
}


def test_hokkaido_has_179_municipalities_under_14_subprefectures():
    assert Municipality.objects.count() == 179
    assert Subprefecture.objects.filter(kind="総合振興局").count() == 9
    assert Subprefecture.objects.filter(kind="振興局").count() == 5
    counts = {s.name: s.municipalities.count() for s in Subprefecture.objects.all()}
    assert counts == MUNICIPALITIES_PER_SUBPREFECTURE
    kinds = {k: Municipality.objects.filter(kind=k).count() for k in "市町村"}
    assert kinds == {"市": 35, "町": 129, "村": 15}


def test_every_code_is_six_digits_with_a_valid_check_digit():
    for code in Municipality.objects.values_list("code", flat=True):
        assert code.startswith("01")
        validate_local_government_code(code)


@pytest.mark.parametrize(
    "name, code, subprefecture",
    [
        ("札幌市", "011002", "石狩振興局"),
        ("函館市", "012025", "渡島総合振興局"),
        ("浦河町", "016071", "日高振興局"),
        ("幌加内町", "014729", "上川総合振興局"),
        ("幌延町", "015202", "宗谷総合振興局"),
        ("占冠村", "014630", "上川総合振興局"),
        ("羅臼町", "016942", "根室振興局"),
    ],
)
def test_spot_checks_of_codes_and_subprefectures(name, code, subprefecture):
    municipality = Municipality.objects.select_related("subprefecture").get(name=name)
    assert municipality.code == code
    assert municipality.subprefecture.name == subprefecture


def test_the_check_digit_rule_refuses_a_wrong_digit():
    assert check_digit("01100") == 2
    with pytest.raises(ValidationError, match="検査数字"):
        validate_local_government_code("011003")
    with pytest.raises(ValidationError, match="6桁"):
        validate_local_government_code("１１００２")


def test_eleven_model_areas_with_45_members():
    model_areas = CollaborationArea.objects.filter(kind="model")
    assert model_areas.count() == 11
    assert sum(area.members.count() for area in model_areas) == 45
    by_year = {
        year: model_areas.filter(start_fiscal_year=year).count() for year in (2015, 2016, 2017)
    }
    assert by_year == {2015: 5, 2016: 2, 2017: 4}


def test_ocr_slips_are_stored_under_their_official_names():
    tongari = CollaborationArea.objects.get(name__startswith="とんがりロード")
    assert set(tongari.members.values_list("name", flat=True)) == {
        "浦河町",
        "様似町",
        "えりも町",
        "広尾町",
    }
    assert CollaborationArea.objects.filter(name__startswith="とかち東北部").exists()
    assert not CollaborationArea.objects.filter(name__contains="とちかち").exists()


def test_talks_and_dmos_from_the_seed():
    kita_sorachi = CollaborationArea.objects.get(kind="teiju")
    assert set(kita_sorachi.members.values_list("name", flat=True)) == {
        "深川市",
        "妹背牛町",
        "秩父別町",
        "北竜町",
        "沼田町",
    }
    sapporo = CollaborationArea.objects.get(kind="chusu")
    assert list(sapporo.members.values_list("name", flat=True)) == ["札幌市"]
    assert "11" in sapporo.member_note
    assert DMO.objects.count() == 8
    assert DMO.objects.filter(kind="地域連携DMO").count() == 5
