"""The database refuses bad results, with messages an editor can act on."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator, Result, Target
from projects.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():
    return Indicator.objects.get(slug="p1-marriage-support-consultations")


def new_result(indicator, **kwargs):
    fields = dict(
        indicator=indicator,
        edition=Edition.objects.get(year=2018),
        fiscal_year=2016,
        value=Decimal("700"),
    )
    return Result(**{**fields, **kwargs})


def assert_refused(result, message):
    with pytest.raises(ValidationError) as info:
        result.full_clean()
    assert message in str(info.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        result.save()


def test_one_result_per_indicator_year_and_breakdown(indicator):
    # The model's own validation names the stored row in the way (its value and ID).
    stored = indicator.results.get(fiscal_year=2017, breakdown="")
    assert_refused(
        new_result(indicator, fiscal_year=2017),
        f"すでに登録されています：「{stored}」{stored.value_display}（公開、ID {stored.pk}）",
    )
    new_result(indicator, fiscal_year=2017, breakdown="札幌市").save()  # another breakdown is fine


def test_denominator_must_not_be_below_the_value(indicator):
    assert_refused(
        new_result(indicator, denominator=Decimal("99")), "分母（99）は値（700）以上にしてください"
    )


def test_negative_values_are_refused(indicator):
    assert_refused(new_result(indicator, value=Decimal("-1")), "負の数")


def test_fiscal_year_must_be_sane(indicator):
    assert_refused(new_result(indicator, fiscal_year=3017), "年度は")


def test_a_span_needs_ordered_dates(indicator):
    assert_refused(
        new_result(
            indicator,
            period="span",
            period_start=datetime.date(2018, 3, 31),
            period_end=datetime.date(2016, 10, 1),
        ),
        "開始日と終了日",
    )
    assert_refused(new_result(indicator, period="as_of"), "日付が必要")


def test_targets_are_unique_per_year(indicator):
    Target.objects.create(indicator=indicator, fiscal_year=2019, value=900)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=indicator, fiscal_year=2019, value=950)


def test_published_hides_drafts(indicator, django_user_model):
    draft = new_result(indicator, status="draft")
    draft.save()
    assert draft not in Result.objects.published()
    staff = django_user_model.objects.create_user("s")
    staff.user_permissions.add(Permission.objects.get(codename="view_result"))
    assert draft in Result.objects.visible_to(django_user_model.objects.get(pk=staff.pk))
    assert draft not in Result.objects.visible_to(django_user_model.objects.create_user("t"))
