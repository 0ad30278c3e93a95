"""The export is the year's template (issue 19, part 6): one row per indicator and per
内訳 seen before, missing figures empty; an Excel workbook with typed cells, fitting
columns, a frozen header, Japanese sheet names and a sheet explaining each column; a
filled template imports cleanly and its empty rows are ignored."""

import io

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Indicator, Result

from .test_import_export import confirm, upload

pytestmark = pytest.mark.django_db


def workbook(client, fiscal_year):
    """「エクスポート」 as an editor does it: the year chosen, Excel, every column."""
    url = reverse("admin:indicators_result_export")
    form = client.get(url).context["form"]
    formats = {label.lower(): value for value, label in form.fields["format"].choices}
    data = {"format": formats["xlsx"], "resource": "0", "year": str(fiscal_year)}
    data.update({name: "on" for name in form.fields if name.startswith("resultresource_")})
    response = client.post(url, data)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def series_keys():
    return set(Result.objects.values_list("indicator__slug", "breakdown").distinct()) | {
        (slug, "") for slug in Indicator.objects.filter(results=None).values_list("slug", flat=True)
    }


def test_the_template_has_a_row_for_every_indicator_and_breakdown(editor_client, draft):
    book = workbook(editor_client, fiscal_year=2018)
    sheet = book.worksheets[0]
    assert sheet.title == "実績（2018年度）"
    rows = list(sheet.values)
    header, body = rows[0], rows[1:]
    assert {(r[0], r[header.index("内訳")] or "") for r in body} == series_keys()
    stored = set(
        Result.objects.filter(fiscal_year=2018).values_list("indicator__slug", "breakdown")
    )
    for row in body:  # the figures not entered yet are empty; stored ones are there
        key = (row[0], row[header.index("内訳")] or "")
        assert (row[header.index("値")] is None) == (key not in stored), key
    assert len(body) > len(stored) + 30
    assert all(r[header.index("年度")] == 2018 for r in body)  # a number, not text
    empty = [r for r in body if r[header.index("値")] is None]
    assert all(
        r[header.index("掲載した報告書（版）")] == 2019 for r in empty
    )  # the report being written
    assert sheet.freeze_panes == "A2"
    for column, title in enumerate(header, start=1):
        letter = openpyxl.utils.get_column_letter(column)
        assert sheet.column_dimensions[letter].width >= len(title) * 2, title
    help_sheet = book.worksheets[1]
    assert help_sheet.title == "列の説明"
    explained = [row[0] for row in help_sheet.iter_rows(min_row=2, values_only=True)]
    assert explained == list(header)


def test_stored_figures_are_typed_cells(editor_client):
    sheet = workbook(editor_client, fiscal_year=2017).worksheets[0]
    rows = list(sheet.values)
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == "p1-marriage-support-consultations")
    assert row[header.index("値")] == 813 and row[header.index("版数")] == 1
    spans = [r for r in rows[1:] if r[header.index("期間種別")] == "期間"]
    assert spans and all(hasattr(r[header.index("期間終了・時点")], "year") for r in spans)


def test_a_filled_template_imports_and_its_empty_rows_are_ignored(editor_client, draft, tmp_path):
    book = workbook(editor_client, fiscal_year=2018)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    value = header.index("値") + 1
    filled = {}
    for row in sheet.iter_rows(min_row=2):
        slug, breakdown = row[0].value, row[header.index("内訳")].value
        if slug == "p1-marriage-support-consultations" and not breakdown:
            row[value - 1].value = 845
            filled[slug] = row[0].row  # the sheet's line
    path = tmp_path / "template.xlsx"
    book.save(path)
    preview = upload(editor_client, path)
    page = preview.content.decode()
    # The template's empty rows are no rows: only the stored figures are 変更なし.
    unchanged = Result.objects.filter(fiscal_year=2018).count()
    assert f"1件の新規、0件の更新、{unchanged}件は変更なし" in page
    line = filled["p1-marriage-support-consultations"]
    assert f"<td>{line}行目</td>" in page, "the preview names the line of the sheet"
    confirm(editor_client, preview)
    stored = Result.objects.get(
        indicator__slug="p1-marriage-support-consultations", fiscal_year=2018
    )
    assert stored.value == 845 and stored.edition == draft
    assert Result.objects.filter(fiscal_year=2018).count() == unchanged + 1
