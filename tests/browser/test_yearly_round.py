"""The editors' yearly round in a real browser: next year's report made in the admin."""

import json
import re

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


def test_an_editor_makes_and_publishes_the_next_edition(writable_site, editor, page, browser):
    site = writable_site
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
    # 3. enter two FY2018 figures and publish them
    for slug, value in ((CONSULTATIONS, "845"), (CHILD_FEES, "155")):
        indicator = Indicator.objects.get(slug=slug)
        page.goto(
            site.url
            + reverse("admin:indicators_result_add")
            + f"?indicator={indicator.pk}&fiscal_year=2018"
        )
        page.fill("#id_value", value)
        page.click("input[name=_save]")
        page.wait_for_selector("ul.messagelist")
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
    # 4. visitors still see 2018 by default and nothing of the draft
    visitor = browser.new_page()
    project = site.url + reverse("projects:detail", args=["sumairu"])
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
