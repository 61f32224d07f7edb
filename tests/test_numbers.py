"""Every number in edition.yaml and config/ is finite and bounded: a slip of the keyboard (41
digits, `.inf`, `nan`, 1e308) gets a located Chinese message, never a traceback or a document
that prints it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import config, edition, stock
from docgen.errors import DocgenError

from .conftest import ROOT

BIG = "9" * 41


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("attendance: 12人", f"attendance: {BIG}人", "15:15: meeting.attendance.count: 不能大于 100000"),
        ("attendance: 12人", "attendance: 100001", "15:15: meeting.attendance.count: 不能大于 100000"),
        (
            "attendance: 12人",
            f"attendance: {'9' * 5000}余人",
            f"15:15: meeting.attendance.count: 数字位数太多，这里写的是“{'9' * 30}…（共 5000 个字符）”",
        ),
        (
            "participating_units: 2",
            f"participating_units: {BIG}",
            "14:24: meeting.participating_units: 不能大于 100000",
        ),
        (
            "participating_units: 2",
            f"participating_units: 2\n  presenters: {BIG}",
            "15:15: meeting.presenters: 不能大于 100000",
        ),
        ("number: 3", f"number: {BIG}", "7:9: number: 不能大于 999"),
        ("year: 2024", f"year: {BIG}", "8:7: year: 不能大于 2200"),
    ],
    ids=["attendance", "attendance-100001", "attendance-5000-digits", "units", "presenters",
         "number", "year"],
)  # fmt: skip
def test_every_integer_in_the_edition_is_bounded(
    edition_copy: Callable[..., Path], old: str, new: str, expected: str
) -> None:
    """Before: a 41-digit attendance, unit count or presenter count passed `docgen check` and
    was printed in the report and the press release."""
    with pytest.raises(DocgenError) as info:
        edition.load(edition_copy((old, new)))
    assert [str(p).split("edition.yaml:", 1)[1] for p in info.value.problems] == [expected]


@pytest.fixture
def config_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of config/ with one replacement in one file; returns the docgen home."""

    def make(name: str, old: str, new: str) -> Path:
        shutil.copytree(ROOT / "config", tmp_path / "config", dirs_exist_ok=True)
        path = tmp_path / "config" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return tmp_path

    return make


ADDRESSEE = "addressee: {left: 40, top: 68, width: 217,"
FINITE = "应为一个数（不能是 inf 或 nan），这里写的是"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (ADDRESSEE, ADDRESSEE.replace("217", "1e308"), "layout.addressee.width: 不能大于 1200.0"),
        (ADDRESSEE, ADDRESSEE.replace("217", "nan"), f"layout.addressee.width: {FINITE}“nan”"),
        (ADDRESSEE, ADDRESSEE.replace("40", "inf"), f"layout.addressee.left: {FINITE}“inf”"),
        (
            ADDRESSEE,
            ADDRESSEE.replace("40", ".inf"),
            "layout.addressee.left: 应为一个数，如 12.5，这里写的是“.inf”",
        ),
        (ADDRESSEE, ADDRESSEE.replace("68", "1e9"), "layout.addressee.top: 不能大于 1200.0"),
        (
            "width: 34, height: 34}",
            "width: 34, height: 1e9}",
            "layout.seal.height: 不能大于 1200.0",
        ),
        ("bleed_mm: 3", "bleed_mm: nan", f"page.bleed_mm: {FINITE}“nan”"),
    ],
)
def test_every_number_in_certificate_yaml_is_finite_and_bounded(
    config_copy: Callable[[str, str, str], Path], old: str, new: str, expected: str
) -> None:
    """Before: 1e308, inf and 1e9 passed `docgen check`; nan was reported
    as "不能小于 0.0"."""
    home = config_copy("certificate.yaml", old, new)
    with pytest.raises(DocgenError) as info:
        config.load_certificate_defaults(home)
    assert [f"{p.field}: {p.message}" for p in info.value.problems] == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("page_width_mm: 297", "page_width_mm: 40", "page_width_mm: 不能小于 50.0"),
        ("page_width_mm: 297", "page_width_mm: nan", f"page_width_mm: {FINITE}“nan”"),
        ("b_x: 279.27", "b_x: 1e300", "crosses.b_x: 不能大于 1200.0"),
        ("b_x: 279.27", "b_x: 21.5", f"crosses: 取值无效：{stock.CROSSES_FAR}"),
        ("b_y: 190.8", "b_y: 250", f"crosses: 取值无效：{stock.CROSSES_FAR}"),
        ("a_x: 21.5", "a_x: 45", f"crosses: 取值无效：{stock.CROSSES_FAR}"),
    ],
)
def test_a_printer_profile_must_be_a_plausible_measurement(
    config_copy: Callable[[str, str, str], Path], old: str, new: str, expected: str
) -> None:
    """Before: a 40 mm page or b on a crashed `docgen calibrate --printer` and `generate`
    with ZeroDivisionError; 1e300 made a sheet scaled beyond any paper."""
    home = config_copy("printers/example.yaml", old, new)
    with pytest.raises(DocgenError) as info:
        stock.load_profile(home, "example")
    [problem] = info.value.problems
    assert f"{problem.field}: {problem.message}" == expected
    assert problem.location.file == home / "config" / "printers" / "example.yaml"
    assert problem.location.line is not None


def test_the_shipped_profile_is_plausible() -> None:
    stock.load_profile(ROOT, "example")
