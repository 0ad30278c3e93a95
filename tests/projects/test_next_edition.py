"""The yearly round: next year's edition as a draft copy, previewed by staff, then published."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, Result
from projects import services
from projects.models import Category, Edition, Measure, Section
from strategy_portal import pagecache as page_cache

from ..test_pages import page_text

pytestmark = pytest.mark.django_db


def fresh():
    page_cache.clear_pages()


@pytest.fixture
def draft():
    return services.start_next_edition(Edition.objects.get(year=2018))


def test_the_next_edition_is_a_draft_copy_with_the_years_moved_on(draft):
    old = Edition.objects.get(year=2018)
    assert (draft.year, draft.status, draft.direction_fiscal_year, draft.results_fiscal_year) == (
        2019,
        "draft",
        2019,
        2018,
    )
    assert "2019年度の推進方向" in draft.title and draft.direction_heading == "2019年度の推進方向"
    for model, path in (
        (Section, "edition"),
        (Category, "section__edition"),
        (Measure, "category__section__edition"),
    ):
        assert (
            model.objects.filter(**{path: draft}).count()
            == model.objects.filter(**{path: old}).count()
        )
    old_measure = Measure.objects.get(
        category__section__edition=old, title="結婚サポートセンターの運営"
    )
    new_measure = Measure.objects.get(category__section__edition=draft, title=old_measure.title)
    assert (new_measure.body, new_measure.bullets, new_measure.order) == (
        old_measure.body,
        old_measure.bullets,
        old_measure.order,
    )
    assert new_measure.carried_from == old_measure and new_measure.origin == old_measure
    assert list(new_measure.municipalities.all()) == list(old_measure.municipalities.all())
    assert draft.history.first().history_change_reason == services.REASON_STARTED


def test_a_second_copy_of_the_same_year_is_refused(draft):
    with pytest.raises(services.EditionError, match="2019年版はすでにあります"):
        services.start_next_edition(Edition.objects.get(year=2018))


def test_visitors_see_nothing_of_a_draft_edition(client, staff_client, draft):
    url = reverse("projects:detail", args=["sumairu"])
    home = page_text(client.get(reverse("projects:home")))
    assert "2018年度の推進方向" in home and "2019年度" not in home
    page = page_text(client.get(url))
    assert "2018年度の推進方向" in page and "2019年" not in page
    assert client.get(url, {"edition": "2019"}).status_code == 404
    assert "2019" not in page_text(client.get(reverse("projects:search"), {"q": "結婚"}))
    # Staff preview the draft by its year, clearly marked; the default stays 2018.
    assert "2018年度の推進方向" in page_text(staff_client.get(url))
    preview = page_text(staff_client.get(url, {"edition": "2019"}))
    assert "下書きの版" in preview and "2019年度の推進方向" in preview


def test_figures_of_a_draft_edition_wait_for_the_edition(client, staff_client, draft):
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    Result.objects.create(
        indicator=indicator, edition=draft, fiscal_year=2018, value=845, status="published"
    )
    json_url = reverse("indicators:detail_json", args=[indicator.slug])
    assert [r["fiscal_year"] for r in client.get(json_url).json()["results"]] == [2017]
    assert "845件" not in page_text(client.get(reverse("projects:detail", args=["sumairu"])))
    services.publish_edition(draft)
    fresh()
    assert [r["fiscal_year"] for r in client.get(json_url).json()["results"]] == [2017, 2018]
    page = page_text(client.get(reverse("projects:detail", args=["sumairu"])))
    # The new edition's measure keeps its indicator's history: FY2017 and FY2018.
    assert "2019年度の推進方向" in page and "845件" in page and "前年度比 +32件" in page
    old = page_text(client.get(reverse("projects:detail", args=["sumairu"]), {"edition": "2018"}))
    assert "2018年度の推進方向" in old and "2019年度の推進方向" not in old


def test_publishing_asks_for_confirmation_and_is_recorded(admin_client_, client, draft):
    changelist = reverse("admin:projects_edition_changelist")
    action = {"action": "publish_editions", "_selected_action": [draft.pk]}
    confirm = admin_client_.post(changelist, action)
    page = confirm.content.decode()
    assert confirm.status_code == 200 and page.count("版の公開の確認</h1>") == 1
    # What is still missing, before the button (issue 19, part 7).
    total = Indicator.objects.count()
    missing = total - Indicator.objects.filter(results__fiscal_year=2018).distinct().count()
    assert missing > 0
    gaps = page.split("公開する前に確かめてください", 1)[1].split('type="submit"', 1)[0]
    assert f"{total}件の指標のうち{missing}件に2018年度の実績がありません" in gaps
    assert "要確認）が" in gaps
    draft.refresh_from_db()
    assert draft.is_draft
    done = admin_client_.post(changelist, {**action, "confirm": "yes"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    assert draft.history.first().history_change_reason == services.REASON_PUBLISHED
    fresh()
    assert "2019年度の推進方向" in page_text(client.get(reverse("projects:home")))


def test_the_admin_action_makes_the_next_edition(admin_client_):
    response = admin_client_.post(
        reverse("admin:projects_edition_changelist"),
        {"action": "start_next_edition", "_selected_action": [Edition.objects.get(year=2018).pk]},
        follow=True,
    )
    assert "下書きの2019年版を作成しました" in response.content.decode()
    assert Edition.objects.get(year=2019).is_draft


def test_project_page_queries_stay_pinned_with_three_editions(client, staff_client):
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("projects:detail", args=["sumairu"]))
    second = services.start_next_edition(Edition.objects.get(year=2018))
    services.publish_edition(second)
    third = services.start_next_edition(second)
    services.publish_edition(third)
    fresh()
    with CaptureQueriesContext(connection) as three:
        page = page_text(client.get(reverse("projects:detail", args=["sumairu"])))
    assert "2020年度の推進方向" in page and "813件" in page
    assert len(three) == len(one)


def test_the_api_lists_a_carried_measures_indicators_from_its_line(draft, client):
    """The KPIs stay on the first measure of a line: the 2019 measure still lists them."""
    services.publish_edition(draft)
    old = Measure.objects.get(
        category__section__edition__year=2018, title="結婚サポートセンターの運営"
    )
    new = Measure.objects.get(category__section__edition=draft, title=old.title)
    assert old.indicators.exists() and not new.indicators.exists()

    one = client.get(f"/api/v1/measures/{new.pk}").json()["data"]
    response = client.get("/api/v1/measures?project=sumairu&edition=2019&per_page=100")
    assert response.status_code == 200, response.content
    listed = response.json()["results"]

    expected = [i.name for i in old.indicators.order_by("order", "pk")]
    assert [i["name"] for i in one["indicators"]] == expected
    assert one["edition"] == 2019
    by_id = {m["id"]: m for m in listed}
    assert [i["name"] for i in by_id[new.pk]["indicators"]] == expected


def test_the_next_edition_keeps_every_measures_municipalities():
    """Each copied measure lists the same 関係市町村: the seed's 45-place measure and all others."""
    old = Edition.objects.get(year=2018)
    before = {
        m.pk: sorted(m.municipalities.values_list("code", flat=True))
        for m in Measure.objects.filter(category__section__edition=old)
    }
    widest = max(before, key=lambda pk: len(before[pk]))
    assert len(before[widest]) == 45
    links = sum(len(codes) for codes in before.values())
    assert links > 45 and sum(1 for codes in before.values() if codes) > 1

    draft = services.start_next_edition(old)

    copies = Measure.objects.filter(category__section__edition=draft)
    after = {
        m.carried_from_id: sorted(m.municipalities.values_list("code", flat=True)) for m in copies
    }
    assert len(after[widest]) == 45, "the 45-place measure's copy lost its municipalities"
    assert after == before
    assert sum(len(codes) for codes in after.values()) == links
    # The 2018 edition keeps its own links.
    assert (
        Measure.municipalities.through.objects.filter(
            measure__category__section__edition=old
        ).count()
        == links
    )


def test_the_next_edition_copies_every_field_of_its_sections_headings_and_measures():
    """Every field of every copied section, heading and measure, JSON captions and nesting
    included, matches the original; only the links to the new edition's own rows differ."""
    old = Edition.objects.get(year=2018)
    nested = Category.objects.filter(section__edition=old, parent__isnull=False).first()
    assert nested is not None, "the seed has a nested heading"
    Section.objects.filter(pk=nested.section_id).update(captions=["図1 テスト"], note="注記")
    measure = Measure.objects.filter(category__section__edition=old).first()
    Measure.objects.filter(pk=measure.pk).update(
        captions=[{"text": "写真"}], note="編集注", funding_note="地方創生推進交付金"
    )
    draft = services.start_next_edition(old)

    def fields(model, obj, skip):
        return {
            f.attname: getattr(obj, f.attname)
            for f in model._meta.concrete_fields
            if f.attname not in ("id", *skip)
        }

    sections = {(s.theme_id, s.kind): s for s in Section.objects.filter(edition=draft)}
    section_copy = {}
    for section in Section.objects.filter(edition=old):
        copy = sections[(section.theme_id, section.kind)]
        section_copy[section.pk] = copy.pk
        assert fields(Section, copy, ["edition_id"]) == fields(Section, section, ["edition_id"])
    category_copy = {}
    categories = list(Category.objects.filter(section__edition=old))
    for category in categories:
        copy = Category.objects.get(
            section_id=section_copy[category.section_id], order=category.order
        )
        category_copy[category.pk] = copy.pk
        skip = ["section_id", "parent_id"]
        assert fields(Category, copy, skip) == fields(Category, category, skip)
    # Parents are checked once every copy is known: no database orders NULLs the same way.
    for category in categories:
        copy_parent = Category.objects.get(pk=category_copy[category.pk]).parent_id
        assert copy_parent == category_copy.get(category.parent_id)
    for measure in Measure.objects.filter(category__section__edition=old):
        copy = Measure.objects.get(carried_from=measure)
        assert copy.category_id == category_copy[measure.category_id]
        skip = ["category_id", "carried_from_id", "origin_id"]
        assert fields(Measure, copy, skip) == fields(Measure, measure, skip)
        assert copy.origin_id == (measure.origin_id or measure.pk)
