"""Printing onto preprinted certificate stock (套打): which parts are printed, the scan of the
blank stock for proofs, and per-printer calibration from a measured calibration sheet.

A printer places things a little off: shifted, and (through the paper feed) slightly stretched.
The calibration sheet (docgen calibrate) has two crosshairs at known positions; staff measure
where they actually landed, and the profile turns those two measurements per axis into an offset
and a scale that docgen undoes when it places the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from . import located, paths, source, userfiles
from .artwork import Artwork
from .errors import DocgenError
from .model import MAX_MM, Strict, Text

CROSS_A = (20.0, 20.0)
"""Crosshair A: mm from the paper's left and top edges (crosshair B mirrors it from the right and
bottom edges)."""

TextName = Literal["title", "addressee", "body", "award", "closing", "issuer", "date", "serial"]
PRINTED_ON_STOCK: tuple[TextName, ...] = (
    "addressee",
    "body",
    "award",
    "closing",
    "issuer",
    "date",
    "serial",
)


class Stock(Strict):
    mode: Literal["blank", "preprinted"] = "blank"
    """blank：白纸，证书全部印出；preprinted：预印好边框和标题的证书纸，只印文字（套打）。"""
    prints: list[TextName] = Field(default_factory=lambda: list(PRINTED_ON_STOCK))
    """套打时印哪些文字（证书纸上已经印好的不要列出）。"""
    scan: Text | None = None
    """空白证书纸的扫描图（config/ 下的 JPG/PNG，与纸张同样大小）：只放在校样中核对位置，不会印出。"""
    printer: Text | None = None
    """套打用的打印机校准，config/printers/ 下的文件名（不含 .yaml）。"""


class Crosses(Strict):
    a_x: float = Field(gt=0, le=MAX_MM)
    """十字 A（左上）的中心到纸张左边缘，mm（校准页上应为 20）。"""
    a_y: float = Field(gt=0, le=MAX_MM)
    """十字 A 的中心到纸张上边缘，mm（应为 20）。"""
    b_x: float = Field(gt=0, le=MAX_MM)
    """十字 B（右下）的中心到纸张左边缘，mm（应为纸宽 − 20）。"""
    b_y: float = Field(gt=0, le=MAX_MM)
    """十字 B 的中心到纸张上边缘，mm（应为纸高 − 20）。"""


class PrinterProfile(Strict):
    """What a printed calibration sheet measured on one printer (and tray)."""

    description: Text | None = None
    """说明，如：三楼办公室 HP 打印机，手送纸盒。"""
    page_width_mm: float = Field(gt=50, le=MAX_MM)
    """校准页的纸宽，mm（与证书纸张相同）。"""
    page_height_mm: float = Field(gt=50, le=MAX_MM)
    """校准页的纸高，mm。"""
    crosses: Crosses
    """量得的两个十字中心的位置。"""

    @field_validator("crosses")
    @classmethod
    def _measured_near_the_marks(cls, crosses: Crosses, info: ValidationInfo) -> Crosses:
        """A printer shifts by millimetres and stretches by a few per mille: numbers far from
        the crosses' positions are a misreading, and b on a would divide by zero."""
        width, height = info.data.get("page_width_mm"), info.data.get("page_height_mm")
        if width and height and not _plausible(crosses, width, height):
            raise ValueError(CROSSES_FAR)
        return crosses


MAX_SHIFT_MM = 20.0
MAX_STRETCH = 0.05
CROSSES_FAR = (
    f"量得的十字位置与校准页上的位置相差太大（超过 {MAX_SHIFT_MM:g} mm，或两个十字的间距相差超过 "
    f"{MAX_STRETCH:.0%}）；请对照校准页上的说明重新量取"
)


def _plausible(c: Crosses, width: float, height: float) -> bool:
    (ax, ay), bx, by = CROSS_A, width - CROSS_A[0], height - CROSS_A[1]
    pairs = ((c.a_x, ax), (c.a_y, ay), (c.b_x, bx), (c.b_y, by))
    near = all(abs(measured - mark) <= MAX_SHIFT_MM for measured, mark in pairs)
    return near and all(abs(s - 1) <= MAX_STRETCH for s in _scales(c, width, height))


def _scales(c: Crosses, width: float, height: float) -> tuple[float, float]:
    """Measured distance between the crosses over the printed one, per axis."""
    (ax, ay) = CROSS_A
    return (c.b_x - c.a_x) / (width - 2 * ax), (c.b_y - c.a_y) / (height - 2 * ay)


@dataclass(frozen=True)
class Correction:
    """x_printed = offset + scale × x_placed, per axis, in mm from the top-left corner."""

    offset_x: float = 0.0
    offset_y: float = 0.0
    scale_x: float = 1.0
    scale_y: float = 1.0

    def place(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        """Where to put something that must print at (x, y)."""
        return (x_mm - self.offset_x) / self.scale_x, (y_mm - self.offset_y) / self.scale_y

    @property
    def is_identity(self) -> bool:
        return self == Correction()

    def page_rect_pt(self, width_mm: float, height_mm: float) -> tuple[float, float, float, float]:
        """Where the whole page goes, as a PDF rectangle (points, origin bottom-left), so that
        after the printer's shift and stretch everything lands where the layout put it."""
        left, top = self.place(0, 0)
        right, bottom = self.place(width_mm, height_mm)
        k = 72 / 25.4
        return left * k, (height_mm - bottom) * k, right * k, (height_mm - top) * k


def correction(profile: PrinterProfile) -> Correction:
    """The printer's offset and scale from two crosshairs per axis: where they should be (the
    calibration sheet) and where they were measured."""
    (ax, ay), c = CROSS_A, profile.crosses
    scale_x, scale_y = _scales(c, profile.page_width_mm, profile.page_height_mm)
    return Correction(c.a_x - scale_x * ax, c.a_y - scale_y * ay, scale_x, scale_y)


PROFILE_BYTES = 64 * 1024
"""A profile is a dozen lines."""


def load_profile(root: Path, name: str) -> PrinterProfile:
    """The profile called ``name``, which printer_problem has accepted."""
    return located.validate(PrinterProfile, source.read_strict(profile_path(root, name)))


def profile_path(root: Path, name: str) -> Path:
    return root / "config" / "printers" / f"{name}.yaml"


def printer_problem(root: Path, name: str) -> str | None:
    """Why ``name`` cannot be a printer: it must be the name of a profile in config/printers/
    (a name, not a path), a regular file of a sensible size that stays inside that folder."""
    folder = root / "config" / "printers"
    if not name or name != Path(name).name or "\\" in name or name.startswith("."):
        return f"打印机名“{name}”只能是 config/printers/ 中的文件名（不含 .yaml），不能是路径"
    if why := paths.problem(folder, f"{name}.yaml", _PRINTER_PATH):
        return why
    try:
        userfiles.check(profile_path(root, name), PROFILE_BYTES, what="打印机校准文件")
    except DocgenError as exc:
        known = "、".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "（没有）"
        reason = exc.problems[0].message if exc.problems else exc.text
        return f"config/printers/{name}.yaml：{reason}；已有的打印机：{known}"
    return None


_PRINTER_PATH = {
    "url": "打印机名不能是网址",
    "absolute": "打印机名不能是路径",
    "dotdot": "打印机名不能是路径",
    "outside": "这个打印机校准文件（或它的链接目标）在 config/printers/ 之外，不能使用",
}


@dataclass(frozen=True)
class Plan:
    """How this run prints certificates: everything on blank paper, or some texts on stock."""

    preprinted: bool = False
    prints: frozenset[str] = frozenset()
    correction: Correction = Correction()
    scan: Artwork | None = None

    def shows(self, name: str) -> bool:
        """Whether text ``name`` is printed (on blank paper, every one is)."""
        return not self.preprinted or name in self.prints


def plan(
    root: Path,
    stock: Stock,
    mode: str | None = None,
    printer: str | None = None,
    scan: Artwork | None = None,
) -> Plan:
    """The run's plan: config/certificate.yaml's stock settings (and the scan it names, loaded
    with the settings), overridden from the command line."""
    if (mode or stock.mode) != "preprinted":
        return Plan()
    name = printer or stock.printer
    fix = correction(load_profile(root, name)) if name else Correction()
    return Plan(True, frozenset(stock.prints), fix, scan)
