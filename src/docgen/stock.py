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

from pydantic import Field

from . import located, source
from .home import Home
from .model import Strict, Text

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
    a_x: float = Field(gt=0)
    """十字 A（左上）的中心到纸张左边缘，mm（校准页上应为 20）。"""
    a_y: float = Field(gt=0)
    """十字 A 的中心到纸张上边缘，mm（应为 20）。"""
    b_x: float = Field(gt=0)
    """十字 B（右下）的中心到纸张左边缘，mm（应为纸宽 − 20）。"""
    b_y: float = Field(gt=0)
    """十字 B 的中心到纸张上边缘，mm（应为纸高 − 20）。"""


class PrinterProfile(Strict):
    """What a printed calibration sheet measured on one printer (and tray)."""

    description: Text | None = None
    """说明，如：三楼办公室 HP 打印机，手送纸盒。"""
    page_width_mm: float = Field(gt=0)
    """校准页的纸宽，mm（与证书纸张相同）。"""
    page_height_mm: float = Field(gt=0)
    """校准页的纸高，mm。"""
    crosses: Crosses
    """量得的两个十字中心的位置。"""


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
    (ax, ay), width, height = CROSS_A, profile.page_width_mm, profile.page_height_mm
    bx, by = width - ax, height - ay
    c = profile.crosses
    scale_x, scale_y = (c.b_x - c.a_x) / (bx - ax), (c.b_y - c.a_y) / (by - ay)
    return Correction(c.a_x - scale_x * ax, c.a_y - scale_y * ay, scale_x, scale_y)


def load_profile(home: Home, name: str) -> PrinterProfile:
    return located.validate(PrinterProfile, source.read_strict(home.file(profile_name(name))))


def profile_name(name: str) -> str:
    """Where a printer's profile is, relative to the office folder."""
    return f"config/printers/{name}.yaml"


@dataclass(frozen=True)
class Plan:
    """How this run prints certificates: everything on blank paper, or some texts on stock."""

    preprinted: bool = False
    prints: frozenset[str] = frozenset()
    correction: Correction = Correction()
    scan: Path | None = None

    def shows(self, name: str) -> bool:
        """Whether text ``name`` is printed (on blank paper, every one is)."""
        return not self.preprinted or name in self.prints


def plan(home: Home, stock: Stock, mode: str | None = None, printer: str | None = None) -> Plan:
    """The run's plan: config/certificate.yaml's stock settings, overridden from the command line."""
    if (mode or stock.mode) != "preprinted":
        return Plan()
    name = printer or stock.printer
    fix = correction(load_profile(home, name)) if name else Correction()
    scan = home.config_file(stock.scan) if stock.scan else None
    return Plan(True, frozenset(stock.prints), fix, scan)
