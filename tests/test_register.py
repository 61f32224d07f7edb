"""The register the office signs off and archives: no text from edition.yaml becomes a formula
when the .xlsx or the .csv is opened in a spreadsheet (formula / CSV injection)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docgen import generate, register

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "=1+2",
    "@SUM(A1)",
    "+1",
    "-1",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
]


def _entries(text: str) -> list[register.Entry]:
    return [register.Entry(text, text, text, 1, text, "certificates/01.pdf", "ab" * 32)]


def _sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_keeps_formula_like_text_as_text_exactly(text: str) -> None:
    data = register.xlsx_bytes(_entries(text), "登记表", date(2024, 11, 5))
    xml = _sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml  # no formula cell anywhere
    row = [c.value for c in list(load_workbook(io.BytesIO(data)).active.iter_rows())[1]]
    assert row[:5] == [text, text, text, 1, text]  # exactly as typed, no quote added
    row_xml = re.search(r'<row r="2".*?</row>', xml, re.DOTALL)
    assert row_xml and row_xml[0].count('t="inlineStr"') == 6


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_that_would_be_formulas_start_with_a_quote(text: str) -> None:
    [header, row] = _csv_rows(register.csv_bytes(_entries(text)))
    assert header[0] == "证书编号"
    assert row[:5] == [f"'{text}"] * 3 + ["1", f"'{text}"]
    assert all(not cell.startswith(register.FORMULA_START) for cell in row)


def test_csv_leaves_ordinary_text_alone_and_quotes_every_field() -> None:
    raw = register.csv_bytes(_entries("甲单位工会 = 1"))
    assert _csv_rows(raw)[1][:2] == ["甲单位工会 = 1", "甲单位工会 = 1"]
    assert raw.decode("utf-8-sig").splitlines()[1].startswith('"甲单位工会 = 1","')


def test_formula_text_in_edition_yaml_reaches_the_register_inert(
    edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    path = edition_copy(
        ("unit: 甲单位工会", 'unit: \'=HYPERLINK("http://x","y")\''),
        ("activity: 健康走", "activity: '@SUM(A1)'"),
    )
    out = tmp_path / "out"
    generate.generate(path, out, only=["certificates"])
    xml = _sheet_xml((out / "certificates-register.xlsx").read_bytes())
    assert "<f>" not in xml
    sheet = load_workbook(out / "certificates-register.xlsx").active
    assert [c.value for c in list(sheet.iter_rows())[1]][1:5] == [
        '=HYPERLINK("http://x","y")',
        "一等奖",
        1,
        "@SUM(A1)",
    ]
    row = _csv_rows((out / "certificates-register.csv").read_bytes())[1]
    assert row[1] == '\'=HYPERLINK("http://x","y")' and row[4] == "'@SUM(A1)"
