"""The proof sheet: every certificate as a thumbnail, labelled with its serial and unit, and a red
flag on any whose text was shrunk below its normal size or uses a character from a fallback face —
the one thing a person looks at before sending the batch to print.

Labels and frames are laid out by WeasyPrint; the thumbnails are the finished certificate pages
themselves, placed as vector form XObjects with pikepdf (no rasterising, nothing re-rendered).
The PNG copies are rendered with pypdfium2.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
from pikepdf import Rectangle

from . import certificate, context, pdf, stamp, templating
from .certificate import Certificate
from .config import ROOT
from .edition import Loaded

TEMPLATES = ROOT / "templates" / "html"
TEMPLATE = "proof.html.j2"
PAGE_W, PAGE_H, MARGIN, TOP = 297.0, 210.0, 10.0, 19.0
COLUMNS, GAP, LABEL_H = 4, 4.0, 10.0
PT_PER_MM = 72 / 25.4
PNG_DPI = 110


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


def render(loaded: Loaded, certs: list[Certificate], batch_pdf: Path) -> tuple[bytes, list[bytes]]:
    """The proof sheet as PDF, and one PNG per proof page."""
    page = loaded.settings.certificate.page
    grid, per_page = cells(page.height_mm / page.width_mm)
    labels = _labels(loaded, certs, grid, per_page)
    with pikepdf.open(io.BytesIO(labels)) as proof, pikepdf.open(batch_pdf) as batch:
        for i, source in enumerate(batch.pages):
            cell = grid[i % per_page]
            target = proof.pages[i // per_page]
            form = proof.copy_foreign(source.as_form_xobject())
            stamp.place(target, form, f"Certificate{i}", _rect(cell, float(target.mediabox[3])))
        out = io.BytesIO()
        proof.save(out, deterministic_id=True)
    data = out.getvalue()
    return data, _pngs(data)


def _rect(cell: Cell, page_height_pt: float) -> Rectangle:
    x0, x1 = cell.left * PT_PER_MM, (cell.left + cell.width) * PT_PER_MM
    y1 = page_height_pt - cell.top * PT_PER_MM
    return Rectangle(x0, y1 - cell.height * PT_PER_MM, x1, y1)


def _labels(loaded: Loaded, certs: list[Certificate], grid: list[Cell], per_page: int) -> bytes:
    pages: list[list[dict[str, Any]]] = []
    for i, cert in enumerate(certs):
        if i % per_page == 0:
            pages.append([])
        cell = grid[i % per_page]
        pages[-1].append(
            {
                "cell": cell,
                "serial": cert.serial,
                "unit": cert.unit,
                "award": cert.award,
                "flags": flags(cert),
            }
        )
    flagged = sum(1 for c in certs if flags(c))
    values = {
        "pages": pages,
        "edition": context.edition_title(loaded.edition),
        "count": len(certs),
        "flagged": flagged,
        "label_top": LABEL_H,
        "iso_date": loaded.settings.issue_date.isoformat(),
    }
    html = templating.render(templating.environment(TEMPLATES), TEMPLATE, values)
    assets = pdf.Assets(roots=[TEMPLATES])
    document = pdf.render(html, TEMPLATES, assets, pdf.FontSet.for_text(html), "证书校样")
    return pdf.write(document, "证书校样", pdf.identifier("proof", *(c.serial for c in certs)))


def _pngs(proof_pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(proof_pdf)
    try:
        images = []
        for index in range(len(document)):
            bitmap = document[index].render(scale=PNG_DPI / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG", optimize=True)
            images.append(buffer.getvalue())
        return images
    finally:
        document.close()
