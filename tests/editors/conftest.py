"""Helpers for the editors' tests: real spreadsheets written to tmp_path, uploaded
through the admin with the test client, as an editor would."""

import csv

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from harness.forms import browser_form  # noqa: F401  (used by other test modules)
from indicators.models import Indicator, Result
from projects.models import Edition

HEADERS = [
    "指標ID",
    "指標",
    "年度",
    "内訳",
    "値",
    "単位",
    "概数",
    "修飾",
    "分母",
    "分母の名称",
    "速報値",
    "期間種別",
    "期間開始",
    "期間終了・時点",
    "掲載した報告書（版）",
    "出典",
    "注記",
    "公開状態",
    "版数",
]
# The headers before they were aligned with the open data's: files made then still import.
LEGACY_HEADERS = [
    "指標スラッグ",
    "指標名",
    "年度",
    "内訳",
    "値",
    "単位",
    "約",
    "修飾",
    "分母",
    "分母名称",
    "速報値",
    "期間種別",
    "期間開始",
    "期間終了",
    "掲載版",
    "出典",
    "注記",
    "状態",
    "版数",
]

IMPORT_URL = reverse("admin:indicators_result_import")
PROCESS_URL = reverse("admin:indicators_result_process_import")
CHANGELIST_URL = reverse("admin:indicators_result_changelist")
ADD_URL = reverse("admin:indicators_result_add")


def add_result(client, slug="p1-marriage-support-consultations", **fields):
    """Post the 実績を追加 form as a browser would."""
    data = {
        "indicator": Indicator.objects.get(slug=slug).pk,
        "fiscal_year": "2018",
        "breakdown": "",
        "order": "0",
        "value": "900",
        "qualifier": "",
        "denominator": "",
        "denominator_label": "",
        "period": "fy",
        "edition": Edition.objects.get(year=2018).pk,
        "source": "",
        "note": "",
        "change_reason": "",
        "seen_version": "",
    }
    data.update(fields)
    return client.post(ADD_URL, data)


def sheet_row(slug, fiscal_year, value, **columns):
    """One row in the export's column order; other columns blank unless given."""
    legacy = dict(zip(LEGACY_HEADERS, HEADERS, strict=True))  # 約=… reads as a keyword
    cells = {"指標ID": slug, "年度": fiscal_year, "値": value}
    cells |= {legacy.get(name, name): cell for name, cell in columns.items()}
    return [cells.get(header, "") for header in HEADERS]


def write_csv(path, rows, headers=HEADERS, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "実績"
    sheet.append(headers)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    book.save(path)
    return path


def upload(client, path):
    """Step 1: choose the file; the answer is the preview (or the errors)."""
    with open(path, "rb") as handle:
        return client.post(IMPORT_URL, {"import_file": handle, "resource": "0", "format": ""})


def confirm(client, preview):
    """Step 2: press 取り込む on the preview page."""
    form = preview.context["confirm_form"]
    assert form is not None, preview.content.decode()
    data = {name: form[name].value() for name in form.fields}
    return client.post(PROCESS_URL, data)


def import_file(client, path):
    preview = upload(client, path)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, page_errors(preview)
    return confirm(client, preview)


def page_errors(response):
    """The visible error text of an import page, for assertion messages."""
    html = response.content.decode()
    return html[html.find('id="content"') :]


def figure(slug, fiscal_year, breakdown=""):
    return Result.objects.get(indicator__slug=slug, fiscal_year=fiscal_year, breakdown=breakdown)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Public pages are cached (strategy_portal.pagecache): no page rendered from this
    test's data, which is rolled back, may outlive the test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a real commit would run (the page cache's invalidation, on_commit):
    each test runs in a transaction that is rolled back, never committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def consultations():
    """相談件数 of 結婚サポートセンター: 813件 in FY2017, published, on /projects/sumairu/."""
    return figure("p1-marriage-support-consultations", 2017)


@pytest.fixture
def report_editor(django_user_model):
    """The strategy office's report editor, signed in."""
    from django.contrib.auth.models import Group

    from ..conftest import signed_in

    user = django_user_model.objects.create_user("bunsho", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="report_editor"))
    return signed_in(user)


@pytest.fixture
def draft():
    """The 2019 edition, started from the 2018 one (a draft)."""
    from projects import services

    return services.start_next_edition(Edition.objects.get(year=2018))
