"""Grades of the self-assessments (自己評価): the one place a measure's KPIs become
A/B/C/D or 評価できない, by the grading rule (GradingRule, versioned).

- A KPI's rate is its 進捗率 (indicators.progress) for the fiscal year: the total
  (or 道全体) figure of the year against its target. No target, no figure, or a
  rate progress cannot compute: the KPI cannot be assessed.
- If fewer than `min_assessable_share` % of the measure's KPIs can be assessed
  (or it has none), the measure is 評価できない.
- Otherwise the rates combine by `combine` (their mean, or the lowest) and the
  thresholds give the grade: ≥ a_min A, ≥ b_min B, ≥ c_min C, below D.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from . import progress
from .cards import TOTAL_LABELS
from .models import Grade, GradingRule, Indicator, SelfAssessment

HUNDRED = Decimal(100)


def current_rule() -> GradingRule:
    """The newest version; the first (the defaults: A ≥ 100%, B ≥ 80%, C ≥ 50%, the
    mean, half the KPIs) is made when there is none yet."""
    rule = GradingRule.objects.order_by("-version").first()
    if rule is None:
        first = GradingRule(version=1)
        first.note = f"初版（既定の基準：{describe(first)}）"
        first.save()
        rule = first
    return rule


def describe(rule: GradingRule) -> str:
    """The rule in a line, from its own values: 「A 100%以上、B 80%以上、…」."""
    return (
        f"A {_shown(rule, 'a_min')}以上、B {_shown(rule, 'b_min')}以上、"
        f"C {_shown(rule, 'c_min')}以上、{rule.get_combine_display()}"
    )


def new_version(rule: GradingRule, user=None) -> GradingRule:
    """Save `rule`'s values as the next version (the one it was read from is kept)."""
    with transaction.atomic():
        last = GradingRule.objects.select_for_update().order_by("-version").first()
        rule.pk = None
        rule._state.adding = True
        rule.version = (last.version if last else 0) + 1
        rule.created_by = user if user is not None and user.is_authenticated else None
        rule.save()
    return rule


def _year_figure(figures, fiscal_year):
    """The year's total (or 道全体) figure, or the only one."""
    of_year = [r for r in figures if r.fiscal_year == fiscal_year]
    for label in TOTAL_LABELS:
        for result in of_year:
            if result.breakdown == label:
                return result
    return of_year[0] if len(of_year) == 1 else None


def kpi_rate(indicator, fiscal_year: int, *, plan_start_year=None) -> Decimal | None:
    figure = _year_figure(list(indicator.results.all()), fiscal_year)
    if figure is None:
        return None
    goals = progress.goals_from(indicator.targets.all())
    assessed = progress.assess_result(goals, figure, plan_start_year=plan_start_year)
    return assessed.rate if assessed is not None else None


def grade_for(rates: list, rule: GradingRule) -> str:
    known = [rate for rate in rates if rate is not None]
    if not known or Decimal(len(known)) * HUNDRED / len(rates) < rule.min_assessable_share:
        return Grade.NONE
    if rule.combine == GradingRule.Combine.LOWEST:
        value = min(known)
    else:
        value = (sum(known) / len(known)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value >= rule.a_min:
        return Grade.A
    if value >= rule.b_min:
        return Grade.B
    if value >= rule.c_min:
        return Grade.C
    return Grade.D


def assess(assessment: SelfAssessment, rule: GradingRule | None = None) -> SelfAssessment:
    """Compute the grade of `assessment` (unsaved) by `rule` (the current one), with the
    KPIs and rates it was computed from (kept with it, as the rule's version is)."""
    rule = rule or current_rule()
    measure = assessment.measure
    indicators = Indicator.objects.filter(measure_id=measure.lineage_id).prefetch_related(
        "results", "targets"
    )
    start = measure.project.strategy.start_year
    rows, rates = [], []
    for indicator in indicators.order_by("order", "pk"):
        rate = kpi_rate(indicator, assessment.fiscal_year, plan_start_year=start)
        rates.append(rate)
        rows.append(
            {
                "indicator": indicator.slug,
                "name": str(indicator),
                "rate": None if rate is None else str(rate),
            }
        )
    assessment.rule = rule
    assessment.kpi_rates = rows
    assessment.computed_grade = grade_for(rates, rule)
    return assessment


RULE_FIELDS = ("a_min", "b_min", "c_min", "combine", "min_assessable_share")


def _shown(rule: GradingRule, name: str) -> str:
    if name == "combine":
        return rule.get_combine_display()
    return f"{rule.serializable_value(name).normalize():f}%"


def versions() -> list[dict]:
    """Every version, newest first, with what changed from the one before it."""
    rules = list(GradingRule.objects.order_by("version").select_related("created_by"))
    shown, previous = [], None
    for rule in rules:
        changes = []
        if previous is not None:
            for name in RULE_FIELDS:
                before, after = _shown(previous, name), _shown(rule, name)
                if before != after:
                    label = GradingRule._meta.get_field(name).verbose_name
                    changes.append({"label": label, "before": before, "after": after})
        shown.append(
            {
                "rule": rule,
                "values": [
                    (GradingRule._meta.get_field(name).verbose_name, _shown(rule, name))
                    for name in RULE_FIELDS
                ],
                "changes": changes,
            }
        )
        previous = rule
    return list(reversed(shown))


BAR_WIDTH, BAR_STEP = 220, 22  # px: the longest bar, and one row of the chart
CHART_HEIGHT = len(Grade.values) * BAR_STEP


def bars(counts: list[tuple[str, int]]) -> list[dict]:
    """Rows of a chart of counts by grade, drawn as SVG by the page (no script)."""
    most = max((count for _, count in counts), default=0) or 1
    return [
        {
            "grade": grade,
            "label": Grade(grade).label,
            "count": count,
            "width": round(BAR_WIDTH * count / most),
            "y": n * BAR_STEP,
        }
        for n, (grade, count) in enumerate(counts)
    ]


def kpi_grade_counts(assessments) -> list[dict]:
    """The KPIs of these self-assessments by grade (each KPI's recorded rate, graded
    alone by the version its assessment was computed with), for the evaluation
    table as 効果検証 reports print it."""
    counts = dict.fromkeys(Grade.values, 0)
    for assessment in assessments:
        for row in assessment.kpi_rates:
            rate = Decimal(row["rate"]) if row.get("rate") else None
            counts[grade_for([rate], assessment.rule)] += 1
    return bars(list(counts.items()))
