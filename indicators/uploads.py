"""Reading an editor's spreadsheet within bounds, and keeping it between the
preview and 「取り込む」 without trusting the browser with a file name.

Limits (each refused with a Japanese message that names it):
- rows: generously more than one year can hold (indicators × breakdowns);
- columns and cell length;
- XLSX: the decompressed size of the archive, checked from its directory
  before anything is unpacked (zipfile never inflates a member past its
  declared size), and XML parsed by defusedxml (no entity expansion);
- time: reading and checking stop after settings.IMPORT_MAX_SECONDS.
Rows are read one at a time (csv.reader, openpyxl's read-only mode) and
reading stops at the first limit, so a file of millions of rows costs no more
than the limit.
"""

import csv
import datetime
import io
import os
import re
import secrets
import time
import unicodedata
import zipfile

import tablib
from django.conf import settings
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage

from strategy_portal.spreadsheets import escape_formula

MAX_COLUMNS = 40
MAX_CELL_CHARS = 2000
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_XLSX_MEMBERS = 200


class ImportLimitError(ValueError):
    """The file is over one of the limits; the message says which, in Japanese."""


def max_rows() -> int:
    """One year holds at most one row per indicator and breakdown; allow five
    times what is stored (new breakdowns, blank lines), and at least 1,000."""
    from .models import Indicator, Result

    pairs = Result.objects.values("indicator", "breakdown").distinct().count()
    return max(1000, 5 * (Indicator.objects.count() + pairs))


class Limits:
    def __init__(self):
        self.rows = max_rows()
        self.deadline = import_deadline()

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise ImportLimitError(too_slow_message())

    def check_row(self, number, values):
        if number > self.rows + 1:  # + the header row
            raise ImportLimitError(
                f"行が多すぎます（上限{self.rows:,}行）。1つのファイルには1年度分の実績だけを"
                "入れてください。"
            )
        if len(values) > MAX_COLUMNS:
            raise ImportLimitError(
                f"{number}行目の列が多すぎます（{len(values):,}列、上限{MAX_COLUMNS}列）。"
                "書き出したファイルの列のまま入力してください。"
            )
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise ImportLimitError(
                    f"{number}行目{column}列目のセルが長すぎます（{len(value):,}文字、"
                    f"上限{MAX_CELL_CHARS:,}文字）。"
                )
        if number % 200 == 0:
            self.check_time()


def import_deadline() -> float:
    return time.monotonic() + settings.IMPORT_MAX_SECONDS


def too_slow_message():
    return (
        f"ファイルの読み込みと確認に時間がかかりすぎたため中止しました（上限{settings.IMPORT_MAX_SECONDS}秒）。"
        "何も保存していません。ファイルを分けて取り込んでください。"
    )


def _trim(values):
    """Excel keeps formatted but empty cells at the end of a row: drop them."""
    values = list(values)
    while values and values[-1] in (None, ""):
        values.pop()
    return values


def _dataset(rows, limits):
    dataset = tablib.Dataset()
    width = None
    for number, values in enumerate(rows, start=1):
        values = _trim(values)
        limits.check_row(number, values)
        if width is None:
            dataset.headers = values
            width = len(values)
            continue
        if len(values) > width:
            if any(value not in (None, "") for value in values[width:]):
                raise ImportLimitError(
                    f"{number}行目に見出しのない列があります。書き出したファイルの列のまま入力してください。"
                )
            values = values[:width]
        dataset.append(values + [None] * (width - len(values)))
    return dataset


class LimitedCSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        limits = Limits()
        reader = csv.reader(io.StringIO(in_stream.lstrip("\ufeff"), newline=""))
        try:
            return _dataset(reader, limits)
        except csv.Error as error:  # e.g. a field over csv's own limit
            raise ImportLimitError(
                f"CSV として読み取れない行があります（{reader.line_num}行目）。"
            ) from error


class LimitedXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        """A workbook an editor fills in: the data sheet (named as the dataset's title)
        with its cells typed as given, columns as wide as their headers and contents, the
        header row frozen; and 列の説明, a row per column (`dataset.column_notes`)."""
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheet = book.active
        sheet.title = (getattr(dataset, "title", None) or "実績")[:31]
        headers = list(dataset.headers or [])
        sheet.append(headers)
        widths = [_display_width(header) for header in headers]
        for row in dataset:
            sheet.append([escape_formula(cell) for cell in row])
            widths = [max(w, _display_width(cell)) for w, cell in zip(widths, row, strict=False)]
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
        notes = book.create_sheet("列の説明")
        notes.append(["列", "説明"])
        column_notes = getattr(dataset, "column_notes", {})
        for header in headers:
            notes.append([header, column_notes.get(header, "")])
        notes.column_dimensions["A"].width = 14
        notes.column_dimensions["B"].width = 90
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def create_dataset(self, in_stream, **kwargs):
        import openpyxl

        limits = Limits()
        try:
            archive = zipfile.ZipFile(io.BytesIO(in_stream))
        except zipfile.BadZipFile as error:
            raise ValueError("not an XLSX file") from error
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise ImportLimitError(
                f"Excel ファイルの中身が大きすぎます（展開すると{unpacked / 1024 / 1024:,.0f}MB、"
                f"上限{MAX_XLSX_UNPACKED_BYTES // 1024 // 1024}MB）。"
                "1年度分の実績だけを入れ、書式や画像のないファイルにしてください。"
            )
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            return _dataset(rows, limits)
        finally:
            book.close()


def _display_width(value) -> int:
    """Excel's column width in characters: a full-width character counts two."""
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


class ImportTempStorage(BaseStorage):
    """The uploaded file between the preview and 「取り込む」.

    Its name is a random token, never a path: a posted name that is not a
    token of this form names no file (TokenError), and the admin checks that
    the token was issued to this session. Files live in a directory of their
    own and are removed after the import, on every refused path, and after
    MAX_AGE_SECONDS when a preview is abandoned.
    """

    TOKEN = re.compile(r"[0-9a-f]{32}")
    MAX_AGE_SECONDS = 3600

    class TokenError(ValueError):
        pass

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.name is not None and not self.TOKEN.fullmatch(str(self.name)):
            raise self.TokenError(self.name)

    @classmethod
    def directory(cls) -> str:
        path = settings.IMPORT_DIR
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def path(self) -> str:
        return os.path.join(self.directory(), self.name)

    def save(self, data):
        self.remove_abandoned()
        self.name = secrets.token_hex(16)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(self.path(), mode, encoding=None if mode == "wb" else self.encoding) as file:
            file.write(data)

    def read(self):
        mode = self.read_mode if "b" in self.read_mode else "r"
        try:
            with open(self.path(), mode, encoding=None if "b" in mode else self.encoding) as file:
                return file.read()
        except FileNotFoundError as error:
            raise self.TokenError(self.name) from error

    def remove(self):
        try:
            os.remove(self.path())
        except FileNotFoundError:
            pass

    @classmethod
    def remove_abandoned(cls):
        limit = time.time() - cls.MAX_AGE_SECONDS
        with os.scandir(cls.directory()) as entries:
            for entry in entries:
                try:
                    if entry.is_file() and entry.stat().st_mtime < limit:
                        os.remove(entry.path)
                except FileNotFoundError:
                    pass
