"""One status service (publish or withdraw results and targets) and one action factory."""

import pytest

from indicators import services
from indicators.admin import ResultAdmin, TargetAdmin, publish_actions
from indicators.models import Indicator, Result, Target

pytestmark = pytest.mark.django_db


def test_set_status_publishes_results_with_a_version_bump_and_a_history_row():
    result = Result.objects.filter(status=Result.Status.PUBLISHED).first()
    services.set_status([result], Result.Status.DRAFT, reason="理由", user=None)
    result.refresh_from_db()
    assert result.status == Result.Status.DRAFT and result.version == 2
    assert result.history.first().history_change_reason == "理由"


def test_set_status_counts_what_was_already_in_that_state():
    indicator = Indicator.objects.public().first()
    target = Target.objects.create(indicator=indicator, fiscal_year=2019, value=1000)
    drafts = Target.objects.filter(pk=target.pk)
    assert services.set_status(drafts, Target.Status.DRAFT, reason="x") == (0, 1)
    reason = services.status_reason(Target, Target.Status.PUBLISHED)
    assert services.set_status(drafts, Target.Status.PUBLISHED, reason=reason) == (1, 0)
    target.refresh_from_db()
    assert target.status == Target.Status.PUBLISHED
    assert target.history.first().history_change_reason == reason


def test_set_status_of_nothing_changes_nothing():
    assert services.set_status([], Result.Status.PUBLISHED, reason="x") == (0, 0)


def test_the_bulk_reasons_are_the_ones_editors_know():
    assert services.status_reason(Result, "published") == "一括操作：公開"
    assert services.status_reason(Result, "draft") == "一括操作：下書きに戻す"
    assert services.status_reason(Target, "published") == "一括操作：目標を公開"
    assert services.status_reason(Target, "draft") == "一括操作：目標を下書きに戻す"


def test_the_action_factory_makes_both_actions_for_a_noun():
    publish, unpublish = publish_actions("目標")
    assert (publish.__name__, unpublish.__name__) == ("publish_selected", "unpublish_selected")
    assert publish.short_description == "選択した目標を公開する"
    assert unpublish.short_description == "選択した目標を下書き（未公開）に戻す"
    # Publishing is the office's: a department role holds "change" for its own drafts only.
    assert publish.allowed_permissions == unpublish.allowed_permissions == ["publish"]
    for model_admin in (ResultAdmin, TargetAdmin):
        assert model_admin.actions == ["publish_selected", "unpublish_selected"]
