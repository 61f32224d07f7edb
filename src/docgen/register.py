"""The register of issued certificates (certificates-register.csv and .xlsx): serial, unit, award,
rank, activity, file and sha256 — what the office signs off and archives.

Every text in it comes from edition.yaml, so none may become a formula when the office opens the
file (CSV/formula injection): the .xlsx stores each text as a text cell, exactly as typed, and the
CSV puts a ``'`` before any cell a spreadsheet would read as a formula (OWASP's CSV guidance).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font

from . import zips

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP)."""
HEADERS = ("证书编号", "获奖单位", "奖项", "名次", "活动名称", "文件", "SHA-256")


@dataclass(frozen=True)
class Entry:
    serial: str
    unit: str
    award: str
    rank: int
    activity: str
    file: str
    sha256: str

    def row(self) -> tuple[str | int, ...]:
        return (
            self.serial,
            self.unit,
            self.award,
            self.rank,
            self.activity,
            self.file,
            self.sha256,
        )


def csv_bytes(entries: list[Entry]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on Windows shows the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADERS)
    writer.writerows(map(inert, e.row()) for e in entries)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def inert(value: str | int) -> str | int:
    """A CSV cell no spreadsheet runs: a leading ``'`` before a formula character, which Excel
    shows as typed. (The legitimate ``-1`` gets it too: OWASP prefixes every such cell.)"""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def xlsx_bytes(entries: list[Entry], title: str, when: date) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "证书登记"
    sheet.append(HEADERS)
    for entry in entries:
        sheet.append(entry.row())
        _as_text(sheet[sheet.max_row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (20, 34, 14, 6, 60, 44, 66), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    stamp = datetime.combine(when, datetime.min.time())
    book.properties.title, book.properties.creator = title, "docgen"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl stamps "modified" with the clock here; zips puts it back
    return zips.normalise(buffer.getvalue(), core_date=stamp)


def _as_text(cells: tuple[Cell, ...]) -> None:
    """openpyxl stores any text starting with ``=`` as a formula: make every text a text cell.
    The quote prefix (hidden by Excel) keeps a formula-like text inert if someone edits it."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_START):
                cell.quotePrefix = True
