"""Published editions are records (issue 19, parts 1–3): what a published edition shows
changes only by a correction (訂正) that the public sees, on the edition's 正誤表 and
where it changed; nothing is added to a published edition; a later target stays out of
an earlier report."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from harness.forms import browser_form
from indicators.models import Indicator, Result, Target
from projects import services
from projects.models import Category, Edition, Erratum, Measure
from strategy_portal import pagecache as page_cache

from .test_report_text import form_data, measure_in

pytestmark = pytest.mark.django_db

MEASURE = "結婚サポートセンターの運営"
PAGE = "/projects/sumairu/"


def today_mark():
    day = timezone.localdate()
    return f"{day.year}年{day.month}月{day.day}日 訂正"


def test_the_seeded_report_has_no_corrections(client):
    assert Erratum.objects.count() == 0
    page = client.get(reverse("projects:errata", args=[2018])).content.decode()
    assert "公開後の訂正はありません。" in page
    assert "正誤表（" not in client.get(PAGE).content.decode().split("<main", 1)[1].split("<h1")[0]


def test_a_title_corrected_in_a_published_edition_is_listed_and_marked(report_editor, client):
    measure = measure_in(Edition.objects.get(year=2018))
    url = reverse("admin:projects_measure_change", args=[measure.pk])
    done = report_editor.post(
        url,
        form_data(measure, title="結婚サポートセンターの運営（訂正）", change_reason="誤字の訂正"),
    )
    assert done.status_code == 302
    erratum = Erratum.objects.get()
    assert (erratum.edition.year, erratum.field, erratum.reason) == (2018, "名称", "誤字の訂正")
    assert (erratum.before, erratum.after) == (MEASURE, "結婚サポートセンターの運営（訂正）")

    errata_page = client.get(reverse("projects:errata", args=[2018])).content.decode()
    assert "<del>結婚サポートセンターの運営</del>" in errata_page
    assert "<ins>結婚サポートセンターの運営（訂正）</ins>" in errata_page
    assert "誤字の訂正" in errata_page and "1件" in errata_page

    page = client.get(PAGE).content.decode()
    article = page.split(f'id="measure-{measure.pk}"', 1)[1].split("</article>", 1)[0]
    assert today_mark() in article
    assert f"<del>{MEASURE}</del> → <ins>結婚サポートセンターの運営（訂正）</ins>" in article
    assert "正誤表（1件）" in page


def test_a_published_figure_corrected_is_a_correction_of_the_editions_showing_it(
    editor_client, client, draft
):
    """813件 → 815件: the 2018 edition's correction (the 2019 draft shows it too, but a
    draft is no record yet); the card marks it."""
    result = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2017
    )
    url = reverse("admin:indicators_result_change", args=[result.pk])
    data = browser_form(editor_client.get(url))
    data.update(value="815", change_reason="報告書と照合して訂正")
    assert editor_client.post(url, data).status_code == 302
    erratum = Erratum.objects.get()
    assert erratum.edition.year == 2018
    assert (erratum.field, erratum.before, erratum.after) == ("値", "813", "815")
    card = client.get(PAGE).content.decode().split(f'id="card-{result.indicator_id}"', 1)[1]
    card = card.split("</article>", 1)[0]
    assert today_mark() in card and "<del>813</del> → <ins>815</ins>" in card


def test_a_change_in_a_draft_edition_is_no_correction(report_editor, draft):
    measure = measure_in(draft)
    url = reverse("admin:projects_measure_change", args=[measure.pk])
    assert report_editor.post(url, form_data(measure, title="新しい題名")).status_code == 302
    assert Erratum.objects.count() == 0


def test_a_measure_cannot_be_added_to_a_published_edition(report_editor, client, draft):
    """Part 1: the picker said nothing of the edition, and the add went public at once."""
    published = Category.objects.filter(section__edition__year=2018).order_by("pk").first()
    data = {
        "category": published.pk,
        "order": 990,
        "title": "誤って追加した施策",
        "body": "",
        "bullets_text": "",
        "funding_note": "",
        "note": "",
        "change_reason": "",
    }
    refused = report_editor.post(reverse("admin:projects_measure_add"), data)
    assert refused.status_code == 200
    assert "2018年版は公開済みの記録なので、施策を追加できません。" in refused.content.decode()
    assert not Measure.objects.filter(title="誤って追加した施策").exists()
    assert "誤って追加した施策" not in client.get(PAGE).content.decode()
    assert "誤って追加した施策" not in client.get("/api/v1/measures?edition=2018").content.decode()

    copy = Category.objects.get(
        section__edition=draft,
        section__theme=published.section.theme,
        section__kind=published.section.kind,
        order=published.order,
    )
    data["category"] = copy.pk
    assert report_editor.post(reverse("admin:projects_measure_add"), data).status_code == 302
    assert Measure.objects.get(title="誤って追加した施策").category == copy


def test_a_measure_cannot_be_moved_into_or_out_of_a_published_edition(report_editor, draft):
    measure = measure_in(draft)
    published = measure_in(Edition.objects.get(year=2018))
    url = reverse("admin:projects_measure_change", args=[measure.pk])
    refused = report_editor.post(
        url, form_data(measure, category=published.category_id, change_reason="移動")
    )
    assert "2019年版から2018年版へ移すことはできません" in refused.content.decode()
    measure.refresh_from_db()
    assert measure.category.section.edition == draft


def test_the_heading_picker_names_each_headings_edition_and_section(report_editor, draft):
    page = report_editor.get(reverse("admin:projects_measure_add")).content.decode()
    picker = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r"<option value=\"\d+\">([^<]*)</option>", picker)
    assert len(options) == Category.objects.count()
    assert len(set(options)) == len(options), "two headings read alike"
    assert any(o.startswith("2019年版（下書き）・推進方向／") for o in options)
    assert any(o.startswith("2018年版・これまでの主な取組／") for o in options)


def test_a_target_set_for_a_later_edition_stays_out_of_the_earlier_report(
    staff_client, client, draft
):
    """Part 3: 「目標：2019年度に1,000件」 set in the 2019 round appeared on the 2018 page."""
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    Target.objects.create(
        indicator=indicator,
        edition=draft,
        fiscal_year=2019,
        value=1000,
        status=Target.Status.PUBLISHED,
    )
    assert "2019年度に1,000件" not in client.get(PAGE).content.decode()
    preview = staff_client.get(PAGE + "?edition=2019").content.decode()
    assert "1,000件" in preview
    services.publish_edition(draft)
    assert "1,000件" in client.get(PAGE + "?edition=2019").content.decode()
    assert "1,000件" not in client.get(PAGE + "?edition=2018").content.decode()


def test_a_new_target_belongs_to_the_report_being_written(editor_client, draft):
    page = editor_client.get(reverse("admin:indicators_target_add")).content.decode()
    picker = page.split('name="edition"', 1)[1].split("</select>", 1)[0]
    assert re.search(rf'<option value="{draft.pk}" selected>2019年版', picker)


def test_each_edition_keeps_the_heading_it_printed(report_editor, client, staff_client, draft):
    """Part 2: 平成30年度実績 set for 2019 changed the published 2018 card."""
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    copied = indicator.headings.get(edition=draft)
    assert copied.text == "平成30年度実績"  # the years moved on, 和暦 too
    url = reverse("admin:indicators_heading_change", args=[copied.pk])
    data = browser_form(report_editor.get(url))
    data.update(text="平成30年度の相談実績")
    assert report_editor.post(url, data).status_code == 302

    def heading_on(client, query=""):
        page = client.get(PAGE + query).content.decode()
        card = page.split(f'id="card-{indicator.pk}"', 1)[1].split("</article>", 1)[0]
        return re.search(r"原資料の見出し：([^<]*)", card).group(1)

    assert heading_on(client) == "平成29年度実績"
    assert heading_on(staff_client, "?edition=2019") == "平成30年度の相談実績"
    assert Erratum.objects.count() == 0  # a draft's heading: no correction

    printed = indicator.headings.get(edition__year=2018)
    url = reverse("admin:indicators_heading_change", args=[printed.pk])
    data = browser_form(report_editor.get(url))
    data.update(text="平成29年度相談実績")
    refused = report_editor.post(url, data)
    assert "2018年版は公開済みです。本文を直す理由を入力してください。" in refused.content.decode()
    data.update(change_reason="原資料と照合して訂正")
    assert report_editor.post(url, data).status_code == 302
    page_cache.clear_pages()  # done on commit; a test's transaction never commits
    assert heading_on(client) == "平成29年度相談実績"
    erratum = Erratum.objects.get()
    assert (erratum.edition.year, erratum.before, erratum.after) == (
        2018,
        "平成29年度実績",
        "平成29年度相談実績",
    )


def test_the_target_list_tells_indicators_of_one_name_apart(editor_client):
    """Part 15: two indicators named 相談件数（件） read alike in the target list."""
    twins = list(Indicator.objects.filter(name="相談件数", unit="件")[:2])
    assert len(twins) == 2
    for indicator in twins:
        Target.objects.create(indicator=indicator, fiscal_year=2019, value=1000)
    page = editor_client.get(reverse("admin:indicators_target_changelist")).content.decode()
    for indicator in twins:
        assert f"{indicator.measure.project.short_name}：{indicator.measure.title}" in page


def test_a_draft_editions_preview_card_shows_the_figure_its_chart_shows(staff_client, draft):
    """Part 11: the preview's card read 813件 2017年度 while its chart showed the draft 851."""
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    Result.objects.create(
        indicator=indicator, edition=draft, fiscal_year=2018, value=851, version=1
    )
    page = staff_client.get(PAGE + "?edition=2019").content.decode()
    card = page.split(f'id="card-{indicator.pk}"', 1)[1].split("</article>", 1)[0]
    number = re.search(r'class="big-number">(.*?)</p>', card, re.S).group(1)
    assert "851" in number and "813" not in number
    published = staff_client.get(PAGE).content.decode()  # the 2018 edition: as published
    card = published.split(f'id="card-{indicator.pk}"', 1)[1].split("</article>", 1)[0]
    assert "813" in re.search(r'class="big-number">(.*?)</p>', card, re.S).group(1)


def test_the_section_picker_names_each_sections_edition(report_editor, draft):
    page = report_editor.get(reverse("admin:projects_category_add")).content.decode()
    picker = page.split('name="section"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r"<option value=\"\d+\">([^<]*)</option>", picker)
    assert len(options) == len(set(options)) > 0, "two sections read alike"
    assert any(o.startswith("2019年版（下書き）・これまでの主な取組／") for o in options)
    assert any(o.startswith("2018年版・2018年度の推進方向／") for o in options)
