"""Invented figures and targets for a demonstration copy of the database.

Every demo figure's source is DEMO_SOURCE (it shows wherever the figure does,
downloads included) and belongs to no report; the DemoMarker row marks the
whole database. Deterministic for a given seed.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from projects.models import (
    CommitteeComment,
    CommitteeMeeting,
    Department,
    Edition,
    Measure,
    Project,
)

from .models import DemoMarker, Grade, Indicator, Result, Round, SelfAssessment, Target, Task
from .series import group_series

DEMO_SOURCE = "デモデータ（架空の数値。実際の統計ではありません）"
DEMO_NOTE = "demo_years が作成したデモデータ（架空の数値）"
DEMO_OWNER_NOTE = "デモデータ（架空の担当。demo_years が割り当てました）"
DEMO_ROUND_NOTE = "デモデータ（架空の調査。demo_years が作成しました）"
DEMO_ASSESSMENT = "デモデータ（架空の自己評価）："
DEMO_MEETING_NOTE = "デモデータ（架空の会議と意見。demo_years が作成しました）"
# The prefecture's departments (部局), for demo owners only: the 2018 report names none.
DEMO_DEPARTMENTS = (
    "総合政策部",
    "保健福祉部",
    "環境生活部",
    "経済部",
    "農政部",
    "水産林務部",
    "建設部",
    "教育庁",
)
# Indicators whose figures the strategy wants lower (転出超過数).
DECREASING_UNITS_HINT = ("転出超過",)


class DemoRefused(Exception):
    pass


def _shift_year(day: datetime.date | None, years: int) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _round(value: Decimal, template) -> Decimal:
    """Counts stay whole; rates (no unit, decimals in the seed) keep two decimals;
    approximate figures are rounded to hundreds as the report rounds them."""
    if template.approximate:
        return (value / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100
    if template.value != template.value.to_integral_value():
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _decreasing(indicator) -> bool:
    return any(hint in indicator.name for hint in DECREASING_UNITS_HINT)


def _next_figure(template, year: int, value: Decimal) -> Result:
    shift = year - template.fiscal_year
    figure = Result(
        indicator_id=template.indicator_id,
        edition=None,
        source=DEMO_SOURCE,
        fiscal_year=year,
        value=value,
        period=template.period,
        approximate=template.approximate,
        qualifier=template.qualifier,
        denominator=template.denominator,
        denominator_label=template.denominator_label,
        breakdown=template.breakdown,
        order=template.order,
        status=Result.Status.PUBLISHED,
    )
    if template.period == "span":
        # The report's spans run from one start date: each year's span is longer (cumulative).
        figure.period_start = template.period_start
        figure.period_end = _shift_year(template.period_end, shift)
    elif template.period in ("as_of", "month"):
        figure.period_end = _shift_year(template.period_end, shift)
    return figure


def fill(*, first_year: int, last_year: int, seed: int, force: bool) -> tuple[int, int]:
    """Add demo figures up to `last_year` and a target for every indicator.

    Refuses (DemoRefused) on a database without the demo marker unless `force`.
    Running again replaces the earlier demo figures; real ones are never touched.
    """
    if not force and not DemoMarker.objects.exists():
        raise DemoRefused(
            "このデータベースにはデモデータの目印がありません。実際のデータに架空の数値が"
            "混ざらないよう、コピーしたデータベースで --force を付けて実行してください。"
        )
    rng = random.Random(seed)
    with transaction.atomic():
        if not DemoMarker.objects.exists():
            DemoMarker.objects.create(note=DEMO_NOTE)
        Result.objects.filter(edition__isnull=True, source=DEMO_SOURCE).delete()
        Target.objects.filter(note=DEMO_NOTE).delete()
        figures, targets = [], []
        for indicator in Indicator.objects.prefetch_related("results").order_by("pk"):
            series_list = group_series(indicator.results.all())
            decreasing = _decreasing(indicator)
            for index, series in enumerate(series_list):
                template = series.results[-1]
                is_rate = template.value != template.value.to_integral_value()
                low, high = (0.88, 0.99) if decreasing else (0.97, 1.14)
                if is_rate:
                    low, high = 0.985, 1.012  # rates (合計特殊出生率) move slowly
                growth = Decimal(str(rng.uniform(low, high)))
                value = Decimal(template.value)
                start = max(first_year, template.fiscal_year + 1)
                for year in range(start, last_year + 1):
                    noise = Decimal(1 if is_rate else str(rng.uniform(0.96, 1.04)))
                    value = value * growth * noise
                    if template.denominator is not None:
                        value = min(value, Decimal(template.denominator))
                    figure = _next_figure(template, year, _round(value, template))
                    figure.provisional = year == last_year
                    figures.append(figure)
                if index == 0:
                    targets.append(_target(indicator, template, last_year, decreasing, rng))
        Result.objects.bulk_create(figures)
        Target.objects.bulk_create(targets)
        assign_owners(rng)
        demo_round(last_year, rng)
        edition = Edition.objects.public().latest_first().first()
        demo_assessments(edition.results_fiscal_year if edition else last_year)
        demo_committee(edition)
    return len(figures), len(targets)


def assign_owners(rng) -> int:
    """Demo departments (note: DEMO_OWNER_NOTE) own every measure that has no owner;
    a few indicators get a 関係部局. Earlier demo owners are replaced; owners set by
    editors are kept. Returns how many departments own something."""
    demo = Department.objects.filter(note=DEMO_OWNER_NOTE)
    Round.objects.filter(message=DEMO_ROUND_NOTE).delete()
    Measure.objects.filter(department__in=demo).update(department=None)
    Indicator.objects.filter(department__in=demo).update(department=None)
    for through in (Measure.related_departments.through, Indicator.related_departments.through):
        through.objects.filter(department__in=demo).delete()
    demo.delete()
    taken = set(Department.objects.values_list("name", flat=True))
    departments = [
        Department.objects.create(name=name, order=order, note=DEMO_OWNER_NOTE)
        for order, name in enumerate(DEMO_DEPARTMENTS, start=1)
        if name not in taken
    ]
    if not departments:
        return 0
    for measure in Measure.objects.filter(department__isnull=True).order_by("pk"):
        measure.department = rng.choice(departments)
        measure.save(update_fields=["department"])
    links = Indicator.related_departments.through
    links.objects.bulk_create(
        links(indicator_id=indicator_id, department_id=rng.choice(departments).pk)
        for indicator_id in Indicator.objects.order_by("pk").values_list("pk", flat=True)
        if rng.random() < 0.2
    )
    return len(departments)


def demo_round(year: int, rng) -> Round | None:
    """A round for `year` whose due date has passed: every demo department submitted
    and was accepted but one, which is overdue (one task entered, none submitted), and
    one task was returned once and resubmitted, so every state and the history show."""
    from . import rounds

    if Round.objects.filter(fiscal_year=year).exists():
        return None  # the office's own round for that year is kept as it is
    round_ = Round.objects.create(
        fiscal_year=year,
        due_on=datetime.date.today() - datetime.timedelta(days=14),
        message=DEMO_ROUND_NOTE,
    )
    rounds.open_round(round_)
    tasks = list(round_.tasks.select_related("department").order_by("department__order", "pk"))
    if not tasks:
        return round_
    late = tasks[-1].department_id  # the last department is overdue: one task begun
    returned = next((task for task in tasks if task.department_id != late), None)
    begun = next(task for task in tasks if task.department_id == late)
    for task in tasks:
        if task.department_id == late:
            if task is begun:
                rounds.set_state(task, Task.State.IN_PROGRESS, "", None)
            continue
        rounds.set_state(task, Task.State.SUBMITTED, "", None)
        if task is returned:
            rounds.set_state(task, Task.State.RETURNED, "デモ：内訳の合計が総数と合いません", None)
            rounds.set_state(task, Task.State.SUBMITTED, "", None)
        rounds.set_state(task, Task.State.ACCEPTED, "", None)
    return round_


def _target(indicator, template, last_year: int, decreasing: bool, rng) -> Target:
    """A goal two years after the demo figures end; two in three have a baseline."""
    base = Decimal(template.value)
    factor = Decimal(str(rng.uniform(0.6, 0.85) if decreasing else rng.uniform(1.15, 1.5)))
    value = _round(base * factor, template)
    if template.denominator is not None:
        value = min(value, Decimal(template.denominator))
    if value == base:
        value = base + (-1 if decreasing else 1)
    with_baseline = rng.random() < 2 / 3
    return Target(
        indicator=indicator,
        breakdown=template.breakdown,
        fiscal_year=last_year + 2,
        value=value,
        baseline_value=base if with_baseline else None,
        baseline_fiscal_year=template.fiscal_year if with_baseline else None,
        direction=Target.Direction.DECREASE if decreasing else Target.Direction.INCREASE,
        status=Target.Status.PUBLISHED,
        note=DEMO_NOTE,
    )


def demo_assessments(year: int) -> int:
    """A published demo self-assessment (its text marked DEMO_ASSESSMENT) of every
    measure with indicators for `year` (the newest edition's results year: what its
    pages show), graded by the current rule; one overridden with a reason and one
    with an external factor, so every part shows."""
    from . import grading

    SelfAssessment.objects.filter(achievements__startswith=DEMO_ASSESSMENT).delete()
    taken = set(
        SelfAssessment.objects.filter(fiscal_year=year).values_list("measure_id", flat=True)
    )
    measures = Measure.objects.filter(indicators__isnull=False).distinct().order_by("pk")
    made, overridden = [], False
    for n, measure in enumerate(measures):
        if measure.pk in taken:
            continue
        assessment = grading.assess(
            SelfAssessment(
                measure=measure,
                fiscal_year=year,
                achievements=DEMO_ASSESSMENT
                + "取組は計画どおり進み、相談や参加は前年度を上回った。"
                "課題は地域による差で、来年度は振興局と連携して周知を強める。",
                status=SelfAssessment.Status.PUBLISHED,
            )
        )
        if not overridden and assessment.computed_grade in (Grade.B, Grade.C):
            overridden = True
            assessment.override_grade = Grade.A if assessment.computed_grade == Grade.B else Grade.B
            assessment.override_reason = (
                DEMO_ASSESSMENT + "年度末の実績を加えると目標に達するため。"
            )
        if n == 1:
            assessment.external_factor = SelfAssessment.Factor.PANDEMIC
            assessment.external_factor_note = DEMO_ASSESSMENT + "感染症の流行で催しを中止した。"
        assessment.save()
        made.append(assessment)
    return len(made)


def demo_committee(edition) -> None:
    """A demo meeting of the external committee on `edition`, with a comment on the
    first project (marked DEMO_MEETING_NOTE; replaced on each run)."""
    CommitteeMeeting.objects.filter(note=DEMO_MEETING_NOTE).delete()
    if edition is None:
        return
    meeting = CommitteeMeeting.objects.create(
        edition=edition,
        held_on=edition.published_on - datetime.timedelta(days=30),
        name="北海道創生有識者会議（デモ）",
        members="デモ委員A（大学）\nデモ委員B（金融機関）\nデモ委員C（労働団体）",
        note=DEMO_MEETING_NOTE,
    )
    CommitteeComment.objects.create(
        meeting=meeting,
        project=Project.objects.in_order().first(),
        text=DEMO_ASSESSMENT + "相談件数の伸びは評価できる。成果を移住・定住の数でも示してほしい。",
    )
