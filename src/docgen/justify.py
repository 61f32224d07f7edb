"""Justified Chinese text in WeasyPrint: extra space goes between characters, not only into spaces.

WeasyPrint's `text-align: justify` widens spaces only (Kozea/WeasyPrint layout/inline.py,
justify_line). Chinese has no spaces, so a line that ends early — a half-width comma or digit
in it, or a character pushed down by the line-start rules (禁则) — stays short and the right
margin is ragged. Chinese typesetting (W3C clreq, "inter-character" justification) spreads the
remainder over every character gap; this does that with Pango letter spacing on each text box of
a line that contains Chinese. Lines without Chinese keep WeasyPrint's own behaviour.

install() replaces weasyprint.layout.inline.justify_line; the WeasyPrint version is pinned
(constraints.txt) and tests/test_press.py checks that body lines end flush at the right margin.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.line_break import create_layout, line_size

_weasyprint_justify_line = inline.justify_line


def install() -> None:
    inline.justify_line = justify_line


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    text = "".join(_texts(line))
    if len(text) < 2 or not any(_is_wide(c) for c in text):
        _weasyprint_justify_line(context, line, extra_width)
        return
    _spread(context, line, extra_width / len(text), 0.0)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _texts(box: Any) -> list[str]:
    if isinstance(box, boxes.TextBox):
        return [box.text]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [t for child in box.children if child.is_in_normal_flow() for t in _texts(child)]
    return []


def _spread(context: Any, box: Any, per_char: float, x_advance: float) -> float:
    """Widen every character of ``box`` by ``per_char``; return how far later boxes move."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        return x_advance + _letter_space(context, box, per_char)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        start = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, per_char, x_advance)
        box.width += x_advance - start
        return x_advance
    box.translate(x_advance, 0)  # an atomic inline (an image): moves, does not grow
    return x_advance


def _letter_space(context: Any, box: Any, per_char: float) -> float:
    style = box.style.copy()
    current = style["letter_spacing"]
    style["letter_spacing"] = (0 if current == "normal" else current) + per_char
    layout = create_layout(box.text, style, context, max_width=None, justification_spacing=0)
    first_line, _ = layout.get_first_line()
    width, _ = line_size(first_line, style)
    layout.deactivate()  # WeasyPrint reactivates it with box.style when drawing
    grown = float(width) - float(box.width)
    box.style, box.pango_layout, box.width = style, layout, width
    return grown
