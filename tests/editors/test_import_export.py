"""A year's results from a spreadsheet: preview, all or nothing, errors by row and column."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Result

from .conftest import (
    CHANGELIST_URL,
    HEADERS,
    IMPORT_URL,
    LEGACY_HEADERS,
    browser_form,
    confirm,
    figure,
    import_file,
    page_errors,
    sheet_row,
    upload,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

CONSULTATIONS = "p1-marriage-support-consultations"  # 相談件数, 件
FLIGHTS = "p1-medical-wing-flights"  # ドクターヘリ等の搬送 件, FY2017 21
IBASHO = "p1-child-ibasho-municipalities"  # 市町村, FY2017 7


def history_rows():
    return Result.history.count()


def test_an_xlsx_of_a_new_year_is_previewed_then_imported_as_drafts_with_history(
    editor_client, tmp_path, editor_user
):
    path = write_xlsx(
        tmp_path / "2018年度実績.xlsx",
        [
            sheet_row(CONSULTATIONS, 2018, 902, 注記="2019年3月末"),
            sheet_row(FLIGHTS, 2018, "１，３６６", 約="○", 速報値="○"),
        ],
    )
    before = Result.objects.count()

    preview = upload(editor_client, path)

    page = preview.content.decode()
    assert "確認（まだ保存していません）" in page
    assert page.count("新規（下書き）") == 2
    assert Result.objects.count() == before, "the preview writes nothing"

    done = confirm(editor_client, preview)

    assert done.status_code == 302
    assert Result.objects.count() == before + 2
    new = figure(CONSULTATIONS, 2018)
    assert new.value == 902 and new.status == Result.Status.DRAFT and new.note == "2019年3月末"
    events = figure(FLIGHTS, 2018)
    assert events.value == 1366 and events.approximate and events.provisional
    record = new.history.first()
    assert record.history_type == "+"
    assert record.history_change_reason == "XLSXインポート: 2018年度実績.xlsx"
    assert record.history_user == editor_user
    message = editor_client.get(done["Location"]).content.decode()
    assert "新規 2件" in message and "下書き" in message


def test_a_csv_updates_a_published_figure_which_shows_at_once(
    editor_client, client, tmp_path, consultations, committed
):
    assert "813" in client.get("/projects/sumairu/").content.decode()
    path = write_csv(tmp_path / "fix.csv", [sheet_row(CONSULTATIONS, 2017, "8,137")])

    with committed():
        import_file(editor_client, path)

    consultations.refresh_from_db()
    assert consultations.value == 8137
    assert consultations.status == Result.Status.PUBLISHED, "a correction keeps its status"
    assert consultations.version == 2
    assert consultations.history.first().history_change_reason == "CSVインポート: fix.csv"
    page = client.get("/projects/sumairu/").content.decode()
    assert "8,137" in page


def test_the_preview_shows_each_changed_cell_as_old_then_new_value(
    editor_client, tmp_path, consultations
):
    """845 → 852 as values, not a character diff (8~~4~~5<u>2</u>)."""
    path = write_csv(tmp_path / "fix.csv", [sheet_row(CONSULTATIONS, 2017, 852, 注記="訂正")])

    preview = upload(editor_client, path)

    html = preview.content.decode()
    start = html.find('id="import-preview"')
    table = html[start : html.find("</table>", start)]
    changed = re.findall(r'<td class="changed">(.*?)</td>', table, re.S)
    texts = [re.sub(r"<[^>]+>", "", cell).split() for cell in changed]
    assert ["変更前：813", "→", "変更後：852"] in texts
    assert ["変更前：（空欄）", "→", "変更後：訂正"] in texts
    assert ["変更前：1", "→", "変更後：2"] in texts, "the row's 版数 moves on when saved"
    assert len(changed) == 3, "unchanged cells are shown as they are"
    assert "<td>相談件数</td>" in table and "<td>件</td>" in table
    assert "background:" not in table, "no character-diff markup"
    consultations.refresh_from_db()
    assert consultations.value == 813, "the preview writes nothing"


def test_a_bad_last_row_changes_nothing_and_names_its_row_and_column(
    editor_client, tmp_path, consultations
):
    rows = [
        sheet_row(CONSULTATIONS, 2017, 900),
        sheet_row(FLIGHTS, 2017, "22"),
        sheet_row(IBASHO, 2017, "-5"),  # line 4 of the file, after the header
    ]
    path = write_csv(tmp_path / "fy2017.csv", rows)
    results, history = Result.objects.count(), history_rows()
    values = dict(Result.objects.values_list("pk", "value"))

    preview = upload(editor_client, path)

    page = page_errors(preview)
    assert preview.context.get("confirm_form") is None, "no way to confirm a file with errors"
    assert "4行目" in page
    assert "値：値に負の数は入力できません。" in page
    assert Result.objects.count() == results
    assert history_rows() == history
    assert dict(Result.objects.values_list("pk", "value")) == values


@pytest.mark.parametrize(
    "bad_row, column, message",
    [
        (sheet_row("p1-no-such-indicator", 2018, 1), "指標ID", "の指標はありません"),
        (sheet_row(CONSULTATIONS, 2150, 1), "年度", "年度は1989～2100の範囲"),
        (sheet_row(CONSULTATIONS, 2018, "NaN"), "値", "NaN（非数）や無限大は入力できません"),
        (sheet_row(CONSULTATIONS, 2018, "約900"), "値", "「約」は値に含めず"),
        (sheet_row(CONSULTATIONS, 2018, "900件"), "値", "単位「件」は値に入れないでください"),
        (sheet_row(CONSULTATIONS, 2018, 100, 分母=99), "分母", "分母（99）は値（100）以上"),
        (sheet_row(CONSULTATIONS, 2018, 1, 単位="人"), "単位", "指標の単位「件」と違います"),
        (sheet_row(CONSULTATIONS, 2018, 1, 期間種別="半期"), "期間種別", "次のどれかで"),
        (sheet_row(CONSULTATIONS, 2018, 1, 期間種別="期間"), "", "期間には開始日と終了日"),
        (
            sheet_row(CONSULTATIONS, 2018, 1, 期間終了="2018-02-30"),
            "期間終了・時点",
            "日付として読めません",
        ),
        (sheet_row(CONSULTATIONS, 2018, 1, 約="たぶん"), "概数", "「○」か空欄"),
        (
            sheet_row(CONSULTATIONS, 2018, 1, 掲載版=1999),
            "掲載した報告書（版）",
            "報告書はありません",
        ),
    ],
)
def test_each_kind_of_bad_cell_is_refused_with_its_column(
    editor_client, tmp_path, bad_row, column, message
):
    path = write_csv(tmp_path / "bad.csv", [sheet_row(FLIGHTS, 2018, 5), bad_row])
    results = Result.objects.count()

    preview = upload(editor_client, path)

    page = page_errors(preview)
    assert "3行目" in page
    assert message in page
    if column:
        assert f"{column}：" in page
    assert Result.objects.count() == results


def test_the_same_figure_twice_in_a_file_is_refused(editor_client, tmp_path):
    path = write_csv(
        tmp_path / "twice.csv",
        [sheet_row(CONSULTATIONS, 2018, 900), sheet_row(CONSULTATIONS, 2018, 901)],
    )
    page = page_errors(upload(editor_client, path))
    assert "3行目" in page and "このファイルの2行目にもあります" in page
    assert not Result.objects.filter(fiscal_year=2018, indicator__slug=CONSULTATIONS).exists()


def test_one_fiscal_year_per_file(editor_client, tmp_path):
    path = write_csv(
        tmp_path / "years.csv",
        [sheet_row(CONSULTATIONS, 2018, 900), sheet_row(FLIGHTS, 2019, 5)],
    )
    page = page_errors(upload(editor_client, path))
    assert "1つのファイルには1つの年度の実績だけ" in page
    assert "2行目は2018年度、この行は2019年度" in page


def test_unknown_or_missing_headers_are_named(editor_client, tmp_path):
    headers = [h for h in HEADERS if h != "値"] + ["値（件）"]
    path = write_csv(tmp_path / "headers.csv", [["x"] * len(headers)], headers=headers)
    page = page_errors(upload(editor_client, path))
    assert "列「値」がありません" in page
    assert "見出し「値(件)」は読み取れません" in page


def test_a_row_changed_since_the_export_is_refused(
    editor_client, second_editor_client, tmp_path, consultations
):
    exported = export_rows(editor_client, "csv", fiscal_year=2017)
    row = next(r for r in exported if r["指標ID"] == CONSULTATIONS)
    # Meanwhile another editor corrects the figure in the form.
    second_editor_client.post(
        reverse("admin:indicators_result_change", args=[consultations.pk]),
        form_data(second_editor_client, consultations, value="815", change_reason="訂正"),
    )
    row["値"] = "814"
    path = tmp_path / "stale.csv"
    write_csv(path, [[row[h] for h in HEADERS]])

    page = page_errors(upload(editor_client, path))

    assert "版数：この実績は書き出した後に変更されています" in page
    consultations.refresh_from_db()
    assert consultations.value == 815


def test_a_change_between_preview_and_confirmation_cancels_the_whole_import(
    editor_client, tmp_path, consultations
):
    path = write_csv(
        tmp_path / "race.csv",
        [sheet_row(CONSULTATIONS, 2018, 900), sheet_row(FLIGHTS, 2018, 5)],
    )
    preview = upload(editor_client, path)
    # Someone enters one of the rows by hand while the preview is open.
    Result.objects.create(
        indicator=consultations.indicator, edition=consultations.edition, fiscal_year=2018, value=1
    )
    results, history = Result.objects.count(), history_rows()

    done = confirm(editor_client, preview)

    page = done.content.decode()
    assert "取り込みを中止しました" in page
    assert "2行目" in page and "他の人がこの指標・年度・内訳の実績を登録しました" in page
    assert Result.objects.count() == results
    assert history_rows() == history
    assert figure(CONSULTATIONS, 2018).value == 1


def test_too_big_a_file_is_refused_in_japanese(editor_client, tmp_path):
    path = tmp_path / "big.csv"
    rows = [sheet_row(CONSULTATIONS, 2018, 1, 注記="あ" * 1000) for _ in range(800)]
    write_csv(path, rows)
    assert path.stat().st_size > 2 * 1024 * 1024
    response = upload(editor_client, path)
    assert "ファイルが大きすぎます" in response.content.decode()
    assert "上限は2MB" in response.content.decode()


def test_other_file_types_are_refused(editor_client, tmp_path):
    path = tmp_path / "results.txt"
    path.write_text("指標スラッグ,年度\n", encoding="utf-8")
    assert "CSV（.csv）か Excel（.xlsx）" in upload(editor_client, path).content.decode()


def test_a_shift_jis_csv_from_japanese_excel_is_read(editor_client, tmp_path):
    path = write_csv(
        tmp_path / "sjis.csv",
        [sheet_row(CONSULTATIONS, 2018, "９０２", 注記="速報（３月末）")],
        encoding="cp932",
    )
    import_file(editor_client, path)
    result = figure(CONSULTATIONS, 2018)
    assert result.value == 902 and result.note == "速報（３月末）"


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file(editor_client, tmp_path):
    blank = [""] * len(HEADERS)
    path = write_xlsx(
        tmp_path / "gaps.xlsx",
        [sheet_row(CONSULTATIONS, 2018, 1), blank, sheet_row(CONSULTATIONS, 2018, "x")],
    )
    page = page_errors(upload(editor_client, path))
    assert "4行目" in page, "line 4 of the sheet, counting the header and the blank line"


def test_only_editors_may_import(staff_client, client, tmp_path):
    path = write_csv(tmp_path / "a.csv", [sheet_row(CONSULTATIONS, 2018, 1)])
    for outsider in (staff_client, client):
        response = upload(outsider, path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Result.objects.filter(fiscal_year=2018, indicator__slug=CONSULTATIONS).exists()


# Export ---------------------------------------------------------------------------------


def export_response(client, file_format, **filters):
    url = reverse("admin:indicators_result_export")
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    if query:
        url += "?" + query
    page = client.get(url)
    formats = dict(
        (label.lower(), value) for value, label in page.context["form"].fields["format"].choices
    )
    data = {"format": formats[file_format], "resource": "0"}
    data.update(
        {name: "on" for name in page.context["form"].fields if name.startswith("resultresource_")}
    )
    return client.post(url, data)


def export_rows(client, file_format, **filters):
    response = export_response(client, file_format, **filters)
    assert response.status_code == 200, response.content[:500]
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_has_the_import_columns_and_a_bom_for_excel(editor_client):
    response = export_response(editor_client, "csv", fiscal_year=2017)
    assert response.content.startswith("\ufeff".encode())
    rows = export_rows(editor_client, "csv", fiscal_year=2017)
    assert list(rows[0]) == HEADERS
    row = next(r for r in rows if r["指標ID"] == CONSULTATIONS)
    assert row["指標"] == "相談件数" and row["値"] == "813" and row["単位"] == "件"
    assert row["期間種別"] == "年度" and row["公開状態"] == "公開" and row["版数"] == "1"
    assert {r["年度"] for r in rows} == {"2017"}


def test_an_export_imported_again_changes_nothing(editor_client, tmp_path):
    rows = export_rows(editor_client, "xlsx", fiscal_year=2017)
    path = write_xlsx(tmp_path / "same.xlsx", [[r[h] for h in HEADERS] for r in rows])
    history = history_rows()

    preview = upload(editor_client, path)

    assert preview.content.decode().count("変更なし") >= len(rows)
    confirm(editor_client, preview)
    assert history_rows() == history, "unchanged rows leave no history and keep their version"


def test_a_file_with_the_headers_used_before_they_were_aligned_still_imports(
    editor_client, tmp_path
):
    """指標スラッグ, 約, 分母名称, 掲載版 … now read 指標ID, 概数, 分母の名称, 掲載した報告書（版）,
    the open data's spelling; a file an editor kept from last year imports all the same."""
    rows = export_rows(editor_client, "xlsx", fiscal_year=2017)
    assert list(rows[0]) == HEADERS
    path = write_xlsx(
        tmp_path / "old.xlsx", [[r[h] for h in HEADERS] for r in rows], headers=LEGACY_HEADERS
    )
    history = history_rows()

    preview = upload(editor_client, path)

    assert "見出しを確かめてください" not in preview.content.decode()
    assert preview.content.decode().count("変更なし") >= len(rows)
    confirm(editor_client, preview)
    assert history_rows() == history


def test_the_export_offers_this_years_figures_by_default_and_they_import_again(
    editor_client, tmp_path
):
    """Every year in one file could not be imported (one year per file): 49 row errors."""
    url = reverse("admin:indicators_result_export")
    page = editor_client.get(url)
    html = page.content.decode()
    assert "2017年度（平成29年度）の実績" in html and "全年度（取り込みには使えません）" in html
    data = browser_form(page)
    assert data["year"] == "2017", "the 2018 report's results year is the default"
    formats = {
        label.lower(): value for value, label in page.context["form"].fields["format"].choices
    }
    data["format"] = formats["csv"]

    response = editor_client.post(url, data)

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["年度"] for row in rows} == {"2017"}
    # The year's template: every stored figure, and an empty row for each one missing.
    stored = Result.objects.filter(fiscal_year=2017).count()
    assert len([row for row in rows if row["値"]]) == stored and len(rows) > stored
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    preview = upload(editor_client, path)
    assert preview.context.get("confirm_form") is not None, page_errors(preview)
    assert f"0件の新規、0件の更新、{stored}件は変更なし" in preview.content.decode()


def test_from_a_list_filtered_by_year_the_export_offers_that_year(editor_client):
    url = reverse("admin:indicators_result_export") + "?fiscal_year=2016"
    assert browser_form(editor_client.get(url))["year"] == "2016"


def test_cells_excel_would_run_as_formulas_are_escaped_and_read_back(
    editor_client, tmp_path, consultations
):
    formula = '=HYPERLINK("http://example.com","詳細")'
    Result.objects.filter(pk=consultations.pk).update(note=formula)
    Result.objects.filter(pk=figure(FLIGHTS, 2017).pk).update(note="+81 11 231 4111")
    for file_format in ("csv", "xlsx"):
        rows = export_rows(editor_client, file_format, fiscal_year=2017)
        notes = {r["指標ID"]: r["注記"] for r in rows}
        assert notes[CONSULTATIONS] == "'" + formula, file_format
        assert notes[FLIGHTS] == "'+81 11 231 4111"
    rows = export_rows(editor_client, "csv", fiscal_year=2017)
    path = write_csv(tmp_path / "again.csv", [[r[h] for h in HEADERS] for r in rows])
    import_file(editor_client, path)
    consultations.refresh_from_db()
    assert consultations.note == formula, "the leading ' is not stored"
    assert consultations.version == 1, "nothing changed"


def test_staff_and_the_public_cannot_export_from_the_admin(staff_client, client):
    for outsider in (staff_client, client):
        response = outsider.get(reverse("admin:indicators_result_export"))
        assert response.status_code == 302


def form_data(client, result, **changes):
    """The change form as the browser would post it, with some fields changed."""
    page = client.get(reverse("admin:indicators_result_change", args=[result.pk]))
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value if not hasattr(value, "pk") else value.pk
    data.update(changes)
    return data


def test_the_import_button_is_on_the_results_list(editor_client):
    page = editor_client.get(CHANGELIST_URL).content.decode()
    assert IMPORT_URL in page


def test_the_import_applies_the_same_rules_as_the_form(editor_client, tmp_path):
    """One home for the rules: a decimal count and a 内訳 with a full-width space."""
    path = write_csv(tmp_path / "2018.csv", [sheet_row(CONSULTATIONS, 2018, "21.5")])
    preview = upload(editor_client, path)
    assert "小数（21.5）は入力できません" in preview.content.decode()
    assert not Result.objects.filter(indicator__slug=CONSULTATIONS, fiscal_year=2018).exists()
    path = write_csv(
        tmp_path / "2018b.csv",
        [sheet_row("p2-mirai-challenge-grants", 2018, 4, 内訳="スポーツ　コース")],
    )
    confirm(editor_client, upload(editor_client, path))
    stored = Result.objects.get(indicator__slug="p2-mirai-challenge-grants", fiscal_year=2018)
    assert stored.breakdown == "スポーツコース"


def test_a_figure_from_another_source_is_imported_with_its_source(editor_client, tmp_path):
    """出典 is a column because the columns come from the form's field list."""
    path = write_csv(
        tmp_path / "other.csv",
        [sheet_row(CONSULTATIONS, 2018, 905, 出典="北海道 結婚サポートセンター調べ")],
    )
    import_file(editor_client, path)
    new = figure(CONSULTATIONS, 2018)
    assert new.source == "北海道 結婚サポートセンター調べ" and new.edition is None
    assert new.source_display == "北海道 結婚サポートセンター調べ"


def test_form_rows_and_spreadsheet_share_one_field_list():
    from django.contrib import admin

    from indicators import forms, resources

    result_admin = admin.site._registry[Result]
    laid_out = [
        name
        for _, options in result_admin.fieldsets
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    ]
    assert set(forms.RESULT_FIELDS) <= set(laid_out), "every field is on the result's page"
    assert tuple(forms.ResultForm._meta.fields) == forms.RESULT_FIELDS
    columns = [
        name for name in resources.COLUMNS if not resources.ResultResource.fields[name].readonly
    ]
    assert columns == [n for n in forms.RESULT_FIELDS if n not in forms.PLACED_FIELDS]


def test_the_preview_leaves_the_page_cache_alone_and_the_import_refreshes_it(
    editor_client, tmp_path, committed
):
    """A dry run is rolled back: public pages stay cached. Only 取り込む makes them stale."""
    from strategy_portal import pagecache as page_cache

    path = write_csv(tmp_path / "fix.csv", [sheet_row(CONSULTATIONS, 2017, 852)])
    before = page_cache.generation()

    with committed():
        preview = upload(editor_client, path)
    assert page_cache.generation() == before, "the preview made every cached page stale"

    with committed():
        confirm(editor_client, preview)
    assert page_cache.generation() != before
    assert figure(CONSULTATIONS, 2017).value == 852


def test_the_preview_escapes_what_a_cell_holds(editor_client, tmp_path):
    """A cell is shown as text, new or changed: never as markup."""
    path = write_csv(
        tmp_path / "x.csv", [sheet_row(CONSULTATIONS, 2018, 1, 注記="<script>alert(1)</script>")]
    )
    html = upload(editor_client, path).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_spreadsheet_gives_dates_as_the_report_prints_them(editor_client, tmp_path):
    """和暦 dates (H31.3.31) and a year and month alone (2019年11月) import as dates."""
    rows = {
        2018: sheet_row(CONSULTATIONS, 2018, 851, 期間種別="時点", 期間終了="H31.3.31"),
        2019: sheet_row(CONSULTATIONS, 2019, 860, 期間種別="年月", 期間終了="2019年11月"),
    }
    for year, row in rows.items():  # one fiscal year a file
        import_file(editor_client, write_csv(tmp_path / f"dates-{year}.csv", [row]))
    stored = {
        result.fiscal_year: result.period_end.isoformat()
        for result in Result.objects.filter(
            indicator__slug=CONSULTATIONS, fiscal_year__in=[2018, 2019]
        )
    }
    assert stored == {2018: "2019-03-31", 2019: "2019-11-01"}
