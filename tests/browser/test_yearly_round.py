"""The editors' yearly round in a real browser: next year's report made in the admin,
its figures entered through the year's template, the published 2018 edition corrected
openly (正誤表), and the 2018 pages reading afterwards as they did."""

import difflib
import json
import re

import openpyxl
import pytest
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, User
from django.urls import reverse

from indicators.models import Indicator, Result
from projects.models import Category, Edition, Measure
from strategy_portal.permissions import apply_roles

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-round-2019-X"
CONSULTATIONS = "p1-marriage-support-consultations"
CHILD_FEES = "p1-multi-child-fee-support-municipalities"


def roles():
    """The groups of permissions.ROLES, as every migrate leaves them (a transactional
    test's flush removes them)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    apply_roles()


@pytest.fixture
def editor(writable_site):
    roles()
    user = User.objects.create_user("round", password=PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["editor", "report_editor"]))
    return user


def sign_in(page, site):
    page.goto(site.url + "/admin/login/")
    page.fill("#id_username", "round")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "/admin/login/" not in page.url, "the editor could not sign in"


def run_action(page, site, changelist, label, pks):
    page.goto(site.url + changelist)
    for pk in pks:
        page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", label=label)
    with page.expect_navigation():
        page.click("button[name=index]")


# The visitor's text of a page, without the correction marks (訂正) and the link to the
# 正誤表, and the menu of other editions: what must read as it did before the round,
# apart from what was corrected.
RECORD_TEXT = r"""() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll(".erratum-mark, a[href*='/errata/'], .edition-switch").forEach(e => e.remove());
  return main.innerText.split("\n").map(l => l.trim()).filter(Boolean).join("\n");
}"""


def fill_template(page, site, tmp_path, values):
    """「エクスポート」 of FY2018 (the year's template), 値 filled in as Excel would keep it,
    and 「インポート」 of the file, confirmed."""
    page.goto(site.url + reverse("admin:indicators_result_export"))
    page.select_option("select[name=year]", "2018")
    page.select_option("select[name=format]", label="xlsx")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    path = tmp_path / "template-2018.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        slug, breakdown = row[0].value, row[header.index("内訳")].value
        if slug in values and not breakdown:
            row[header.index("値")].value = values[slug]
    book.save(path)
    page.goto(site.url + reverse("admin:indicators_result_import"))
    page.set_input_files("input[name=import_file]", str(path))
    page.select_option("select[name=format]", label="xlsx")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert f"{len(values)}件の新規" in page.inner_text("#content"), page.inner_text("#content")
    with page.expect_navigation():
        page.click("input[name=confirm]")


def correct(page, site, url, field, value, reason):
    """A published record changed as a correction: the 変更理由 is required."""
    page.goto(site.url + url)
    page.fill(field, value)
    page.fill("#id_change_reason", reason)
    page.click("input[name=_save]")
    assert "変更しました" in page.inner_text("ul.messagelist")


def test_an_editor_makes_and_publishes_the_next_edition(
    writable_site, editor, page, browser, tmp_path
):
    site = writable_site
    visitor = browser.new_page()
    project = site.url + reverse("projects:detail", args=["sumairu"])
    visitor.goto(project)
    before = visitor.evaluate(RECORD_TEXT)
    sign_in(page, site)
    first = Edition.objects.get(year=2018)
    # 1. copy the 2018 edition
    run_action(
        page,
        site,
        reverse("admin:projects_edition_changelist"),
        "この版をもとに次の版を作成",
        [first.pk],
    )
    assert "下書きの2019年版を作成しました" in page.inner_text("ul.messagelist")
    draft = Edition.objects.get(year=2019)
    # 2. rewrite one 推進方向 measure and add a new one
    rewritten = (
        Measure.objects.filter(
            category__section__edition=draft,
            category__section__kind="direction",
            category__section__theme__project__slug="sumairu",
        )
        .order_by("category__order", "order")
        .first()
    )
    page.goto(site.url + reverse("admin:projects_measure_change", args=[rewritten.pk]))
    page.fill("#id_body", "2019年度は、結婚から子育てまでの相談を一体で受けます。")
    page.click("input[name=_save]")
    assert "変更しました" in page.inner_text("ul.messagelist")
    category = Category.objects.get(pk=rewritten.category_id)
    page.goto(
        site.url + reverse("admin:projects_measure_add") + f"?category={category.pk}&order=99"
    )
    page.fill("#id_title", "新しい結婚支援の取組（2019年度）")
    page.fill("#id_bullets_text", "出会いの場づくり\n　市町村との連携")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    assert Measure.objects.filter(
        title="新しい結婚支援の取組（2019年度）", category=category
    ).exists()
    # 3. enter two FY2018 figures through the year's template, and publish them
    fill_template(page, site, tmp_path, {CONSULTATIONS: 845, CHILD_FEES: 155})
    figures = list(
        Result.objects.filter(
            indicator__slug__in=[CONSULTATIONS, CHILD_FEES], fiscal_year=2018
        ).values_list("pk", flat=True)
    )
    assert len(figures) == 2
    run_action(
        page, site, reverse("admin:indicators_result_changelist"), "選択した実績を公開する", figures
    )
    assert "2件の実績を公開しました" in page.inner_text("ul.messagelist")
    # 4. correct the published 2018 edition: a measure's title and a figure
    published = Measure.objects.get(
        category__section__edition=first, title="結婚サポートセンターの運営"
    )
    correct(
        page,
        site,
        reverse("admin:projects_measure_change", args=[published.pk]),
        "#id_title",
        "結婚サポートセンターの設置・運営",
        "原資料と照合して訂正",
    )
    figure_2017 = Result.objects.get(indicator__slug=CONSULTATIONS, fiscal_year=2017)
    correct(
        page,
        site,
        reverse("admin:indicators_result_change", args=[figure_2017.pk]),
        "#id_value",
        "814",
        "集計の誤りを訂正",
    )
    # visitors still see 2018 by default and nothing of the draft
    visitor.goto(project)
    text = visitor.inner_text("main")
    assert "2018年度の推進方向" in text and "2019年度" not in text and "845" not in text
    assert "新しい結婚支援の取組" not in text
    assert visitor.goto(project + "?edition=2019").status == 404
    # 5. publish the edition (with its confirmation)
    run_action(
        page, site, reverse("admin:projects_edition_changelist"), "選択した版を公開する", [draft.pk]
    )
    assert "版の公開の確認" in page.inner_text("h1")
    page.click("input[type=submit][value='公開する']")
    assert "2019年版を公開しました" in page.inner_text("ul.messagelist")
    # 6. visitors now see the 2019 edition, its new measure and every year of the figure
    visitor.goto(project)
    text = visitor.inner_text("main")
    assert "2019年度の推進方向" in text and "新しい結婚支援の取組（2019年度）" in text
    assert "2019年度は、結婚から子育てまでの相談を一体で受けます。" in text
    indicator = Indicator.objects.get(slug=CONSULTATIONS)
    figure = json.loads(visitor.inner_text(f"#chart-{indicator.pk}"))
    assert figure["data"][0]["x"] == ["2017", "2018"]
    visitor.click("[data-draw-all]")
    visitor.wait_for_function(
        'pk => document.querySelector(`[data-chart="chart-${pk}"] .main-svg`) !== null',
        arg=indicator.pk,
    )
    visitor.goto(project + "?edition=2018")
    old = visitor.inner_text("main")
    assert "2018年度の推進方向" in old and "新しい結婚支援の取組" not in old
    assert re.search(r"845", old) is None
    # 7. the 2018 page reads as it did, apart from the two corrections, each marked
    expected = before.replace("結婚サポートセンターの運営", "結婚サポートセンターの設置・運営")
    expected = expected.replace("813件", "814件")
    after = visitor.evaluate(RECORD_TEXT)
    lines = difflib.unified_diff(expected.splitlines(), after.splitlines(), lineterm="", n=0)
    assert after == expected, "\n".join(lines)
    assert visitor.locator(".erratum-mark").count() == 2
    assert "正誤表（2件）" in old
    visitor.goto(site.url + reverse("projects:errata", args=[2018]))
    errata = visitor.inner_text("main")
    assert "結婚サポートセンターの運営 結婚サポートセンターの設置・運営" in errata.replace(
        "\t", " "
    )
    assert "813 814" in errata.replace("\t", " ") and "集計の誤りを訂正" in errata
