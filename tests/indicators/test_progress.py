"""Targets and progress: the rate and status rule, drafts, and where progress shows."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators import progress
from indicators.models import Indicator, Result, Target

from ..test_dashboard import json_scripts
from ..test_pages import page_text

PLAN_START = 2015  # the strategy's first year in these unit tests


def goal(value, year, *, baseline=None, baseline_year=None, direction="increase", milestones=()):
    targets = [
        Target(
            indicator_id=1,
            fiscal_year=year,
            value=Decimal(value),
            baseline_value=None if baseline is None else Decimal(baseline),
            baseline_fiscal_year=baseline_year,
            direction=direction,
            status="published",
        )
    ]
    targets += [
        Target(indicator_id=1, fiscal_year=y, value=Decimal(v), direction=direction)
        for y, v in milestones
    ]
    return progress.goals_from(targets)[(1, "")]


def assess(g, value, year):
    return progress.assess(g, Decimal(value), year, plan_start_year=PLAN_START)


# Increase from a baseline: 100 (FY2015) → 200 (FY2020); in FY2018, 60% is expected.
@pytest.mark.parametrize(
    "value, rate, status",
    [
        ("200", "100.0", "achieved"),  # at the goal
        ("230", "130.0", "achieved"),
        ("199.9", "99.9", "on_track"),
        ("160", "60.0", "on_track"),  # exactly the expected 60%
        ("159.9", "59.9", "slightly_behind"),
        ("148", "48.0", "slightly_behind"),  # exactly 80% of the expected
        ("147.9", "47.9", "behind"),
        ("90", "-10.0", "behind"),  # fell below the baseline
    ],
)
def test_increase_with_a_baseline(value, rate, status):
    g = goal(200, 2020, baseline=100, baseline_year=2015)
    result = assess(g, value, 2018)
    assert (result.rate, result.expected, result.status) == (Decimal(rate), Decimal(60), status)


# Decrease from a baseline: 1,000 (FY2015) → 500 (FY2020); the same formula.
@pytest.mark.parametrize(
    "value, rate, status",
    [
        ("500", "100.0", "achieved"),
        ("700", "60.0", "on_track"),
        ("760", "48.0", "slightly_behind"),
        ("800", "40.0", "behind"),
        ("1100", "-20.0", "behind"),
    ],
)
def test_decrease_with_a_baseline(value, rate, status):
    g = goal(500, 2020, baseline=1000, baseline_year=2015, direction="decrease")
    result = assess(g, value, 2018)
    assert (result.rate, result.status) == (Decimal(rate), status)


def test_increase_without_a_baseline_is_actual_over_target_from_the_strategy_start():
    """Without a baseline the line starts the year before the strategy (FY2014 = 0%)."""
    g = goal(1000, 2019)
    result = assess(g, 600, 2017)  # 3 of 5 years gone: 60% expected
    assert (result.rate, result.expected, result.status) == (Decimal(60), Decimal(60), "on_track")
    assert assess(g, 479, 2017).status == "behind"
    assert assess(g, 1000, 2017).status == "achieved"


def test_decrease_without_a_baseline_is_target_over_actual():
    g = goal(500, 2019, direction="decrease")
    assert assess(g, 1000, 2019).rate == Decimal(50)
    assert assess(g, 500, 2019).status == "achieved"
    assert assess(g, 0, 2019).rate == Decimal(100)


def test_a_milestone_sets_what_is_expected_in_its_year():
    g = goal(200, 2020, baseline=100, baseline_year=2015, milestones=[(2018, 180)])
    assert assess(g, 160, 2018).expected == Decimal(80)  # the milestone's own rate
    assert assess(g, 165, 2018).status == "slightly_behind"  # 65% ≥ 80% of 80%
    assert assess(g, 160, 2018).status == "behind"
    assert assess(g, 160, 2017).expected == Decimal(40)  # no milestone: the straight line


def test_what_cannot_be_assessed():
    g = goal(200, 2020, baseline=100, baseline_year=2015)
    assert progress.assess(g, None, None).status == "unknown"
    assert assess(g, 150, 2015).status == "unknown"  # at the baseline year nothing is expected
    assert assess(g, 150, 2014).reason


def test_what_cannot_be_assessed_shows_no_rate_but_why(client, consultations):
    """「評価できない 進捗率 0.0%」 contradicted itself (issue 19, part 3)."""
    Target.objects.create(
        indicator=consultations,
        fiscal_year=2020,
        value=1000,
        baseline_value=900,
        baseline_fiscal_year=2017,
        status="published",
    )
    g = goal(1000, 2020, baseline=900, baseline_year=2017)
    assert assess(g, 900, 2017).rate is None
    text = page_text(client.get(consultations.get_absolute_url()))
    assert "評価できない （基準年度以前の実績のため）" in text
    assert "評価できない 進捗率" not in text and "進捗率 0.0%" not in text


def test_a_target_must_agree_with_its_baseline(db):
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    target = Target(
        indicator=indicator,
        fiscal_year=2019,
        value=500,
        baseline_value=813,
        baseline_fiscal_year=2017,
        direction="increase",
    )
    with pytest.raises(ValidationError, match="目標の方向が基準値と合いません"):
        target.full_clean()
    target.baseline_fiscal_year = 2020
    target.direction = "decrease"
    with pytest.raises(ValidationError, match="基準年度は目標年度より前"):
        target.full_clean()


# --- on the site --------------------------------------------------------------------------

CONSULTATIONS = "p1-marriage-support-consultations"


@pytest.fixture
def consultations(db):
    return Indicator.objects.select_related("measure").get(slug=CONSULTATIONS)


def card_text(client, indicator):
    from .test_years import card_html, text_of

    html = client.get(indicator.measure.get_absolute_url().split("#")[0]).content.decode()
    return text_of(card_html(html, indicator))


@pytest.mark.django_db
def test_a_published_target_shows_everywhere_with_rate_and_status(client, consultations):
    Target.objects.create(indicator=consultations, fiscal_year=2019, value=1000, status="published")
    # 813 of 1,000 = 81.3%; FY2017 is 3 of 5 years from FY2014: 60% expected → 順調
    card = card_text(client, consultations)
    assert "順調" in card and "進捗率 81.3%" in card and "2019年度に1,000件" in card
    data = json.loads(client.get(reverse("indicators:detail_json", args=[CONSULTATIONS])).content)
    assert data["schema_version"]
    assert [(t["fiscal_year"], t["value"]) for t in data["targets"]] == [(2019, 1000)]
    assert data["progress"]["rate"] == 81.3 and data["progress"]["status"] == "on_track"
    assert data["results"][0]["progress_status"] == "on_track"
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("indicators:detail_csv", args=[CONSULTATIONS])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert (rows[0]["目標値"], rows[0]["進捗率（%）"], rows[0]["進捗状況（表示）"]) == (
        "1000",
        "81.3",
        "順調",
    )
    figures = json_scripts(client.get(consultations.get_absolute_url()).content.decode())
    target = figures[f"chart-{consultations.pk}"]["data"][1]
    assert (target["name"], target["x"], target["y"]) == ("目標", ["2019"], [1000.0])
    table = page_text(client.get(reverse("indicators:list"), {"progress": "on_track"}))
    assert "相談件数" in table and "順調" in table
    assert "相談件数" not in page_text(
        client.get(reverse("indicators:list"), {"progress": "behind"})
    )
    home = page_text(client.get(reverse("projects:home")))
    assert "目標の進捗（全プロジェクト）" in home and "順調 1指標" in home
    project = page_text(client.get(reverse("projects:detail", args=["sumairu"])))
    assert "このプロジェクトの目標の進捗" in project and "順調 1指標" in project


@pytest.mark.django_db
def test_a_draft_target_is_invisible_to_visitors_and_downloads(client, staff_client, consultations):
    Target.objects.create(indicator=consultations, fiscal_year=2019, value=1000, status="draft")
    assert "進捗率" not in card_text(client, consultations)
    assert "目標" not in page_text(client.get(consultations.get_absolute_url())).split("目標")[0]
    data = json.loads(client.get(reverse("indicators:detail_json", args=[CONSULTATIONS])).content)
    assert data["targets"] == [] and data["progress"] is None
    assert data["results"][0]["target"] is None
    everything = client.get(reverse("indicators:results_csv")).content.decode("utf-8-sig")
    assert ",1000," not in everything
    assert "目標の進捗" not in page_text(client.get(reverse("projects:home")))
    # Staff see it, marked as not yet public.
    staff_card = card_text(staff_client, consultations)
    assert "進捗率 81.3%" in staff_card and "未公開" in staff_card


@pytest.mark.django_db
def test_a_figure_credits_the_report_that_published_it(client, consultations):
    from projects.models import Edition

    first = Edition.objects.get(year=2018)
    later = Edition.objects.create(
        strategy=first.strategy,
        year=2019,
        title="（試験用）次の報告書",
        published_on=datetime.date(2019, 5, 1),
        publisher="北海道総合政策部",
        direction_fiscal_year=2019,
        results_fiscal_year=2018,
        status="published",
    )
    Result.objects.create(
        indicator=consultations, edition=later, fiscal_year=2018, value=845, status="published"
    )
    page = page_text(client.get(consultations.get_absolute_url()))
    assert later.citation in page and first.citation in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("indicators:detail_csv", args=[CONSULTATIONS])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    by_year = {row["年度"]: row for row in rows}
    assert (
        by_year["2018"]["出典"] == later.citation
        and by_year["2018"]["掲載した報告書（版）"] == "2019"
    )
    assert by_year["2017"]["出典"] == first.citation
