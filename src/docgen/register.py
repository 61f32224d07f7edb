"""The register of issued certificates (certificates-register.csv and .xlsx): serial, unit, award,
rank, activity, file and sha256 — what the office signs off and archives."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import zips

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
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(e.row() for e in entries)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(entries: list[Entry], title: str, when: date) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "证书登记"
    sheet.append(HEADERS)
    for entry in entries:
        sheet.append(entry.row())
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
