"""Open data: CSV (UTF-8 with BOM, for Excel on Japanese Windows) and JSON.

Compatible across versions: columns are only ever added at the end, never
renamed or removed; the JSON carries `schema_version`.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from opendata import columns, licence
from projects import credits
from projects.models import Department
from strategy_portal import display
from strategy_portal.spreadsheets import escape_formula

from . import progress
from .models import SelfAssessment

# 1.1: edition, targets and progress columns; sources list. 1.2: the owning department
# and the measure's published self-assessment of the year (grade, rule version, override).
SCHEMA_VERSION = "1.2"

# The header of each column, in order (opendata.columns.RESULTS describes them).
COLUMNS = [(column.key, column.label) for column in columns.RESULTS]
_FIRST, _LAST = "target_fiscal_year", "progress_status_label"
PROGRESS_COLUMNS = [key for key, _ in COLUMNS][
    [key for key, _ in COLUMNS].index(_FIRST) : [key for key, _ in COLUMNS].index(_LAST) + 1
]


def _progress_columns(figure) -> dict:
    if figure is None:
        return dict.fromkeys(PROGRESS_COLUMNS)
    data = figure.as_dict()
    return {
        "target_fiscal_year": data["target_fiscal_year"],
        "target": data["target"],
        "baseline_fiscal_year": data["baseline_fiscal_year"],
        "baseline": data["baseline"],
        "direction": data["direction"],
        "progress_rate": data["rate"],
        "progress_status": data["status"],
        "progress_status_label": data["status_label"],
    }


def _assessment_columns(assessment) -> dict:
    if assessment is None:
        return {
            "grade": None,
            "computed_grade": None,
            "grading_rule_version": None,
            "grade_override_reason": "",
        }
    return {
        "grade": assessment.grade,
        "computed_grade": assessment.computed_grade,
        "grading_rule_version": assessment.rule.version,
        "grade_override_reason": assessment.override_reason if assessment.override_grade else "",
    }


def rows(results, *, targets=None):
    """One dict per result; `targets` are the indicator's when all rows share one,
    else each row's indicator brings its prefetched, visible targets. Departments and
    the published self-assessments are read once for all rows (two queries)."""
    results = list(results)
    departments = dict(Department.objects.values_list("pk", "name"))
    measures = {r.indicator.measure_id for r in results} - {None}
    assessments = (
        {
            (a.measure_id, a.fiscal_year): a
            for a in SelfAssessment.objects.public()
            .filter(measure_id__in=measures, fiscal_year__in={r.fiscal_year for r in results})
            .select_related("rule")
        }
        if measures
        else {}
    )
    goals_by_indicator = {}
    for r in results:
        indicator = r.indicator
        goals = goals_by_indicator.get(indicator.pk)
        if goals is None:
            goals = progress.goals_from(indicator.targets.all() if targets is None else targets)
            goals_by_indicator[indicator.pk] = goals
        measure = indicator.measure
        figure = progress.assess_result(goals, r, plan_start_year=indicator.plan_start_year)
        yield {
            "indicator": indicator.slug,
            "indicator_name": indicator.name,
            "project": measure.project.name if measure else "",
            "measure": measure.title if measure else "",
            "fiscal_year": r.fiscal_year,
            "period": r.period_display,
            "period_start": r.period_start.isoformat() if r.period_start else None,
            "period_end": r.period_end.isoformat() if r.period_end else None,
            "breakdown": r.breakdown,
            "value": display.native_number(r.value),
            "unit": indicator.unit,
            "qualifier": r.get_qualifier_display() if r.qualifier else "",
            "approximate": r.approximate,
            "denominator": display.native_number(r.denominator),
            "denominator_label": r.denominator_label,
            "provisional": r.provisional,
            "status": r.status,
            "source": r.source_display,
            "updated_at": timezone.localtime(r.updated_at).isoformat(timespec="seconds"),
            "edition": r.edition.year if r.edition else None,
            **_progress_columns(figure),
            "owner": departments.get(
                indicator.department_id or (measure.department_id if measure else None), ""
            ),
            **_assessment_columns(assessments.get((indicator.measure_id, r.fiscal_year))),
        }


def target_row(target, goals) -> dict:
    """A target in the indicator's JSON: the goal of its breakdown, or a milestone."""
    goal = next((g for g in goals if g.target.pk == target.pk), None)
    return {
        "breakdown": target.breakdown,
        "fiscal_year": target.fiscal_year,
        "value": display.native_number(target.value),
        "kind": "goal" if goal is not None else "milestone",
        "baseline_fiscal_year": target.baseline_fiscal_year,
        "baseline": display.native_number(target.baseline_value),
        "direction": target.direction,
        "status": target.status,
        "note": target.note,
    }


def _cell(value):
    """Text Excel would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number is no formula: -20 stays a number, not '-20
    return escape_formula(str(value))


def csv_response(results, filename: str, *, targets=None) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows(results, targets=targets):
        writer.writerow([_cell(row[key]) for key in (k for k, _ in COLUMNS)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return licence.add_license_link(response)


def json_response(results, *, targets=None, meta=None) -> JsonResponse:
    data_rows = list(rows(results, targets=targets))
    sources = list(dict.fromkeys(row["source"] for row in data_rows if row["source"]))
    data = {
        "schema_version": SCHEMA_VERSION,
        "source": "／".join(sources),
        "sources": sources,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        **credits.license_fields(),
        **(meta or {}),
        "columns": dict(COLUMNS),
        "results": data_rows,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return licence.add_license_link(response)
