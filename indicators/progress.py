"""How far an indicator has come towards its target: 進捗率 and a status.

Pure functions: targets and a figure in, an assessment out (no ORM, no request).
The rule is stated here once; the site's page 「進捗状況の評価方法」 renders it
from these constants.

- A goal is an indicator's targets for one breakdown: the target with the
  latest fiscal year is the goal, earlier ones are yearly milestones.
- 進捗率 (rate, %):
  - with a baseline:           (実績 − 基準値) ÷ (目標値 − 基準値) × 100
    (the same formula serves targets that increase and that decrease);
  - without a baseline, 増やす: 実績 ÷ 目標値 × 100;
  - without a baseline, 減らす: 目標値 ÷ 実績 × 100 (0 reached is 100%).
- The expected rate at the figure's fiscal year: the milestone for that year
  where one exists (its own rate); otherwise a straight line from the
  baseline year (0%) to the target year (100%). Without a baseline the line
  starts the year before the strategy began.
- Status: 達成 when the rate is 100% or more; else 順調 when the rate is at
  least the expected rate; やや遅れ when at least 80% of it; 遅れ below that.
  評価できない when there is no figure, the goal equals its baseline, or the
  figure predates the start of the line.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from strategy_portal import display

HUNDRED = Decimal(100)
ON_TRACK_SHARE = Decimal(1)  # rate ≥ 100% of the expected rate → 順調
SLIGHTLY_BEHIND_SHARE = Decimal("0.8")  # rate ≥ 80% of the expected rate → やや遅れ


class Status(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    ON_TRACK = "on_track", "順調"
    SLIGHTLY_BEHIND = "slightly_behind", "やや遅れ"
    BEHIND = "behind", "遅れ"
    UNKNOWN = "unknown", "評価できない"


# Order of the statuses in summaries: best first, 評価できない last.
STATUS_ORDER = [s.value for s in Status]


@dataclass(frozen=True)
class Goal:
    """One breakdown's targets: the goal (latest year) and its milestones."""

    indicator_id: int
    breakdown: str
    target: object  # the Target with the latest fiscal year
    milestones: dict = field(default_factory=dict)  # fiscal year → Target (earlier years)

    @property
    def fiscal_year(self) -> int:
        return self.target.fiscal_year

    @property
    def value(self) -> Decimal:
        return Decimal(self.target.value)

    @property
    def baseline(self) -> Decimal | None:
        base = self.target.baseline_value
        return None if base is None else Decimal(base)

    @property
    def baseline_fiscal_year(self) -> int | None:
        return self.target.baseline_fiscal_year

    @property
    def decreasing(self) -> bool:
        return self.target.direction == "decrease"

    @property
    def is_draft(self) -> bool:
        return any(t.is_draft for t in (self.target, *self.milestones.values()))


@dataclass(frozen=True)
class Progress:
    goal: Goal
    fiscal_year: int | None  # of the figure assessed
    value: Decimal | None
    rate: Decimal | None  # 進捗率 in %, one decimal
    expected: Decimal | None  # the rate expected by that year, in %
    status: str
    reason: str = ""  # why it cannot be assessed

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    def as_dict(self) -> dict:
        """The open-data form (JSON `progress` object)."""
        return {
            "breakdown": self.goal.breakdown,
            "fiscal_year": self.fiscal_year,
            "value": display.native_number(self.value),
            "target_fiscal_year": self.goal.fiscal_year,
            "target": display.native_number(self.goal.value),
            "baseline_fiscal_year": self.goal.baseline_fiscal_year,
            "baseline": display.native_number(self.goal.baseline),
            "direction": self.goal.target.direction,
            "rate": display.native_number(self.rate),
            "expected_rate": display.native_number(self.expected),
            "status": self.status,
            "status_label": self.status_label,
        }


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def goals_from(targets) -> dict[tuple[int, str], Goal]:
    """Targets (any order) → goals keyed by (indicator id, breakdown)."""
    by_series = {}
    for target in targets:
        by_series.setdefault((target.indicator_id, target.breakdown), []).append(target)
    goals = {}
    for key, series in by_series.items():
        series.sort(key=lambda t: t.fiscal_year)
        *earlier, last = series
        goals[key] = Goal(key[0], key[1], last, {t.fiscal_year: t for t in earlier})
    return goals


def rate_of(goal: Goal, value) -> Decimal | None:
    """進捗率 of a value against the goal, in % (None when it cannot be computed)."""
    value = Decimal(value)
    if goal.baseline is not None:
        span = goal.value - goal.baseline
        if span == 0:
            return None
        return _one_decimal((value - goal.baseline) / span * HUNDRED)
    if goal.decreasing:
        if value == 0:
            return HUNDRED
        return _one_decimal(goal.value / value * HUNDRED)
    if goal.value == 0:
        return None
    return _one_decimal(value / goal.value * HUNDRED)


def expected_rate(goal: Goal, fiscal_year: int, *, plan_start_year: int | None) -> Decimal | None:
    """The rate a figure of `fiscal_year` should have reached to be on track, in %."""
    milestone = goal.milestones.get(fiscal_year)
    if milestone is not None:
        return rate_of(goal, milestone.value)
    if goal.baseline_fiscal_year is not None:
        start = goal.baseline_fiscal_year
    elif plan_start_year is not None:
        start = plan_start_year - 1
    else:
        return None
    if fiscal_year <= start:
        return None
    if fiscal_year >= goal.fiscal_year:
        return HUNDRED
    return _one_decimal(Decimal(fiscal_year - start) / Decimal(goal.fiscal_year - start) * HUNDRED)


def status_for(rate: Decimal | None, expected: Decimal | None) -> str:
    if rate is None:
        return Status.UNKNOWN
    if rate >= HUNDRED:
        return Status.ACHIEVED
    if expected is None or expected <= 0:
        return Status.UNKNOWN
    if rate >= expected * ON_TRACK_SHARE:
        return Status.ON_TRACK
    if rate >= expected * SLIGHTLY_BEHIND_SHARE:
        return Status.SLIGHTLY_BEHIND
    return Status.BEHIND


def assess(goal: Goal, value, fiscal_year: int | None, *, plan_start_year=None) -> Progress:
    """The progress of one figure (value, fiscal year) towards the goal."""
    if value is None or fiscal_year is None:
        return Progress(goal, None, None, None, None, Status.UNKNOWN, "実績がありません")
    rate = rate_of(goal, value)
    if rate is None:
        reason = "目標値が基準値と同じ、または0のため"
        return Progress(goal, fiscal_year, Decimal(value), None, None, Status.UNKNOWN, reason)
    expected = expected_rate(goal, fiscal_year, plan_start_year=plan_start_year)
    status = status_for(rate, expected)
    if status == Status.UNKNOWN:  # no rate beside 評価できない: it would contradict it
        reason = "基準年度以前の実績のため"
        return Progress(goal, fiscal_year, Decimal(value), None, expected, status, reason)
    return Progress(goal, fiscal_year, Decimal(value), rate, expected, status)


def assess_result(goals: dict, result, *, plan_start_year=None) -> Progress | None:
    """The progress of one result, where a goal covers its indicator and breakdown."""
    goal = goals.get((result.indicator_id, result.breakdown))
    if goal is None:
        return None
    return assess(goal, result.value, result.fiscal_year, plan_start_year=plan_start_year)


def of_result(result) -> Progress | None:
    """The progress of a result whose indicator's visible targets were prefetched."""
    indicator = result.indicator
    goals = goals_from(indicator.targets.all())
    return assess_result(goals, result, plan_start_year=indicator.plan_start_year)


def rule() -> dict:
    """The thresholds, for the page that explains the rule."""
    return {
        "slightly_behind_percent": display.native_number(SLIGHTLY_BEHIND_SHARE * HUNDRED),
        "statuses": [(s.value, s.label) for s in Status],
    }


@dataclass(frozen=True)
class Summary:
    counts: list  # (status, label, count) for every status, zeros included

    @property
    def total(self) -> int:
        return sum(count for *_, count in self.counts)


def count_by_status(progresses) -> Summary:
    """How many of these assessments (None: no target) are at each status."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for progress in progresses:
        if progress is not None:
            counts[progress.status] += 1
    return Summary([(status, Status(status).label, counts[status]) for status in STATUS_ORDER])
