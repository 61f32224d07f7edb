"""The calibration sheet for printing on preprinted stock: mm rulers along two edges, crosshairs
A and B at known positions, and the steps to turn what a ruler measures into a printer profile."""

from __future__ import annotations

import io

from markupsafe import Markup

from . import pdf, stamp, stock, templating
from .certconfig import Page
from .home import DEFAULTS, Home

TEMPLATES = DEFAULTS / "templates" / "html"
"""The packaged templates; an office's own copies in its templates/html/ come first."""
TEMPLATE = "calibrate.html.j2"
WHAT = "校准页"


def sheet(home: Home, page: Page, printer: str | None = None) -> bytes:
    """The calibration sheet as PDF; with ``printer``, with that profile's correction applied,
    so printing it again shows whether the crosses now land where they should."""
    fix = stock.correction(stock.load_profile(home, printer)) if printer else stock.Correction()
    (ax, ay), w, h = stock.CROSS_A, page.width_mm, page.height_mm
    values = {
        "page": {"width": f"{w:g}", "height": f"{h:g}", "inner": w - 70, "notes_top": h - 75},
        "svg": _drawing(w, h),
        "crosses": [
            {"name": "A", "x": f"{ax:g}", "y": f"{ay:g}", "left": ax + 4, "top": ay + 3},
            {
                "name": "B",
                "x": f"{w - ax:g}",
                "y": f"{h - ay:g}",
                "left": w - ax - 62,
                "top": h - ay - 9,
            },
        ],
        "example": {"b_x": f"{w - ax:g}", "b_y": f"{h - ay:g}"},
        "printer": printer,
        "profile": stock.profile_name(printer or "打印机名"),
    }
    folders = home.layers("templates/html", TEMPLATES)
    html = templating.render(templating.environment(folders), TEMPLATE, values)
    document = pdf.render(
        html, folders[0], pdf.Assets.layered(folders), pdf.FontSet.for_text(html), WHAT
    )
    data = pdf.write(document, WHAT, pdf.identifier("calibration", str(w), str(h), printer or ""))
    if fix.is_identity:
        return data
    out = io.BytesIO()
    stamp.on_stock(data, [], fix.page_rect_pt(w, h), out)
    return out.getvalue()


def _drawing(width: float, height: float) -> Markup:
    """Rulers (a tick every mm, longer every 5 and 10, numbered every 10) and the crosshairs,
    as SVG in mm. Built here from numbers only, so it is safe to insert unescaped."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">',
        '<g stroke="#000" stroke-width="0.1">',
    ]
    for x in range(1, int(width)):
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{_tick(x)}"/>')
    for y in range(1, int(height)):
        parts.append(f'<line x1="0" y1="{y}" x2="{_tick(y)}" y2="{y}"/>')
    parts.append('</g><g font-family="Noto Sans CJK SC" font-size="2.6" fill="#000">')
    parts += [
        f'<text x="{x}" y="9.5" text-anchor="middle">{x}</text>' for x in range(10, int(width), 10)
    ]
    parts += [f'<text x="7.5" y="{y + 0.9}">{y}</text>' for y in range(10, int(height), 10)]
    parts.append('</g><g stroke="#000" stroke-width="0.1">')
    (ax, ay) = stock.CROSS_A
    for cx, cy in ((ax, ay), (width - ax, height - ay), (width / 2, height / 2)):
        parts.append(f'<line x1="{cx - 8}" y1="{cy}" x2="{cx + 8}" y2="{cy}"/>')
        parts.append(f'<line x1="{cx}" y1="{cy - 8}" x2="{cx}" y2="{cy + 8}"/>')
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="none"/>')
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers formatted by this function, no input


def _tick(mm: int) -> float:
    return 6.0 if mm % 10 == 0 else 4.0 if mm % 5 == 0 else 2.0
