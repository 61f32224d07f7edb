"""The certificate page in HTML: each layer rendered from templates/html/certificate.html.j2 with
every frame positioned from config/certificate.yaml, and the check that no text left its frame."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno

from .. import certificate, context, fonts, pdf, stock, templating
from ..certconfig import LINE_HEIGHT, ImageFrame, Page, TextFrame
from ..certificate import Certificate, Text
from ..edition import Loaded
from ..home import DEFAULTS

TEMPLATES = DEFAULTS / "templates" / "html"
"""The packaged templates; an office's own copies in its templates/html/ come first."""
TEMPLATE = "certificate.html.j2"
CSS = "certificate.css"
WHAT = "荣誉证书"


def folders(loaded: Loaded) -> list[Path]:
    """templates/html as this office sees it: its own folder first, then the packaged one."""
    return loaded.settings.home.layers("templates/html", TEMPLATES)


def assets(loaded: Loaded) -> pdf.Assets:
    """What a certificate page may fetch: templates/html and config/, the office's over the default."""
    return pdf.Assets.layered(folders(loaded), loaded.settings.home.layers("config"))


def css_text(loaded: Loaded) -> str:
    return loaded.settings.home.file(f"templates/html/{CSS}", TEMPLATES / CSS).read_text(
        encoding="utf-8"
    )


def frame_rules(loaded: Loaded, names: tuple[str, ...], sizes: set[float]) -> str:
    """CSS for the frames (position, box, type) and the sizes in use, once per page set.

    Styles are rules here rather than style="" on each text: WeasyPrint parses every inline
    style anew, which was a third of the layout time at 240 certificates.
    """
    branding = loaded.settings.branding
    chains = fonts.chains(branding)
    colours = {"text": branding.colours.text, "primary": branding.colours.primary}
    layout = loaded.settings.certificate.layout
    rules = [_frame_rule(name, getattr(layout, name), chains, colours) for name in names]
    rules += [f".{size_class(s)} {{ font-size: {s}pt }}" for s in sorted(sizes)]
    return "\n".join(rules)


def _frame_rule(
    name: str, f: TextFrame, chains: dict[str, fonts.Chain], colours: dict[str, str]
) -> str:
    indent = f.indent_em + (
        f.letter_spacing_em if f.align == "center" else 0
    )  # re-centre spaced text
    family = ", ".join(chains[f.font].families)  # unquoted: family names are CSS identifiers
    return (
        f".certificate .{name} {{ left: {f.left}mm; top: {f.top}mm; width: {f.width}mm; "
        f"height: {f.height_pt():.2f}pt; line-height: {LINE_HEIGHT}; font-family: {family}; "
        f"font-weight: {700 if f.bold else 400}; text-align: {f.align}; text-indent: {indent}em; "
        f"letter-spacing: {f.letter_spacing_em}em; color: {colours[f.colour]} }}"
    )


def size_class(size_pt: float) -> str:
    return "pt" + f"{size_pt:g}".replace(".", "_")


def image_style(frame: ImageFrame, page: Page) -> str:
    left = frame.left if frame.left is not None else (page.width_mm - frame.width) / 2
    return f"left: {left}mm; top: {frame.top}mm; width: {frame.width}mm; height: {frame.height}mm"


def texts_context(texts: dict[str, Text], names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": n,
            "value": texts[n].value,
            "size": size_class(texts[n].size_pt),
            "keep": texts[n].frame.lines > 1,
        }
        for n in names
    ]


def base_context(loaded: Loaded, layer: str) -> dict[str, Any]:
    s = loaded.settings
    p = s.certificate.page
    return {
        "layer": layer,
        "title": s.certificate.title,
        "issuer": s.issuer,
        "iso_date": s.issue_date.isoformat(),
        "edition_title": context.edition_title(loaded.edition),
        "page": {"width": p.width_mm, "height": p.height_mm, "bleed": 0},
        "stylesheet": CSS,
        "accent": s.branding.colours.accent,
        "primary": s.branding.colours.primary,
    }


def text_html(
    loaded: Loaded,
    env: templating.Environment,
    chunk: list[Certificate],
    assets: pdf.Assets,
    plan: stock.Plan,
) -> str:
    """The text layer: one page per certificate of ``chunk``."""
    layout = loaded.settings.certificate.layout
    qr = loaded.settings.certificate.qr
    names = tuple(n for n in certificate.VARIABLE if plan.shows(n))
    pages = []
    for cert in chunk:
        entry: dict[str, Any] = {"texts": texts_context(cert.texts, names), "qr": None}
        if qr.enabled:
            entry["qr"] = {
                "src": assets.add(f"qr-{cert.index}.svg", _qr_svg(loaded, cert)),
                "style": image_style(layout.qr, loaded.settings.certificate.page),
            }
        pages.append(entry)
    sizes = {t.size_pt for cert in chunk for t in cert.texts.values()}
    rules = frame_rules(loaded, names, sizes)
    return templating.render(
        env, TEMPLATE, {**base_context(loaded, "text"), "certificates": pages, "frame_css": rules}
    )


def _qr_svg(loaded: Loaded, cert: Certificate) -> bytes:
    e = loaded.edition
    values = {
        "serial": cert.serial,
        "unit": cert.unit,
        "award": cert.award,
        "year": e.year,
        "number": e.number,
    }
    text = loaded.settings.certificate.qr.text
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", border=0, xmldecl=False, unit="mm")
    return out.getvalue()


def overflows(document: Any, chunk: list[Certificate]) -> list[tuple[int, str]]:
    """(certificate index in chunk, text name) for every text that left its frame: more lines
    than fit at its size, a line wider than the frame, or more height than the frame has."""
    if len(document.pages) != len(chunk):
        raise RuntimeError("certificate text layer: one page per certificate expected")
    found = []
    for i, (laid, cert) in enumerate(zip(document.pages, chunk, strict=True)):
        for box in laid._page_box.descendants():
            classes = box.element.get("class", "") if box.element_tag == "p" else ""
            name = classes.split(" ")[0]  # "body pt20_5": the frame, then the size
            if name in cert.texts and _outside(box, cert.texts[name]):
                found.append((i, name))
    return found


def _outside(box: Any, text: Text) -> bool:
    lines = [child for child in box.children if type(child).__name__ == "LineBox"]
    too_wide = any(line.width > box.width + 0.5 for line in lines)
    too_tall = sum(line.height for line in lines) > box.height + 0.5
    return len(lines) > text.frame.lines_at(text.size_pt) or too_wide or too_tall
