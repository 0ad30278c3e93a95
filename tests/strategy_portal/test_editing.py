import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from strategy_portal import editing


def test_a_reason_passed_by_code_is_clipped_to_one_line_of_the_limit():
    assert editing.clip("  誤りを\n訂正  ") == "誤りを 訂正"
    clipped = editing.clip("あ" * 150)
    assert len(clipped) == editing.REASON_MAX_LENGTH == 100
    assert clipped.endswith("…")
    assert editing.clip(None) == ""


def test_mark_writes_the_reason_and_a_signed_in_user_only():
    signed_in = SimpleNamespace(is_authenticated=True)
    obj = editing.mark(SimpleNamespace(), "x" * 120, signed_in)
    assert len(obj._change_reason) == 100 and obj._history_user is signed_in
    anonymous = editing.mark(SimpleNamespace(), "公開", AnonymousUser())
    assert anonymous._change_reason == "公開" and not hasattr(anonymous, "_history_user")


def test_a_reason_typed_by_an_editor_is_refused_when_too_long_not_cut():
    field = editing.ChangeReasonField(required=False)
    assert field.clean("あ" * 100) == "あ" * 100
    with pytest.raises(ValidationError) as refused:
        field.clean("あ" * 101)
    assert "100" in str(refused.value) and "文字" in str(refused.value)
    assert field.label == "変更理由" and field.help_text == editing.HELP_TEXT


def test_restoring_a_version_offers_its_time_as_the_reason():
    when = timezone.make_aware(datetime.datetime(2019, 4, 1, 9, 30))
    assert editing.restored_reason(when) == "2019-04-01 09:30 の版に戻す"


def test_the_missing_reason_message_names_what_is_public():
    assert editing.missing_reason_message("2018年版") == (
        "2018年版は公開済みです。本文を直す理由を入力してください。"
    )
