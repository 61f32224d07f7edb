"""Draw the SAMPLE logo and SAMPLE seal shipped in src/docgen/defaults/config/assets/ (a developer tool).

    .venv/bin/python tools/make_artwork.py

Both are original drawings for docgen, clearly marked 示例/SAMPLE. The seal is deliberately not
shaped like an official seal (no round seal with a star and an arc of organisation name): it only
shows where a seal goes. Text is drawn as outlines from the bundled fonts, so the SVGs need no font,
and PNG copies are written for Word, which does not read SVG everywhere.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

DEFAULTS = Path(__file__).resolve().parents[1] / "src" / "docgen" / "defaults"
ASSETS = DEFAULTS / "config" / "assets"
RED = "#c8161d"
LOGO_RED = "#9e1b20"
GOLD = "#b8912f"


def text_path(
    font: TTFont,
    text: str,
    x: float,
    y: float,
    size: float,
    anchor: str = "middle",
    spacing: float = 0.0,
) -> str:
    """SVG path data for ``text`` with its baseline at (x, y), ``size`` user units per em."""
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    upem = font["head"].unitsPerEm
    scale = size / upem
    advances = [glyphs[cmap[ord(c)]].width * scale + spacing * size for c in text]
    width = sum(advances) - spacing * size
    pen_x = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
    pen = SVGPathPen(glyphs)
    for char, advance in zip(text, advances, strict=True):
        glyph = glyphs[cmap[ord(char)]]
        glyph.draw(TransformPen(pen, (scale, 0, 0, -scale, pen_x, y)))
        pen_x += advance
    return pen.getCommands()


def logo(serif: TTFont, sans: TTFont) -> str:
    gear = []
    for i in range(12):
        gear.append(
            f'<rect x="47" y="3" width="6" height="9" rx="1" transform="rotate({i * 30} 50 50)"/>'
        )
    return f'''<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">
  <title>示例标志 SAMPLE（请换成本单位的标志）</title>
  <g fill="{LOGO_RED}">{"".join(gear)}</g>
  <circle cx="50" cy="50" r="39" fill="{LOGO_RED}"/>
  <circle cx="50" cy="50" r="35" fill="none" stroke="#fff" stroke-width="1.4"/>
  <path fill="#fff" d="{text_path(serif, "工", 50, 62, 30)}"/>
  <path fill="#fff" d="{text_path(sans, "示例", 50, 78, 9, spacing=0.2)}"/>
  <path fill="#fff" d="{text_path(sans, "SAMPLE", 50, 28, 6.5, spacing=0.12)}"/>
</svg>
'''


def seal(serif: TTFont, sans: TTFont) -> str:
    return f'''<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">
  <title>示例印章 SAMPLE：仅供预览，不是真实印章</title>
  <g fill="none" stroke="{RED}">
    <rect x="4" y="4" width="92" height="92" rx="14" stroke-width="3.2"/>
    <rect x="9.5" y="9.5" width="81" height="81" rx="10" stroke-width="1"/>
  </g>
  <g fill="{RED}">
    <path d="{text_path(serif, "示例", 50, 46, 25, spacing=0.1)}"/>
    <path d="{text_path(serif, "印章", 50, 72, 25, spacing=0.1)}"/>
    <path d="{text_path(sans, "SAMPLE · 仅供预览", 50, 85, 6.5)}"/>
  </g>
</svg>
'''


def png(svg_name: str, size_px: int) -> None:
    """A PNG copy drawn with WeasyPrint's SVG renderer through a one-page PDF and pdftoppm."""
    import subprocess
    import tempfile

    import weasyprint

    src = (ASSETS / svg_name).as_uri()
    html = f'<style>@page{{size:{size_px}px {size_px}px;margin:0}}</style><img src="{src}" style="width:{size_px}px;height:{size_px}px">'
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "a.pdf"
        weasyprint.HTML(string=html).write_pdf(pdf)
        out = ASSETS / svg_name.replace(".svg", "")
        subprocess.run(
            ["pdftocairo", "-png", "-r", "96", "-singlefile", "-transp", str(pdf), str(out)],
            check=True,
        )


def main() -> None:
    serif = TTFont(DEFAULTS / "fonts" / "NotoSerifCJKsc-Bold.otf")
    sans = TTFont(DEFAULTS / "fonts" / "NotoSansCJKsc-Regular.otf")
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "logo-sample.svg").write_text(logo(serif, sans), encoding="utf-8")
    (ASSETS / "seal-sample.svg").write_text(seal(serif, sans), encoding="utf-8")
    png("logo-sample.svg", 800)
    png("seal-sample.svg", 800)


if __name__ == "__main__":
    main()
