"""Self-assessment grades (indicators.grading): a table of hand-computed cases, a rule
changed between two years (each grade keeps its version), and an override with its
reason; the public page lists every version of the rule."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from harness.forms import browser_form
from indicators import grading
from indicators.models import Grade, GradingRule, Indicator, Result, SelfAssessment, Target
from projects.models import Department
from tests.conftest import signed_in

from ..test_pages import page_text

pytestmark = pytest.mark.django_db

D = Decimal


def rule(**values):
    defaults = {"a_min": D(100), "b_min": D(80), "c_min": D(50), "min_assessable_share": D(50)}
    return GradingRule(version=99, note="試験", **{**defaults, **values})


# (rates of the KPIs, combine, expected grade), each computed by hand:
CASES = [
    ([D(120), D(90)], "mean", "A"),  # mean 105 ≥ 100
    ([D(100)], "mean", "A"),  # exactly the A threshold
    ([D(90), D(70)], "mean", "B"),  # mean 80 ≥ 80
    ([D("79.9")], "mean", "C"),  # just under B
    ([D(60), D(50)], "mean", "C"),  # mean 55
    ([D(60), D(30)], "mean", "D"),  # mean 45 < 50
    ([D(90), None], "mean", "B"),  # half assessable (50% ≥ 50%): the known one
    ([D(90), None, None], "mean", "N"),  # a third assessable < 50%
    ([None, None], "mean", "N"),
    ([], "mean", "N"),  # no KPI at all
    ([D(120), D(70)], "lowest", "C"),  # the lowest, 70
    ([D(120), D(100)], "lowest", "A"),
]


@pytest.mark.parametrize("rates, combine, expected", CASES)
def test_grades_match_the_hand_computed_table(rates, combine, expected):
    assert grading.grade_for(rates, rule(combine=combine)) == expected


MEASURE_KPIS = (
    "p1-shogai-katsuyaku-intent-municipalities",
    "p1-shogai-katsuyaku-plan-municipalities",
)


@pytest.fixture
def measure_with_targets():
    """FY2017: 45 of a target 50 (90%) and 16 of a target 20 (80%): mean 85%."""
    for slug, target in zip(MEASURE_KPIS, (50, 20), strict=True):
        Target.objects.create(
            indicator=Indicator.objects.get(slug=slug), fiscal_year=2017, value=target
        )
    measure = Indicator.objects.get(slug=MEASURE_KPIS[0]).measure
    measure.department = Department.objects.create(name="保健福祉部")
    measure.save()
    return measure


@pytest.fixture
def office(django_user_model):
    user = django_user_model.objects.create_user("office", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="report_editor"))
    return signed_in(user)


@pytest.fixture
def department(django_user_model, measure_with_targets):
    user = django_user_model.objects.create_user("fukushi", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="department_editor"))
    measure_with_targets.department.members.add(user)
    return signed_in(user)


ADD = reverse("admin:indicators_selfassessment_add")


def assess(client, measure, year, **fields):
    data = {
        "measure": measure.pk,
        "fiscal_year": str(year),
        "achievements": "相談体制を整えた。",
        "external_factor": "",
        "external_factor_note": "",
        "override_grade": "",
        "override_reason": "",
        "change_reason": "",
        **fields,
    }
    return client.post(ADD, data)


def test_a_rule_change_between_two_years_keeps_each_grade_with_its_version(
    office, department, measure_with_targets
):
    measure = measure_with_targets
    assert assess(department, measure, 2017).status_code == 302
    first = SelfAssessment.objects.get(measure=measure, fiscal_year=2017)
    assert first.computed_grade == Grade.B and first.rule.version == 1
    assert [row["rate"] for row in first.kpi_rates] == ["90.0", "80.0"]

    # The office raises B's threshold to 90%: a new version; the 2017 grade stays.
    url = reverse("admin:indicators_gradingrule_change", args=[first.rule.pk])
    data = browser_form(office.get(url))
    data.update(b_min="90", note="Bの下限を90%に引き上げ")
    assert office.post(url, data).status_code == 302
    assert list(GradingRule.objects.values_list("version", "b_min")) == [(2, D(90)), (1, D(80))]
    first.refresh_from_db()
    assert first.computed_grade == Grade.B and first.rule.version == 1

    # 2018 (the same figures carried as 2018 for the test) is graded by version 2: C.
    for slug, value in zip(MEASURE_KPIS, (45, 16), strict=True):
        indicator = Indicator.objects.get(slug=slug)
        Result.objects.create(indicator=indicator, fiscal_year=2018, value=value, source="試験")
        Target.objects.create(
            indicator=indicator, fiscal_year=2018, value=50 if value == 45 else 20
        )
    assert assess(department, measure, 2018).status_code == 302
    second = SelfAssessment.objects.get(measure=measure, fiscal_year=2018)
    assert second.computed_grade == Grade.C and second.rule.version == 2

    page = page_text(office.get(reverse("indicators:grading_rule")))
    assert "第2版" in page and "第1版" in page
    assert "前の版からの変更：B の下限（進捗率 %） 80% → 90%" in page
    assert "Bの下限を90%に引き上げ" in page


def test_an_override_needs_a_reason_and_keeps_both_grades(department, measure_with_targets):
    refused = assess(department, measure_with_targets, 2017, override_grade="A")
    assert refused.status_code == 200
    assert "評価を変更する理由を書いてください" in refused.content.decode()
    assert not SelfAssessment.objects.exists()
    same = assess(department, measure_with_targets, 2017, override_grade="B", override_reason="x")
    assert "基準による評価と同じです" in same.content.decode()
    done = assess(
        department,
        measure_with_targets,
        2017,
        override_grade="A",
        override_reason="年度末に計画を策定した市町村が加わり、実質的に目標を達成した",
    )
    assert done.status_code == 302
    saved = SelfAssessment.objects.get()
    assert (saved.computed_grade, saved.override_grade, saved.grade) == ("B", "A", "A")
    assert saved.is_draft  # the office publishes


def test_another_departments_measure_cannot_be_assessed(department):
    other = Indicator.objects.get(slug="p2-mirai-challenge-budget").measure
    response = assess(department, other, 2017)
    assert response.status_code == 200
    assert "担当部局のものではない" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_the_first_version_and_the_empty_page_say_the_defaults_from_the_model(client):
    page = page_text(client.get(reverse("indicators:grading_rule")))
    assert (
        "初版（A 100%以上、B 80%以上、C 50%以上、KPIの進捗率の平均で判定する）が作られます" in page
    )
    first = grading.current_rule()
    assert first.version == 1 and first.note == (
        "初版（既定の基準：A 100%以上、B 80%以上、C 50%以上、KPIの進捗率の平均で判定する）"
    )
