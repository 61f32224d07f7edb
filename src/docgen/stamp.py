"""Composing PDF pages with pikepdf: a layer laid out once, stamped under or over many pages as a
form XObject (drawn once, referenced everywhere), and pages placed on larger print sheets."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Rectangle


@dataclass
class Layer:
    """A one-page PDF to put on other pages (the certificate design, the seal, a stock scan)."""

    pdf: pikepdf.Pdf

    @classmethod
    def from_bytes(cls, data: bytes) -> Layer:
        return cls(pikepdf.open(io.BytesIO(data)))

    @functools.cached_property
    def form(self) -> pikepdf.Object:
        """The page as a form XObject, made once: each ``as_form_xobject`` adds a new object to
        ``pdf``, which at one per certificate grew every worker by ~2 MB per chunk.

        Bounded by the whole page: qpdf bounds it by the TrimBox, which cut a print sheet's bleed
        and crop marks off and, placed over the sheet's media box, stretched the design by 2 %."""
        page = self.pdf.pages[0]
        form = page.as_form_xobject()
        form.BBox = pikepdf.Array([float(v) for v in page.mediabox])
        return form

    def form_in(self, target: pikepdf.Pdf) -> pikepdf.Object:
        """This layer as a form XObject owned by ``target`` (copy it once per target file)."""
        return target.copy_foreign(self.form)

    def trimmed(self) -> Layer:
        """This layer cut to its trim box (a print sheet without its bleed and crop marks)."""
        copy = pikepdf.Pdf.new()
        copy.pages.append(self.pdf.pages[0])
        page = copy.pages[0]
        page.mediabox = page.obj.get("/TrimBox", page.mediabox)  # type: ignore[assignment]
        for box in ("/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
            if box in page.obj:
                del page.obj[box]
        return Layer(copy)

    def close(self) -> None:
        self.pdf.close()


def place(
    page: pikepdf.Page, form: pikepdf.Object, name: str, rect: Rectangle, *, under: bool = False
) -> None:
    """Draw ``form`` scaled into ``rect`` of ``page``, beneath or on top of what is there.

    pikepdf's add_underlay/add_overlay name the resource randomly, which would make every run's
    PDF different; here the name is given, so the same input gives the same bytes.
    """
    box = [float(v) for v in form.BBox]
    sx, sy = rect.width / (box[2] - box[0]), rect.height / (box[3] - box[1])
    tx, ty = rect.llx - box[0] * sx, rect.lly - box[1] * sy
    page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/" + name), replace_existing=True)
    ops = f"q {sx:.6f} 0 0 {sy:.6f} {tx:.4f} {ty:.4f} cm /{name} Do Q\n".encode()
    # The page's own drawing goes into its own saved state: it may leave the coordinate system
    # changed (WeasyPrint's pages do), which must not move or flip what is placed after it.
    page.contents_add((ops if under else b"") + b"q\n", prepend=True)
    page.contents_add(b"Q\n" + (b"" if under else ops), prepend=False)


def _media(page: pikepdf.Page) -> Rectangle:
    return Rectangle(*[float(v) for v in page.mediabox])


def layered(
    pages_pdf: bytes, under: list[Layer], over: list[Layer], target: Path | io.BytesIO
) -> None:
    """Every page of ``pages_pdf`` with ``under`` layers beneath it and ``over`` layers on top."""
    with pikepdf.open(io.BytesIO(pages_pdf)) as document:
        below = [layer.form_in(document) for layer in under]
        above = [layer.form_in(document) for layer in over]
        for page in document.pages:
            for i, form in reversed(list(enumerate(below))):
                place(page, form, f"DocgenUnder{i}", _media(page), under=True)
            for i, form in enumerate(above):
                place(page, form, f"DocgenOver{i}", _media(page))
        document.save(target, deterministic_id=True)


def on_sheets(pages_pdf: bytes, sheet: Layer, over: list[Layer], target: Path | io.BytesIO) -> None:
    """Each page of ``pages_pdf`` placed in the trim box of a copy of ``sheet`` (a larger page:
    the print design with bleed and crop marks), with ``over`` layers placed the same way."""
    with pikepdf.open(io.BytesIO(pages_pdf)) as source, pikepdf.Pdf.new() as out:
        sheet_page = sheet.pdf.pages[0]
        media = _box(sheet_page, "/MediaBox")
        trim, bleed = _box(sheet_page, "/TrimBox", media), _box(sheet_page, "/BleedBox", media)
        sheet_form = sheet.form_in(out)
        above = [layer.form_in(out) for layer in over]
        for page in source.pages:
            new = out.add_blank_page(page_size=(media[2] - media[0], media[3] - media[1]))
            new.mediabox, new.trimbox, new.bleedbox = (
                pikepdf.Array(b) for b in (media, trim, bleed)
            )
            place(new, sheet_form, "DocgenSheet", Rectangle(*media))
            place(new, out.copy_foreign(page.as_form_xobject()), "DocgenPage", Rectangle(*trim))
            for i, form in enumerate(above):
                place(new, form, f"DocgenOver{i}", Rectangle(*trim))
        out.docinfo = out.copy_foreign(source.docinfo)  # type: ignore[assignment]
        out.save(target, deterministic_id=True)


def _box(page: pikepdf.Page, name: str, default: list[float] | None = None) -> list[float]:
    value = page.obj.get(name)
    return [float(v) for v in value] if value is not None else list(default or [])


def on_stock(
    pages_pdf: bytes,
    under: list[Layer],
    rect: tuple[float, float, float, float],
    target: Path | io.BytesIO,
) -> None:
    """Each page, with ``under`` beneath it, moved as a whole into ``rect`` (a printer's
    correction for printing on preprinted stock) on a fresh page of the same size."""
    with pikepdf.open(io.BytesIO(pages_pdf)) as source, pikepdf.Pdf.new() as out:
        below = [layer.form_in(out) for layer in under]
        placed = Rectangle(*rect)
        for page in source.pages:
            media = _media(page)
            new = out.add_blank_page(page_size=(media.width, media.height))
            for i, form in enumerate(below):
                place(new, form, f"DocgenUnder{i}", placed)
            place(new, out.copy_foreign(page.as_form_xobject()), "DocgenPage", placed)
        out.docinfo = out.copy_foreign(source.docinfo)  # type: ignore[assignment]
        out.save(target, deterministic_id=True)


def layered_file(
    pages_pdf: bytes, under: list[Layer], over: list[Layer], folder: Path, name: str
) -> Path:
    target = folder / f"{name}.pdf"
    layered(pages_pdf, under, over, target)
    return target


def sheets_file(pages_pdf: bytes, sheet: Layer, over: list[Layer], folder: Path, name: str) -> Path:
    target = folder / f"{name}.pdf"
    on_sheets(pages_pdf, sheet, over, target)
    return target
