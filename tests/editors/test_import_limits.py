"""Hostile spreadsheets: each is refused with a message naming the limit, writes
nothing, and leaves no file behind; the confirm step trusts no posted name."""

import os
import time
import zipfile

import pytest

from indicators.models import Result
from indicators.uploads import MAX_CELL_CHARS, ImportTempStorage
from tests.editors.conftest import (
    IMPORT_URL,
    PROCESS_URL,
    confirm,
    page_errors,
    sheet_row,
    upload,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

SLUG = "p1-marriage-support-consultations"


def pending_files():
    return sorted(os.listdir(ImportTempStorage.directory()))


@pytest.fixture(autouse=True)
def empty_import_directory():
    for name in pending_files():
        os.remove(os.path.join(ImportTempStorage.directory(), name))


def refused(response, *words):
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    text = page_errors(response)
    for word in words:
        assert word in text, text[:3000]
    return text


def test_a_file_with_far_more_rows_than_a_year_is_refused_naming_the_limit(editor_client, tmp_path):
    before = Result.objects.count()
    path = write_csv(tmp_path / "rows.csv", [["", "", "2019"]] * 200_000)
    assert path.stat().st_size < 2 * 1024 * 1024
    refused(upload(editor_client, path), "行が多すぎます", "上限1,000行")
    assert Result.objects.count() == before
    assert pending_files() == []


def test_an_xlsx_with_too_many_rows_is_refused_without_reading_it_all(editor_client, tmp_path):
    path = write_xlsx(tmp_path / "rows.xlsx", [sheet_row(SLUG, 2019, "1")] * 5_000)
    refused(upload(editor_client, path), "行が多すぎます")
    assert pending_files() == []


def test_a_huge_cell_is_refused(editor_client, tmp_path):
    note = "長" * (MAX_CELL_CHARS + 1)
    path = write_xlsx(tmp_path / "cell.xlsx", [sheet_row(SLUG, 2019, "1", 注記=note)])
    refused(upload(editor_client, path), "セルが長すぎます", f"上限{MAX_CELL_CHARS:,}文字")


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_unpacking(editor_client, tmp_path):
    """1.5 MB on disk can hold gigabytes: the archive's directory is checked first."""
    path = write_xlsx(tmp_path / "bomb.xlsx", [sheet_row(SLUG, 2019, "1")])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    refused(upload(editor_client, path), "中身が大きすぎます", "上限20MB")
    assert pending_files() == []


def test_reading_and_checking_stop_at_the_time_limit(editor_client, tmp_path, settings):
    settings.IMPORT_MAX_SECONDS = 0
    path = write_csv(tmp_path / "slow.csv", [sheet_row(SLUG, 2019, "1")])
    refused(upload(editor_client, path), "時間がかかりすぎた", "上限0秒")
    assert pending_files() == []


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\u202e"])
def test_control_characters_in_a_text_cell_are_refused(editor_client, tmp_path, character):
    before = Result.objects.count()
    row = sheet_row(SLUG, 2019, "1", 内訳=f"学生{character}コース")
    path = write_csv(tmp_path / "nul.csv", [row])
    text = refused(upload(editor_client, path), "制御文字", "内訳")
    assert f"U+{ord(character):04X}" in text
    assert Result.objects.count() == before


def test_a_refused_preview_leaves_no_file_and_a_confirmed_one_removes_its_own(
    editor_client, tmp_path
):
    bad = write_csv(tmp_path / "bad.csv", [sheet_row(SLUG, 2019, "abc")])
    refused(upload(editor_client, bad))
    assert pending_files() == []

    good = write_csv(tmp_path / "good.csv", [sheet_row(SLUG, 2019, "1")])
    preview = upload(editor_client, good)
    assert len(pending_files()) == 1
    assert confirm(editor_client, preview).status_code == 302
    assert pending_files() == []


def test_a_new_preview_replaces_the_previous_one_and_abandoned_files_expire(
    editor_client, tmp_path
):
    good = write_csv(tmp_path / "good.csv", [sheet_row(SLUG, 2019, "1")])
    upload(editor_client, good)
    first = pending_files()
    upload(editor_client, good)
    assert len(pending_files()) == 1 and pending_files() != first

    # Another editor's preview, abandoned two hours ago.
    stale = os.path.join(ImportTempStorage.directory(), "0" * 32)
    with open(stale, "wb") as handle:
        handle.write(b"x")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    upload(editor_client, good)
    assert "0" * 32 not in pending_files()


def confirm_data(preview, **changes):
    form = preview.context["confirm_form"]
    return {**{name: form[name].value() for name in form.fields}, **changes}


@pytest.mark.parametrize("name", ["does-not-exist", "../../etc/passwd", "", "f" * 32])
def test_a_posted_file_name_that_is_not_this_sessions_preview_is_refused(
    editor_client, tmp_path, name
):
    good = write_csv(tmp_path / "good.csv", [sheet_row(SLUG, 2019, "1")])
    preview = upload(editor_client, good)
    before = Result.objects.count()
    response = editor_client.post(PROCESS_URL, confirm_data(preview, import_file_name=name))
    assert response.status_code == 302 and response["Location"] == IMPORT_URL
    assert "確認画面の有効期限が切れた" in editor_client.get(IMPORT_URL).content.decode()
    assert Result.objects.count() == before


def test_a_crafted_name_cannot_read_or_delete_another_file(editor_client, tmp_path):
    victim = tmp_path / "victim.csv"
    write_csv(victim, [sheet_row(SLUG, 2019, "7")])
    good = write_csv(tmp_path / "good.csv", [sheet_row(SLUG, 2019, "1")])
    preview = upload(editor_client, good)
    before = Result.objects.count()
    for name in (str(victim), os.path.relpath(victim, ImportTempStorage.directory())):
        response = editor_client.post(PROCESS_URL, confirm_data(preview, import_file_name=name))
        assert response.status_code == 302
    assert victim.exists()
    assert Result.objects.count() == before


def test_another_sessions_preview_cannot_be_confirmed(
    editor_client, second_editor_client, tmp_path
):
    good = write_csv(tmp_path / "good.csv", [sheet_row(SLUG, 2019, "1")])
    preview = upload(editor_client, good)
    before = Result.objects.count()
    response = second_editor_client.post(PROCESS_URL, confirm_data(preview))
    assert response.status_code == 302
    assert Result.objects.count() == before
    assert confirm(editor_client, preview).status_code == 302  # its owner still can
    assert Result.objects.count() == before + 1


def test_headers_without_rows_and_an_empty_file_are_refused_cleanly(editor_client, tmp_path):
    refused(upload(editor_client, write_csv(tmp_path / "empty.csv", [])))
    (tmp_path / "nothing.csv").write_bytes(b"")
    response = upload(editor_client, tmp_path / "nothing.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"]
    assert pending_files() == []
