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
    assert "基準による評価：B。変更の理由：年度末に3町が策定を終えた" in text
    assert "評価基準 第1版" in text
    # The KPIs alone: 90% → B, 80% → B.
    html = client.get(url(project)).content.decode()
    assert '<th scope="col">A</th><th scope="col">B</th>' in html
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
