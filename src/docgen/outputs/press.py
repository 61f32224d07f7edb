"""The press release: press-release.pdf for print and archive, press-release/ for the website.

Both come from templates/html/press.html.j2; ``target`` tells the template which stylesheet and
image addresses to use. Photos go through the shared pipeline at the size each target needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import context, pdf, photos, templating
from ..artifacts import Artifact, Run
from ..config import ROOT
from ..context import PhotoGroupView
from ..edition import Loaded

TEMPLATES = ROOT / "templates" / "html"
TEMPLATE = "press.html.j2"
PRINT_CSS = "press.css"
WEB_CSS = "press-web.css"
WEB_DIR = "press-release"
TEXT_WIDTH_MM = 150.0
"""Printed photo width for a one-photo group; n photos side by side share it."""
MAX_HEIGHT_MM = 95.0
WEB_MAX_PX = 1600


def render(run: Run) -> Iterator[Artifact]:
    yield Artifact("press-release.pdf", render_pdf(run.loaded, run.options.pdf_variant))
    yield from render_web(run.loaded)


def render_pdf(loaded: Loaded, variant: str | None = None) -> bytes:
    html, assets = print_html(loaded)
    css_text = (TEMPLATES / PRINT_CSS).read_text(encoding="utf-8")
    fontset = pdf.FontSet.for_text(html + css_text)
    what = "新闻稿 PDF"
    document = pdf.render(html, TEMPLATES, assets, fontset, what)
    return pdf.write(document, what, pdf.identifier(html), variant)


def print_html(loaded: Loaded) -> tuple[str, pdf.Assets]:
    """The HTML handed to WeasyPrint for the PDF, and the photos it refers to."""
    assets = pdf.Assets(roots=[TEMPLATES, loaded.settings.root / "config"])
    ctx = _context(
        loaded, "pdf", lambda key, prepared: assets.add(f"{key}.jpg", prepared.data), _print_px
    )
    logo = loaded.settings.logo
    # In memory, not a file:// path: the HTML (and its snapshot) must not depend on the checkout.
    ctx["logo"] = assets.add(f"logo{logo.suffix}", logo.data) if logo else None
    return templating.render(templating.environment(TEMPLATES), TEMPLATE, ctx), assets


def render_web(loaded: Loaded) -> Iterator[Artifact]:
    images: list[Artifact] = []

    def place(key: str, prepared: photos.Prepared) -> str:
        name = f"images/{key}.jpg"
        images.append(Artifact(f"{WEB_DIR}/{name}", prepared.data))
        return name

    ctx = _context(loaded, "web", place, lambda view, n: WEB_MAX_PX)
    logo = loaded.settings.logo
    ctx["logo"] = f"logo{logo.suffix}" if logo else None
    html = templating.render(templating.environment(TEMPLATES), TEMPLATE, ctx)
    yield Artifact(f"{WEB_DIR}/index.html", html.encode("utf-8"))
    if logo:
        yield Artifact(f"{WEB_DIR}/logo{logo.suffix}", logo.data)
    yield Artifact(f"{WEB_DIR}/style.css", (TEMPLATES / WEB_CSS).read_bytes())
    yield from images


def _print_px(view: PhotoGroupView, index: int) -> int:
    """Longest side, in pixels, for 300 dpi at the size the print stylesheet places the photo."""
    width_mm = TEXT_WIDTH_MM / len(view.photos)
    w, h = view.sizes[index]
    width_mm = min(width_mm, MAX_HEIGHT_MM * w / h)
    return photos.px_for(width_mm * max(1.0, h / w))


def _context(loaded: Loaded, target: str, place: Any, longest: Any) -> dict[str, Any]:
    ctx = context.base(loaded)
    figures: dict[str, list[dict[str, Any]]] = {part: [] for part in ctx["story"]["parts"]}
    for g, view in enumerate(context.photo_groups(loaded)):
        images = []
        for i, photo in enumerate(view.photos):
            prepared = context.prepare_photo(loaded, photo, longest(view, i))
            src = place(f"photo-{g + 1:02d}-{i + 1}", prepared)
            images.append({"src": src, "width": prepared.width, "height": prepared.height})
        figures[view.after].append({"caption": view.caption, "images": images})
    ctx["figures"] = figures
    ctx["target"] = target
    ctx["stylesheet"] = PRINT_CSS if target == "pdf" else "style.css"
    return ctx
