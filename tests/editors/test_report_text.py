"""The role report_editor writes the next edition's text; a published edition's text
changes only with a reason, and stays in the history."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from harness.forms import browser_form
from projects import services
from projects.forms import bullets_to_text, text_to_bullets
from projects.models import Edition, Measure

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_editor(django_user_model):
    user = django_user_model.objects.create_user(
        "hokkaido", password="pw-report-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="report_editor"))
    return signed_in(user)


@pytest.fixture
def draft():
    return services.start_next_edition(Edition.objects.get(year=2018))


def measure_in(edition, title="結婚サポートセンターの運営"):
    return Measure.objects.get(category__section__edition=edition, title=title)


def form_data(measure, **changes):
    data = {
        "category": measure.category_id,
        "order": measure.order,
        "title": measure.title,
        "body": measure.body,
        "bullets_text": bullets_to_text(measure.bullets),
        "funding_note": measure.funding_note,
        "note": measure.note,
        "change_reason": "",
    }
    data.update(changes)
    return data


def test_bullets_are_typed_one_per_line_and_indented_lines_are_sub_items():
    bullets = ["相談件数 813件", {"text": "【H29実績】", "items": ["学生 5名", "スポーツ 3名"]}]
    assert text_to_bullets(bullets_to_text(bullets)) == bullets
    assert text_to_bullets("一つ目\n\n二つ目\n　小項目\n  小項目2") == [
        "一つ目",
        {"text": "二つ目", "items": ["小項目", "小項目2"]},
    ]


def test_a_report_editor_rewrites_a_measure_of_the_draft_edition(report_editor, draft):
    measure = measure_in(draft)
    url = reverse("admin:projects_measure_change", args=[measure.pk])
    page = report_editor.get(url).content.decode()
    assert (
        "プレビュー（保存した内容）" in page
        and "2018年版の「結婚サポートセンターの運営」を引き継いで" in page
    )
    response = report_editor.post(
        url,
        form_data(
            measure,
            body="2019年度は相談体制を強化します。",
            bullets_text="新しい取組\n　小さな項目",
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.body == "2019年度は相談体制を強化します。"
    assert measure.bullets == [{"text": "新しい取組", "items": ["小さな項目"]}]
    assert measure_in(Edition.objects.get(year=2018)).body != measure.body  # the 2018 text stands


def test_published_text_changes_only_with_a_reason_kept_in_history(report_editor):
    measure = measure_in(Edition.objects.get(year=2018))
    url = reverse("admin:projects_measure_change", args=[measure.pk])
    refused = report_editor.post(url, form_data(measure, title=measure.title + "（訂正）"))
    assert refused.status_code == 200
    assert "2018年版は公開済みです。本文を直す理由を入力してください。" in refused.content.decode()
    done = report_editor.post(
        url, form_data(measure, title=measure.title + "（訂正）", change_reason="誤字の訂正")
    )
    assert done.status_code == 302
    assert measure.history.first().history_change_reason == "誤字の訂正"


def test_only_draft_text_can_be_deleted(report_editor, draft):
    published = measure_in(Edition.objects.get(year=2018))
    delete = "admin:projects_measure_delete"
    assert report_editor.get(reverse(delete, args=[published.pk])).status_code == 403
    copy = measure_in(draft)
    assert report_editor.post(reverse(delete, args=[copy.pk]), {"post": "yes"}).status_code == 302
    assert not Measure.objects.filter(pk=copy.pk).exists()


@pytest.mark.parametrize(
    "role_client, url_name, status",
    [
        ("editor_client", "admin:projects_measure_add", 403),
        ("editor_client", "admin:projects_edition_add", 403),
        ("report_editor", "admin:projects_measure_add", 200),
        ("report_editor", "admin:projects_edition_changelist", 200),
        ("report_editor", "admin:indicators_indicator_add", 200),
        ("report_editor", "admin:indicators_result_add", 403),
        ("report_editor", "admin:indicators_target_add", 403),
        ("report_editor", "admin:auth_user_changelist", 403),
        ("staff_client", "admin:projects_measure_add", 302),
    ],
)
def test_what_each_role_may_open(request, role_client, url_name, status):
    client = request.getfixturevalue(role_client)
    assert client.get(reverse(url_name)).status_code == status


def test_the_report_texts_history_page_is_japanese_with_readable_changes(report_editor):
    measure = measure_in(Edition.objects.get(year=2018))
    report_editor.post(
        reverse("admin:projects_measure_change", args=[measure.pk]),
        form_data(measure, title="新しい題", change_reason="題の訂正"),
    )
    page = report_editor.get(reverse("admin:projects_measure_history", args=[measure.pk]))
    html = page.content.decode()
    assert "変更履歴（新しい順）" in html and "題の訂正" in html and "hokkaido" in html
    assert "→ 新しい題</li>" in html


def test_deleting_draft_text_leaves_its_reason_in_the_history(report_editor, draft):
    copy = measure_in(draft)
    report_editor.post(reverse("admin:projects_measure_delete", args=[copy.pk]), {"post": "yes"})
    record = Measure.history.filter(id=copy.pk).first()
    assert record.history_type == "-" and record.history_change_reason == "管理画面で削除"
    assert record.history_user.username == "hokkaido"


def test_a_sections_captions_are_lines_to_type_not_json(report_editor, draft):
    """図・写真の説明 shows no raw 「[]」; typed one per line, it is kept as a list."""
    section = draft.sections.filter(captions=[]).first()
    url = reverse("admin:projects_section_change", args=[section.pk])
    page = report_editor.get(url).content.decode()
    textarea = re.search(r'<textarea name="captions"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and textarea.group(1).strip() == ""
    data = browser_form(report_editor.get(url))
    data["captions"] = "図1　相談件数の推移\n\n写真　移住体験の様子\n"
    assert report_editor.post(url, data).status_code == 302
    section.refresh_from_db()
    assert section.captions == ["図1　相談件数の推移", "写真　移住体験の様子"]


def test_the_measure_form_and_list_say_which_edition_and_section(report_editor, draft):
    """Part 11: the form never said which edition or section a measure is in."""
    measure = measure_in(draft)
    page = report_editor.get(
        reverse("admin:projects_measure_change", args=[measure.pk])
    ).content.decode()
    assert "この施策の場所" in page and measure.category.label_with_context in page
    assert measure.category.label_with_context.startswith("2019年版（下書き）・")
    listing = report_editor.get(
        reverse("admin:projects_measure_changelist") + "?category__section__kind__exact=direction"
    ).content.decode()
    assert "推進方向" in listing and "<th" in listing and "セクション" in listing
