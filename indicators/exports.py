"""Open data: CSV (UTF-8 with BOM, for Excel on Japanese Windows) and JSON."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

SOURCE = "北海道総合政策部「北海道創生総合戦略に基づく これまでの主な取組と 2018年度の推進方向」"

COLUMNS = [
    ("indicator", "指標ID"),
    ("indicator_name", "指標"),
    ("project", "プロジェクト"),
    ("measure", "施策"),
    ("fiscal_year", "年度"),
    ("period", "期間"),
    ("period_start", "期間開始"),
    ("period_end", "期間終了・時点"),
    ("breakdown", "内訳"),
    ("value", "値"),
    ("unit", "単位"),
    ("qualifier", "修飾"),
    ("approximate", "概数"),
    ("denominator", "分母"),
    ("denominator_label", "分母の名称"),
    ("provisional", "速報値"),
    ("status", "公開状態"),
    ("source", "出典"),
    ("updated_at", "更新日時"),
]


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def rows(results):
    for r in results:
        indicator = r.indicator
        measure = indicator.measure
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
            "value": _number(r.value),
            "unit": indicator.unit,
            "qualifier": r.get_qualifier_display() if r.qualifier else "",
            "approximate": r.approximate,
            "denominator": _number(r.denominator),
            "denominator_label": r.denominator_label,
            "provisional": r.provisional,
            "status": r.status,
            "source": r.source or f"{SOURCE}（{r.edition.year}年版）",
            "updated_at": timezone.localtime(r.updated_at).isoformat(timespec="seconds"),
        }


def _cell(value):
    """Text Excel would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_response(results, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows(results):
        writer.writerow([_cell(row[key]) for key, _ in COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(results, **meta) -> JsonResponse:
    data = {
        "source": SOURCE,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        **meta,
        "columns": {key: label for key, label in COLUMNS},
        "results": list(rows(results)),
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
