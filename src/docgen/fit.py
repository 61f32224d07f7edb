"""Auto-fit: the largest font size at which a text fits its box, measured with the very font files
that get embedded (WeasyPrint declined to do this itself: Kozea/WeasyPrint#2115)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import uharfbuzz as hb

from .certconfig import TextFrame
from .fonts import Chain, Face

PT_PER_MM = 72 / 25.4
STEP_PT = 0.5
SAFETY = 0.96
"""Fill at most 96 % of each line: break opportunities and 禁则 can push a character down."""


@dataclass(frozen=True)
class Fit:
    size_pt: float
    lines: int
    fits: bool
    """False when even the smallest size needs more lines than the frame has (check reports it)."""
    shrunk: bool
    """True when the text had to go below the frame's normal size."""


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


def fit(text: str, frame: TextFrame, chain: Chain, below_pt: float | None = None) -> Fit:
    """The largest size, in STEP_PT steps from the frame's size down to its minimum, at which
    ``text`` takes at most ``frame.lines`` lines (``below_pt``: start under this size instead)."""
    em = width_em(text, chain) + frame.indent_em + frame.letter_spacing_em * len(text)
    size = frame.size_pt if below_pt is None else round(below_pt - STEP_PT, 2)
    while size >= frame.smallest_pt:
        lines = lines_needed(em, size, frame.width)
        if lines <= frame.lines_at(size):
            return Fit(size, lines, True, size < frame.size_pt)
        size = round(size - STEP_PT, 2)
    smallest = frame.smallest_pt
    return Fit(smallest, lines_needed(em, smallest, frame.width), False, smallest < frame.size_pt)
