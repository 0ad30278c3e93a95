"""「評価と検証」: a project's self-assessments (both grades and the reason of an
override, the KPIs by grade) and the external committee's comments, published with
the edition; nothing of a draft reaches the public."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from indicators import grading
from indicators.models import Indicator, SelfAssessment, Target
from projects import services
from projects.models import CommitteeComment, CommitteeMeeting, Edition, Project
from tests.conftest import signed_in

from ..test_pages import page_text

pytestmark = pytest.mark.django_db

KPIS = ("p1-shogai-katsuyaku-intent-municipalities", "p1-shogai-katsuyaku-plan-municipalities")


@pytest.fixture
def assessed():
    """The measure of KPIS, graded for FY2017 (the 2018 edition's results year):
    45 of 50 (90%) and 16 of 20 (80%): B, overridden to A with a reason; published."""
    for slug, target in zip(KPIS, (50, 20), strict=True):
        Target.objects.create(
            indicator=Indicator.objects.get(slug=slug), fiscal_year=2017, value=target
        )
    measure = Indicator.objects.get(slug=KPIS[0]).measure
    assessment = grading.assess(
        SelfAssessment(
            measure=measure,
            fiscal_year=2017,
            achievements="計画策定の支援を進めた。",
            override_grade="A",
            override_reason="年度末に3町が策定を終えた",
            status="published",
        )
    )
    assessment.save()
    return assessment


def url(project, **query):
    address = reverse("projects:evaluation", args=[project.slug])
    return address + (f"?edition={query['edition']}" if query else "")


def test_the_evaluation_shows_both_grades_the_reason_and_kpis_by_grade(client, assessed):
    project = assessed.measure.project
    text = page_text(client.get(url(project)))
    assert assessed.measure.title in text
    assert "（基準による評価はB。変更の理由：年度末に3町が策定を終えた）" in text
    assert "評価基準第1版" in text
    # The KPIs alone: 90% → B, 80% → B.
    html = client.get(url(project)).content.decode()
    assert '<th scope="col" class="num">A</th><th scope="col" class="num">B</th>' in html
    assert '<td class="num">0</td><td class="num">2</td>' in html
    assert "評価と検証" in page_text(client.get(project.get_absolute_url()))


def test_a_draft_assessment_is_seen_by_staff_only(client, staff_client, assessed):
    SelfAssessment.objects.filter(pk=assessed.pk).update(status="draft")
    project = assessed.measure.project
    assert assessed.override_reason not in page_text(client.get(url(project)))
    assert "自己評価はまだ公開されていません" in page_text(client.get(url(project)))
    assert assessed.override_reason in page_text(staff_client.get(url(project)))


def test_committee_comments_are_published_with_their_edition(client, staff_client):
    project = Project.objects.get(slug="sumairu")
    draft = services.start_next_edition(Edition.objects.get(year=2018))
    meeting = CommitteeMeeting.objects.create(
        edition=draft,
        held_on=datetime.date(2019, 4, 20),
        members="山田 花子（北海道大学 教授）\n佐藤 一郎（北海道銀行）",
    )
    CommitteeComment.objects.create(
        meeting=meeting, project=project, text="結婚支援の成果を数で示すこと"
    )
    assert client.get(url(project, edition=draft.year)).status_code == 404
    assert "結婚支援の成果" not in page_text(client.get(url(project)))
    staff = page_text(staff_client.get(url(project, edition=draft.year)))
    assert (
        "結婚支援の成果を数で示すこと" in staff
        and "山田 花子（北海道大学 教授）、佐藤 一郎" in staff
    )
    Edition.objects.filter(pk=draft.pk).update(status="published")
    from strategy_portal import pagecache

    pagecache.clear_pages()
    assert "結婚支援の成果を数で示すこと" in page_text(client.get(url(project, edition=draft.year)))


def test_a_comment_cannot_be_added_to_a_published_edition(django_user_model):
    office = django_user_model.objects.create_user("office", password=None, is_staff=True)
    office.groups.add(Group.objects.get(name="report_editor"))
    meeting = CommitteeMeeting.objects.create(
        edition=Edition.objects.get(year=2018), held_on=datetime.date(2018, 4, 20), members="x"
    )
    response = signed_in(office).post(
        reverse("admin:projects_committeecomment_add"),
        {"meeting": meeting.pk, "project": "", "measure": "", "text": "後から", "order": "0"},
    )
    assert response.status_code == 200
    assert "公開済みの記録" in response.content.decode()
    assert not CommitteeComment.objects.exists()


def _counts(client, urls):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from strategy_portal import pagecache

    counts = {}
    for address in urls:
        pagecache.clear_pages()
        ContentType.objects.clear_cache()  # a process-wide cache: both runs read it once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200, address
        counts[address] = len(queries)
    return counts


def test_the_new_pages_read_the_same_number_of_queries_with_20_times_the_rows(
    django_user_model, assessed
):
    """評価と検証, the grading rule, a round's page and 「担当の更新」: as many queries with
    twenty years of self-assessments, rule versions, rounds, tasks and comments."""
    from indicators import rounds
    from indicators.models import Round
    from projects.models import Department

    office = django_user_model.objects.create_superuser("office-q", password=None)
    client = signed_in(office)
    department = Department.objects.create(name="保健福祉部")
    Indicator.objects.update(department=department)
    round_ = Round.objects.create(fiscal_year=2018, due_on=datetime.date(2019, 6, 28))
    rounds.open_round(round_)
    project = assessed.measure.project
    urls = [
        url(project),
        reverse("indicators:grading_rule"),
        reverse("admin:indicators_round_change", args=[round_.pk]),
        reverse("admin:indicators_task_changelist") + "?mine=0",
        reverse("admin:indicators_selfassessment_changelist"),
    ]
    once = _counts(client, urls)

    edition = Edition.objects.get(year=2018)
    meeting = CommitteeMeeting.objects.create(
        edition=edition, held_on=datetime.date(2018, 4, 1), members="x"
    )
    for year in range(1998, 2017):
        grading.new_version(grading.current_rule())
        for measure in {i.measure for i in Indicator.objects.select_related("measure")}:
            SelfAssessment.objects.create(
                measure=measure,
                fiscal_year=year,
                rule=grading.current_rule(),
                status="published",
                kpi_rates=[{"indicator": "x", "name": "x", "rate": "90"}],
            )
        CommitteeComment.objects.create(meeting=meeting, project=project, text=f"{year}年の意見")
        extra = Round.objects.create(fiscal_year=year, due_on=datetime.date(year + 1, 6, 30))
        rounds.open_round(extra)
    assert SelfAssessment.objects.count() > 20 * 19
    assert _counts(client, urls) == once
    print("queries:", once)


def test_home_shows_the_strategys_grade_distribution(client, assessed):
    # One published assessment, overridden to A: counted as A.
    text = page_text(client.get(reverse("projects:home")))
    assert "施策の自己評価（2017年度・1施策）" in text
    html = client.get(reverse("projects:home")).content.decode()
    assert '<td class="num">1</td><td class="num">0</td>' in html  # A 1, B 0


def test_home_without_published_assessments_has_no_grade_section(client):
    assert "施策の自己評価" not in page_text(client.get(reverse("projects:home")))


def test_the_printed_report_carries_the_evaluation_and_the_comments(client, assessed):
    meeting = CommitteeMeeting.objects.create(
        edition=Edition.objects.get(year=2018), held_on=datetime.date(2018, 4, 20), members="x"
    )
    CommitteeComment.objects.create(
        meeting=meeting, project=assessed.measure.project, text="計画策定の支援を続けること"
    )
    text = page_text(client.get(reverse("projects:edition_report", args=[2018])))
    assert "評価と検証（2017年度）" in text
    assert "年度末に3町が策定を終えた" in text and "計画策定の支援を続けること" in text


def test_the_open_data_carries_owner_grade_rule_version_and_override(client, assessed):
    from projects.models import Department

    department = Department.objects.create(name="保健福祉部")
    assessed.measure.department = department
    assessed.measure.save()
    data = client.get(reverse("indicators:results_json")).json()
    assert data["schema_version"] == "1.2"
    assert list(data["columns"])[-5:] == [
        "owner",
        "grade",
        "computed_grade",
        "grading_rule_version",
        "grade_override_reason",
    ]
    row = next(r for r in data["results"] if r["indicator"] == KPIS[0] and r["fiscal_year"] == 2017)
    assert row["owner"] == "保健福祉部"
    assert (row["grade"], row["computed_grade"], row["grading_rule_version"]) == ("A", "B", 1)
    assert row["grade_override_reason"] == "年度末に3町が策定を終えた"
    SelfAssessment.objects.update(status="draft")  # a draft is not open data
    from strategy_portal import pagecache

    pagecache.clear_pages()
    rows = client.get(reverse("indicators:results_json")).json()["results"]
    row = next(r for r in rows if r["indicator"] == KPIS[0] and r["fiscal_year"] == 2017)
    assert row["grade"] is None and row["grade_override_reason"] == ""
    csv = client.get(reverse("indicators:results_csv")).content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith(
        "担当部局,評価,基準による評価,評価基準の版,評価を変更した理由"
    )
