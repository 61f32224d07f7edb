"""The proof sheet: every certificate as a thumbnail, labelled with its serial and unit, and a red
flag on any whose text was shrunk below its normal size or uses a character from a fallback face —
the one thing a person looks at before sending the batch to print.

Labels and frames are laid out by WeasyPrint; the thumbnails are the finished certificate pages
themselves, placed as vector form XObjects with pikepdf (no rasterising, nothing re-rendered).
The PNG copies are rendered with pypdfium2.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
from pikepdf import Rectangle

from . import certificate, context, pdf, pdfjoin, stamp, templating
from .certificate import Certificate
from .edition import Loaded
from .home import DEFAULTS

TEMPLATES = DEFAULTS / "templates" / "html"
"""The packaged templates; an office's own copies in its templates/html/ come first."""
TEMPLATE = "proof.html.j2"
PAGE_W, PAGE_H, MARGIN, TOP = 297.0, 210.0, 10.0, 19.0
COLUMNS, GAP, LABEL_H = 4, 4.0, 10.0
PT_PER_MM = 72 / 25.4
PNG_DPI = 96
GROUP = 25
"""Proof pages laid out together (memory stays bounded for 10,000 certificates)."""
MAX_PNGS = 20
"""PNG copies of at most this many proof pages: the first, then those with flagged certificates."""


@dataclass(frozen=True)
class Cell:
    left: float
    top: float
    width: float
    height: float


def cells(aspect: float) -> tuple[list[Cell], int]:
    """Thumbnail positions on one proof page (mm) for certificates of height/width ``aspect``."""
    width = (PAGE_W - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
    height = width * aspect
    rows = max(1, math.floor((PAGE_H - TOP - MARGIN + GAP) / (height + LABEL_H + GAP)))
    grid = [
        Cell(MARGIN + c * (width + GAP), TOP + r * (height + LABEL_H + GAP), width, height)
        for r in range(rows)
        for c in range(COLUMNS)
    ]
    return grid, len(grid)


def flags(cert: Certificate) -> list[str]:
    notes = [
        f"{certificate.LABELS[t.name]}缩至 {t.size_pt:g} pt（正常 {t.frame.size_pt:g} pt）"
        for t in cert.texts.values()
        if t.shrunk
    ]
    if cert.fallback_chars:
        notes.append(f"备用字体：{cert.fallback_chars}")
    return notes


def render(
    loaded: Loaded, certs: list[Certificate], pages: list[Path], scratch: Path
) -> tuple[Path, list[tuple[int, bytes]]]:
    """The proof sheet as a PDF file, and PNGs of its first page and of pages with flagged
    certificates (at most MAX_PNGS). ``pages`` are the files holding the certificate pages, in
    order (the chunks'). Made GROUP pages at a time, each opening only the files it shows, so
    memory does not grow with the batch."""
    page = loaded.settings.certificate.page
    grid, per_page = cells(page.height_mm / page.width_mm)
    step = per_page * GROUP
    spans = _spans(pages)
    parts = []
    for start in range(0, len(certs), step):
        labels = _labels(loaded, certs, start, start + step, grid, per_page)
        target = scratch / f"proof-{start:07d}.pdf"
        parts.append(_thumbnails(labels, spans, start, grid, per_page, target))
    target = scratch / "certificates-proof.pdf"
    if len(parts) > 1:
        pdfjoin.join(parts, target)
    else:
        parts[0].replace(target)
    flagged = sorted({i // per_page for i, c in enumerate(certs) if flags(c)})
    return target, _pngs(target, ([0] + [p for p in flagged if p != 0])[:MAX_PNGS])


@dataclass(frozen=True)
class Span:
    """Certificate pages ``first`` to ``first + count - 1`` are in ``path``."""

    path: Path
    first: int
    count: int


def _spans(pages: list[Path]) -> list[Span]:
    spans, first = [], 0
    for path in pages:
        with pikepdf.open(path) as pdf_file:
            count = len(pdf_file.pages)
        spans.append(Span(path, first, count))
        first += count
    return spans


def _thumbnails(
    labels: bytes, spans: list[Span], start: int, grid: list[Cell], per_page: int, target: Path
) -> Path:
    total = spans[-1].first + spans[-1].count if spans else 0
    with pikepdf.open(io.BytesIO(labels)) as proof, contextlib.ExitStack() as sources:
        opened: dict[Path, pikepdf.Pdf] = {}

        def certificate_page(i: int) -> pikepdf.Page:
            span = next(s for s in spans if s.first <= i < s.first + s.count)
            if span.path not in opened:  # kept open until saved: copied streams are read then
                opened[span.path] = sources.enter_context(pikepdf.open(span.path))
            return opened[span.path].pages[i - span.first]

        for n, sheet in enumerate(proof.pages):
            for k in range(per_page):
                i = start + n * per_page + k
                if i >= total:
                    break
                form = proof.copy_foreign(certificate_page(i).as_form_xobject())
                stamp.place(
                    sheet, form, f"Certificate{i}", _rect(grid[k], float(sheet.mediabox[3]))
                )
        proof.save(target, deterministic_id=True)
    return target


def _rect(cell: Cell, page_height_pt: float) -> Rectangle:
    x0, x1 = cell.left * PT_PER_MM, (cell.left + cell.width) * PT_PER_MM
    y1 = page_height_pt - cell.top * PT_PER_MM
    return Rectangle(x0, y1 - cell.height * PT_PER_MM, x1, y1)


def _labels(
    loaded: Loaded, certs: list[Certificate], start: int, stop: int, grid: list[Cell], per_page: int
) -> bytes:
    """Label pages for certificates ``start`` to ``stop`` (proof page numbers count from the start)."""
    group = certs[start:stop]
    pages: list[list[dict[str, Any]]] = [[] for _ in range(0, len(group), per_page)]
    for i, cert in enumerate(group):
        entry = {
            "serial": cert.serial,
            "unit": cert.unit,
            "award": cert.award,
            "flags": flags(cert),
        }
        pages[i // per_page].append(entry)
    values = {
        "pages": pages,
        "grid": [dataclasses.asdict(cell) for cell in grid],
        "edition": context.edition_title(loaded.edition),
        "count": len(certs),
        "first_page": start // per_page,
        "total_pages": -(-len(certs) // per_page),
        "flagged": sum(1 for c in certs if flags(c)),
        "label_top": LABEL_H,
        "iso_date": loaded.settings.issue_date.isoformat(),
    }
    folders = loaded.settings.home.layers("templates/html", TEMPLATES)
    html = templating.render(templating.environment(folders), TEMPLATE, values)
    assets = pdf.Assets.layered(folders)
    document = pdf.render(
        html, folders[0], assets, pdf.FontSet.for_text(html), "证书校样", minimal_ua=True
    )
    return pdf.write(document, "证书校样", pdf.identifier("proof", *(c.serial for c in group)))


def _pngs(proof_pdf: Path, pages: list[int]) -> list[tuple[int, bytes]]:
    """(page number, PNG) for the first page and every page with a flagged certificate: the
    ones to look at (10,000 certificates make 834 proof pages; the PDF has them all)."""
    document = pypdfium2.PdfDocument(str(proof_pdf))
    try:
        images = []
        for index in pages:
            bitmap = document[index].render(scale=PNG_DPI / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG", compress_level=6)  # optimize=True: 5x slower
            images.append((index + 1, buffer.getvalue()))
        return images
    finally:
        document.close()
