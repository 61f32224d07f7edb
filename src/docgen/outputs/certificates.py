"""Certificates: one self-contained PDF per winner in certificates/, and certificates.pdf with all
of them in tier and rank order for office printing.

Speed and size both matter (24 today, 10,000 for a federation), and the obvious designs each lose
one (bench/certificates.py measures them): one WeasyPrint document per certificate pays document
set-up, artwork drawing and font subsetting every time; pages split out of one big PDF share the
whole batch's font subset. Here a certificate is three layers:

- design (frame, logo, title, issuer and date) and seal: laid out once per run, then placed on
  every page as a PDF form XObject (pikepdf), so the artwork is drawn once, not once per page;
- text (addressee, body, award, closing, serial): the only per-certificate layout, in chunks of
  CHUNK pages with fonts cut once per run to the batch's characters; each page is written on its
  own with ``Document.copy([page])``, so each file embeds only the glyphs it prints.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from .. import context, fit, fonts, names, pdf, templating, zh
from ..artifacts import Artifact, Run
from ..config import ROOT, fill_wording
from ..edition import Loaded
from ..errors import DocgenError

TEMPLATES = ROOT / "templates" / "html"
TEMPLATE = "certificate.html.j2"
CSS = "certificate.css"
CHUNK = 100
WHAT = "荣誉证书"

# Text frames of the A4-landscape design in certificate.css (widths in mm, sizes in pt).
UNIT_BOX = fit.Box(width_mm=217, max_lines=1, max_pt=24, min_pt=13)
BODY_BOX = fit.Box(width_mm=217, max_lines=3, max_pt=21, min_pt=12)


@dataclass(frozen=True)
class Certificate:
    """One winner's certificate, with its text ready and its sizes fitted."""

    index: int
    serial: str
    filename: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Layers:
    """The once-per-run layers, as one-page PDFs: under every page, and over it (the seal)."""

    under: pikepdf.Pdf
    over: pikepdf.Pdf | None

    def close(self) -> None:
        self.under.close()
        if self.over is not None:
            self.over.close()

    def apply(self, target: pikepdf.Pdf) -> None:
        """Put the layers on every page of ``target`` (sharing one copy of each per file)."""
        under = target.copy_foreign(self.under.pages[0].as_form_xobject())
        over = target.copy_foreign(self.over.pages[0].as_form_xobject()) if self.over else None
        for page in target.pages:
            page.add_underlay(under, rect=None)
            if over is not None:
                page.add_overlay(over, rect=None)


def render(run: Run) -> Iterator[Artifact]:
    loaded = run.loaded
    certs = certificates(loaded)
    env = templating.environment(TEMPLATES)
    chunks = [certs[i : i + CHUNK] for i in range(0, len(certs), CHUNK)]
    htmls = [templating.render(env, TEMPLATE, _context(loaded, "text", chunk)) for chunk in chunks]
    css_text = (TEMPLATES / CSS).read_text(encoding="utf-8")
    fontset = pdf.FontSet.for_text(css_text + "".join(htmls))
    assets = pdf.Assets(roots=[TEMPLATES, loaded.settings.root / "config"])
    layers = _layers(loaded, env, assets, css_text)
    try:
        merged: list[Path] = []
        done = 0
        for n, (chunk, html) in enumerate(zip(chunks, htmls, strict=True)):
            document = pdf.render(html, TEMPLATES, assets, fontset, WHAT)
            _check_pages(document, chunk)
            for page, cert in zip(document.pages, chunk, strict=True):
                yield Artifact(
                    f"certificates/{cert.filename}", _single(document, page, cert, layers)
                )
                done += 1
                run.progress("证书", done, len(certs))
            merged.append(run.scratch / f"certificates-{n:05d}.pdf")
            _finish(pdf.write(document, WHAT, pdf.identifier(html)), layers, merged[-1])
    finally:
        layers.close()
    yield Artifact("certificates.pdf", source=_merge(merged, run.scratch))


def _layers(
    loaded: Loaded, env: templating.Environment, assets: pdf.Assets, css_text: str
) -> Layers:
    def one(layer: str) -> pikepdf.Pdf:
        html = templating.render(env, TEMPLATE, _context(loaded, layer, []))
        document = pdf.render(html, TEMPLATES, assets, pdf.FontSet.for_text(css_text + html), WHAT)
        return pikepdf.open(io.BytesIO(pdf.write(document, WHAT)))

    return Layers(one("design"), one("seal") if loaded.settings.seal else None)


def certificates(loaded: Loaded) -> list[Certificate]:
    """Every certificate in print order (tiers in order, then rank), with fitted text sizes."""
    e, s = loaded.edition, loaded.settings
    serials = loaded.serials()
    chain = fonts.chains(s.branding)["kai"]
    edition_name = context.edition_title(e)
    result: list[Certificate] = []
    total = e.winner_count
    for award in e.awards:
        for winner in award.winners:
            i = len(result)
            values = {
                "unit": winner.unit,
                "activity": winner.activity_on_certificate,
                "award": award.name,
                "edition": edition_name,
            }
            texts = {
                key: fill_wording(getattr(s.wording, key), **values)
                for key in ("addressee", "body", "closing")
            }
            unit_fit = fit.fit(texts["addressee"], chain, UNIT_BOX)
            body_fit = fit.fit(texts["body"], chain, BODY_BOX, first_line_indent_em=2)
            filename = f"{names.numbered(i + 1, total)}-{names.part(winner.unit)}-{names.part(award.name)}.pdf"
            result.append(
                Certificate(
                    i,
                    serials[i],
                    filename,
                    {
                        **texts,
                        "award": award.name,
                        "serial": serials[i],
                        "unit_pt": unit_fit.size_pt,
                        "body_pt": body_fit.size_pt,
                        "fits": unit_fit.fits and body_fit.fits,
                    },
                )
            )
    names.ensure_unique([c.filename for c in result])
    return result


def _context(loaded: Loaded, layer: str, chunk: list[Certificate]) -> dict[str, Any]:
    s = loaded.settings
    return {
        **context.base(loaded),
        "layer": layer,
        "certificates": [c.values for c in chunk],
        "title": s.certificate_title,
        "issuer": s.issuer,
        "issue_date": zh.date_characters(s.issue_date),
        "iso_date": s.issue_date.isoformat(),
        "logo": s.logo.as_uri() if s.logo else None,
        "seal": s.seal.as_uri() if s.seal else None,
        "stylesheet": CSS,
    }


def _check_pages(document: Any, chunk: list[Certificate]) -> None:
    if len(document.pages) != len(chunk):
        raise DocgenError(
            f"证书排版后有 {len(document.pages)} 页，应为 {len(chunk)} 页：有证书的内容超出了一页。"
            "请运行 docgen check 查看哪个名称过长"
        )


def _single(document: Any, page: Any, cert: Certificate, layers: Layers) -> bytes:
    one = document.copy([page])
    one.metadata = copy.copy(document.metadata)
    one.metadata.title = f"{document.metadata.title}：{cert.values['addressee'].rstrip('：:')}"
    out = io.BytesIO()
    _finish(pdf.write(one, WHAT, pdf.identifier(cert.serial, cert.filename)), layers, out)
    return out.getvalue()


def _finish(text_pdf: bytes, layers: Layers, target: Path | io.BytesIO) -> None:
    """The text pages with the design under them and the seal over them."""
    with pikepdf.open(io.BytesIO(text_pdf)) as document:
        layers.apply(document)
        document.save(target, deterministic_id=True)


def _merge(parts: list[Path], scratch: Path) -> Path:
    if len(parts) == 1:
        return parts[0]
    target = scratch / "certificates.pdf"
    sources = [pikepdf.open(part) for part in parts]
    try:
        with pikepdf.Pdf.new() as merged:
            for src in sources:
                merged.pages.extend(src.pages)
            merged.save(target, deterministic_id=True)
    finally:
        for src in sources:
            src.close()
    return target
