"""demo_years, and query counts that stay put with 20 years of results and targets."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import rounds
from indicators.demo import (
    DEMO_ASSESSMENT,
    DEMO_DEPARTMENTS,
    DEMO_OWNER_NOTE,
    DEMO_ROUND_NOTE,
    DEMO_SOURCE,
)
from indicators.models import DemoMarker, Indicator, Result, Round, SelfAssessment, Target, Task
from projects.models import CommitteeComment, Department, Measure, Project
from strategy_portal import pagecache as page_cache
from tests.test_pages import QUERY_BUDGETS

from ..test_dashboard import twenty_times_the_data  # noqa: F401  (a fixture)
from ..test_pages import page_text

pytestmark = pytest.mark.django_db


def test_demo_years_refuses_a_database_without_the_demo_marker():
    before = Result.objects.count()
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_years")
    assert Result.objects.count() == before and not DemoMarker.objects.exists()


def test_demo_years_fills_every_indicator_marked_as_demo_and_can_run_again(client, capsys):
    real = set(Result.objects.values_list("pk", "value"))
    call_command("demo_years", "--force")
    demo = Result.objects.filter(source=DEMO_SOURCE)
    assert demo.exists() and not demo.filter(edition__isnull=False).exists()
    # FY2018–FY2022 (calendar-year statistics, last reported for 2016, from 2017)
    assert set(demo.values_list("fiscal_year", flat=True)) <= set(range(2017, 2023))
    assert demo.filter(fiscal_year=2018).exists() and demo.filter(provisional=True).exists()
    for indicator in Indicator.objects.all():
        assert indicator.results.filter(fiscal_year=2022).exists(), indicator.slug
        assert indicator.targets.filter(status="published").exists(), indicator.slug
    count = Result.objects.count()
    call_command("demo_years")  # the marker is there now: no --force needed, nothing doubles
    assert Result.objects.count() == count
    assert real <= set(Result.objects.values_list("pk", "value"))  # real figures untouched
    text = page_text(client.get(reverse("projects:detail", args=["sumairu"])))
    assert "デモ環境" in text and "デモデータ" in text
    assert "デモ環境" in page_text(client.get(reverse("indicators:list")))


def test_demo_years_shows_the_whole_yearly_cycle_marked_as_demo():
    """Demo owners for every measure, and a round for the newest year whose due date has
    passed: all departments accepted but one, which is overdue; one task was returned."""
    call_command("demo_years", "--force", stdout=open("/dev/null", "w"))
    assert not Measure.objects.filter(department__isnull=True).exists()
    assert set(Department.objects.values_list("note", flat=True)) == {DEMO_OWNER_NOTE}
    round_ = Round.objects.get(fiscal_year=2022)
    assert round_.message == DEMO_ROUND_NOTE and round_.due_on < datetime.date.today()
    rows = rounds.progress(round_)
    late = [row["department"].name for row in rows if row["overdue"]]
    assert len(late) == 1, late
    assert all(row["done"] for row in rows if not row["overdue"])
    returned = Task.history.filter(state=Task.State.RETURNED, round=round_)
    assert returned.count() == 1 and returned.get().history_change_reason.startswith("デモ")
    states = set(Task.objects.values_list("state", flat=True))
    assert {Task.State.ACCEPTED, Task.State.IN_PROGRESS} <= states
    assessments = SelfAssessment.objects.filter(fiscal_year=2017)  # the 2018 edition's results
    assert (
        assessments.count() == Measure.objects.filter(indicators__isnull=False).distinct().count()
    )
    assert all(a.achievements.startswith(DEMO_ASSESSMENT) for a in assessments)
    assert assessments.exclude(override_grade="").count() <= 1
    assert len(set(assessments.values_list("computed_grade", flat=True))) > 1
    call_command("demo_years", stdout=open("/dev/null", "w"))  # again: replaced, not doubled
    assert Round.objects.count() == 1
    assert SelfAssessment.objects.count() == assessments.count()
    comment = CommitteeComment.objects.get()
    assert comment.text.startswith(DEMO_ASSESSMENT) and comment.meeting.edition.year == 2018
    assert Department.objects.count() == len(set(DEMO_DEPARTMENTS))


def test_without_demo_data_there_is_no_demo_banner(client):
    assert "デモ環境" not in page_text(client.get(reverse("projects:home")))


@pytest.fixture
def targets_for_every_indicator():
    """A published goal with a baseline and a milestone for every indicator's first series."""
    targets = []
    for indicator in Indicator.objects.prefetch_related("results"):
        first = min(indicator.results.all(), key=lambda r: (r.order, r.fiscal_year))
        base = first.value
        targets += [
            Target(
                indicator=indicator,
                breakdown=first.breakdown,
                fiscal_year=2030,
                value=base * 2 + 1,
                baseline_value=base,
                baseline_fiscal_year=1990,
                status="published",
            ),
            Target(
                indicator=indicator,
                breakdown=first.breakdown,
                fiscal_year=2025,
                value=base * 2,
                status="published",
            ),
        ]
    Target.objects.bulk_create(targets)


def pages():
    urls = [
        reverse("projects:home"),
        reverse("indicators:list"),
        reverse("indicators:list") + "?progress=on_track",
        reverse("indicators:results_csv"),
        reverse("indicators:results_json"),
    ]
    urls += [p.get_absolute_url() for p in Project.objects.all()]
    for slug in ("p2-mirai-challenge-grants", "p5-total-fertility-rate"):
        urls += [
            reverse("indicators:detail", args=[slug]),
            reverse("indicators:detail_json", args=[slug]),
        ]
    return urls


def query_counts(client):
    """Queries of an uncached render of each page."""
    page_cache.clear_pages()
    counts = {}
    for url in pages():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_query_counts_are_the_same_with_20_years_of_results_and_targets(
    client, targets_for_every_indicator, request
):
    """Cards, charts, progress and downloads read results and targets in bulk: no N+1."""
    once = query_counts(client)
    request.getfixturevalue("twenty_times_the_data")
    assert Result.objects.filter(fiscal_year=1995).exists()
    assert query_counts(client) == once
    budgets = {reverse(name, args=args): limit for (name, args), limit in QUERY_BUDGETS.items()}
    for url, count in once.items():
        assert count <= budgets.get(url, max(budgets.values())), (url, count)
