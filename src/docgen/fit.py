"""Auto-fit: the largest font size at which a text fits its box, measured with the very font files
that get embedded (WeasyPrint declined to do this itself: Kozea/WeasyPrint#2115)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import uharfbuzz as hb

from .fonts import Chain, Face

PT_PER_MM = 72 / 25.4
SAFETY = 0.96
"""Fill at most 96 % of each line: break opportunities and 禁则 can push a character down."""


@dataclass(frozen=True)
class Box:
    """A text frame: its width, how many lines it may take, and the size range to choose from."""

    width_mm: float
    max_lines: int
    max_pt: float
    min_pt: float
    step_pt: float = 0.5


@dataclass(frozen=True)
class Fit:
    size_pt: float
    lines: int
    fits: bool
    """False when even ``min_pt`` needs more than ``max_lines`` (check reports it)."""
    shrunk: bool
    """True when the text had to go below the box's normal (maximum) size."""


@cache
def _hb_font(face: Face) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob(face.blob)))


def width_em(text: str, chain: Chain) -> float:
    """Width of ``text`` in em, each character from the first face of the chain that has it."""
    total = 0.0
    for char in text:
        face = chain.face_for(char) or chain.regular_faces[0]
        font = _hb_font(face)
        glyph = font.get_nominal_glyph(ord(char)) or 0
        total += font.get_glyph_h_advance(glyph) / font.face.upem
    return total


def lines_needed(em: float, size_pt: float, width_mm: float) -> int:
    per_line = width_mm * PT_PER_MM * SAFETY
    return max(1, math.ceil(em * size_pt / per_line))


def fit(text: str, chain: Chain, box: Box, first_line_indent_em: float = 0.0) -> Fit:
    """The largest size (in ``step_pt`` steps) at which ``text`` takes at most ``box.max_lines``."""
    em = width_em(text, chain) + first_line_indent_em
    size = box.max_pt
    while size >= box.min_pt:
        lines = lines_needed(em, size, box.width_mm)
        if lines <= box.max_lines:
            return Fit(size, lines, True, size < box.max_pt)
        size = round(size - box.step_pt, 2)
    return Fit(box.min_pt, lines_needed(em, box.min_pt, box.width_mm), False, True)
