"""The certificate's settings (config/certificate.yaml): paper, where each text and image sits in
mm, type sizes and fitting limits, wording, seal, QR code and printing on preprinted stock."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .model import MAX_MM, Strict, Text
from .serials import SerialPattern
from .stock import Stock

FontRole = Literal["serif", "sans", "kai"]
LINE_HEIGHT = 1.6
"""Line height of certificate text, as a multiple of its size (certificate.css uses the same)."""
PT_PER_MM = 72 / 25.4
Align = Literal["left", "center", "right", "justify"]


class Page(Strict):
    width_mm: float = Field(default=297, gt=50, le=MAX_MM)
    """纸张（成品）宽度，mm。默认 A4 横向 297。"""
    height_mm: float = Field(default=210, gt=50, le=MAX_MM)
    """纸张（成品）高度，mm。默认 210。"""
    bleed_mm: float = Field(default=3, ge=0, le=10)
    """印刷厂文件的出血，mm（裁切线外多印的部分）。"""


class TextFrame(Strict):
    """One text on the certificate: its box (mm from the paper's top-left corner) and its type."""

    left: float = Field(ge=0, le=MAX_MM)
    """左边到纸张左边缘的距离，mm。"""
    top: float = Field(ge=0, le=MAX_MM)
    """上边到纸张上边缘的距离，mm。"""
    width: float = Field(gt=0, le=MAX_MM)
    """宽度，mm。"""
    lines: int = Field(default=1, ge=1, le=12)
    """最多几行。"""
    height: float | None = Field(default=None, gt=0, le=MAX_MM)
    """高度，mm；不写则为“最多行数 × 行高”。文字缩小时可以多排几行，但总高度不超过它。"""
    size_pt: float = Field(gt=3, le=200)
    """正常字号（pt）；放不下时缩小。"""
    min_pt: float | None = Field(default=None, gt=3, le=200)
    """最小字号（pt）；不写则不缩小。缩到这个字号仍放不下时，docgen check 会报出。"""
    font: FontRole = "kai"
    """字体角色：serif（宋体）、sans（黑体）、kai（楷体）。"""
    bold: bool = False
    """是否加粗。"""
    align: Align = "left"
    """对齐：left、center、right、justify（两端对齐）。"""
    indent_em: float = Field(default=0, ge=0, le=4)
    """首行缩进（字）。"""
    letter_spacing_em: float = Field(default=0, ge=0, le=2)
    """字距（字），用于“荣 誉 证 书”这样的疏排。"""
    colour: Literal["text", "primary"] = "text"
    """颜色：text（正文色）或 primary（主色）。"""

    @model_validator(mode="after")
    def _min_not_above_size(self) -> TextFrame:
        if self.min_pt is not None and self.min_pt > self.size_pt:
            raise ValueError("min_pt_above_size")
        return self

    @property
    def smallest_pt(self) -> float:
        return self.min_pt if self.min_pt is not None else self.size_pt

    def height_pt(self) -> float:
        """The frame's height: given, or as many lines as allowed at the normal size."""
        if self.height is not None:
            return self.height * PT_PER_MM
        return self.lines * LINE_HEIGHT * self.size_pt

    def lines_at(self, size_pt: float) -> int:
        """How many lines fit in the frame at ``size_pt`` (never more than ``lines``)."""
        return min(self.lines, int(self.height_pt() / (LINE_HEIGHT * size_pt) + 1e-9))


class ImageFrame(Strict):
    left: float | None = Field(default=None, ge=0, le=MAX_MM)
    """左边到纸张左边缘的距离，mm；不写则水平居中。"""
    top: float = Field(ge=0, le=MAX_MM)
    """上边到纸张上边缘的距离，mm。"""
    width: float = Field(gt=0, le=MAX_MM)
    """宽度，mm。"""
    height: float = Field(gt=0, le=MAX_MM)
    """高度，mm。"""


class Layout(Strict):
    """Where everything sits: positions from the paper's top-left corner, in mm."""

    logo: ImageFrame
    """标志。"""
    title: TextFrame
    """标题“荣誉证书”。"""
    addressee: TextFrame
    """抬头：获奖单位。"""
    body: TextFrame
    """正文。"""
    award: TextFrame
    """奖项名称。"""
    closing: TextFrame
    """结束语。"""
    issuer: TextFrame
    """落款单位。"""
    date: TextFrame
    """日期。"""
    seal: ImageFrame
    """印章，盖在落款和日期上。"""
    serial: TextFrame
    """证书编号。"""
    qr: ImageFrame
    """二维码（启用时）。"""


class Wording(Strict):
    """证书文字。{unit} 单位、{activity} 活动名称、{award} 奖项、{edition} 评选名称（如 医学部工会系统第二十一届“权益杯”精品活动评选）。"""

    addressee: Text = "{unit}："
    """抬头（受奖单位）。"""
    body: Text = "你单位申报的“{activity}”在{edition}中荣获"
    """正文；活动名称本身带“”时，会自动改为‘’。"""
    closing: Text = "特发此证，以资鼓励。"
    """结束语。"""


WORDING_FIELDS = ("unit", "activity", "award", "edition")


class QRCode(Strict):
    enabled: bool = False
    """是否在证书上印二维码。"""
    text: Text = "{serial}"
    """二维码内容，可用 {serial} {unit} {award} {year} {number}，如：证书编号 {serial}，核验电话 010-00000000。"""


class CertificateDefaults(Strict):
    issuer: Text | None = None
    """落款单位；不写则用主办单位全称。"""
    serial_pattern: SerialPattern = "{award}{rank:02d}"
    """证书编号格式，可用 {year} {number} {award} {rank}。"""
    seal: Text = "sample"
    """印章：sample（branding 中的示例印章）、none（不印，留给手工盖章）或相对于 config/ 的图片路径。"""
    title: Text = "荣誉证书"
    """证书标题。"""
    wording: Wording = Wording()
    """证书文字（可用占位符）。"""
    wording_by_award: dict[str, Wording] = Field(default_factory=dict)
    """某个奖项单独的证书文字，键为奖项名称，如 一等奖。"""
    page: Page = Page()
    """纸张。"""
    layout: Layout
    """各部分的位置（mm）、宽度、行数、字号和字体。"""
    qr: QRCode = QRCode()
    """二维码。"""
    stock: Stock = Stock()
    """证书纸：白纸，或预印好的证书纸（套打）。"""
