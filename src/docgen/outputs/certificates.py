"""Certificates: one self-contained PDF per winner in certificates/, certificates.pdf with all of
them in tier and rank order for office printing, and print/certificates-print.pdf for the print
shop (bleed and crop marks).

A certificate is three layers, so that per certificate only its own text is laid out:

- design (frame, logo, title, issuer, date) and seal: laid out once per run and stamped on every
  page as a PDF form XObject — the artwork is drawn once, not once per page (stamp.py);
- text (addressee, body, award, closing, serial, QR code): laid out in chunks of CHUNK pages in
  fonts cut once per run to the batch's characters; each page is written on its own with
  ``Document.copy([page])``, so each file embeds only the glyphs it prints and its size does not
  grow with the batch. bench/certificates.py measures this against the alternatives.

Every text is fitted to its frame before layout (certificate.py) and checked after it: a frame
that still got one line too many (a 禁则 push the measurement could not foresee) is set one step
smaller and laid out again, so nothing ever overflows its frame.
"""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import certificate, context, pdf, proof, register, stamp, templating
from ..artifacts import Artifact, Run
from ..certificate import Certificate
from ..config import ROOT
from ..edition import Loaded
from ..errors import DocgenError
from . import certificate_page as page

TEMPLATES = ROOT / "templates" / "html"
CHUNK = 100
WHAT = "荣誉证书"
MAX_ROUNDS = 8


def render(run: Run) -> Iterator[Artifact]:
    loaded = run.loaded
    certs = certificate.build(loaded)
    env = templating.environment(TEMPLATES)
    assets = pdf.Assets(roots=[TEMPLATES, loaded.settings.root / "config"])
    # Fonts are cut to the characters of the whole batch, also when re-issuing one certificate:
    # that is what makes a re-issued certificate byte-identical to its copy in the batch.
    texts = "".join(
        page.text_html(loaded, env, certs[i : i + CHUNK], assets)
        for i in range(0, len(certs), CHUNK)
    )
    fontset = pdf.FontSet.for_text(page.css_text() + texts)
    if run.options.winner is not None:
        yield from _reissue(run, certs, env, assets, fontset)
        return
    files: list[register.Entry] = []
    with page.Layers.build(loaded, env, assets) as layers:
        trim, sheets = [], []
        for n in range(0, len(certs), CHUNK):
            document, chunk = _laid_out(loaded, env, certs[n : n + CHUNK], assets, fontset)
            for laid, cert in zip(document.pages, chunk, strict=True):
                data = _single(document, laid, cert, layers)
                files.append(_entry(loaded, cert, data))
                yield Artifact(files[-1].file, data)
                run.progress("证书", len(files), len(certs))
            text = pdf.write(
                document, WHAT, pdf.identifier(f"chunk {n}", *(c.serial for c in chunk))
            )
            trim.append(
                stamp.layered_file(text, [layers.design], layers.over, run.scratch, f"trim-{n:06d}")
            )
            sheets.append(
                stamp.sheets_file(text, layers.sheet, layers.over, run.scratch, f"print-{n:06d}")
            )
    batch = _joined(trim, run.scratch / "certificates.pdf")
    yield from _documents(loaded, certs, files, batch)
    yield Artifact("certificates.pdf", source=batch)
    yield Artifact(
        "print/certificates-print.pdf", source=_joined(sheets, run.scratch / "print.pdf")
    )


def _documents(
    loaded: Loaded, certs: list[Certificate], files: list[register.Entry], batch: Path
) -> Iterator[Artifact]:
    """The register (what was issued, with hashes) and the proof sheet (what to look at)."""
    title = f"{context.edition_title(loaded.edition)}荣誉证书登记表"
    yield Artifact("certificates-register.csv", register.csv_bytes(files))
    yield Artifact(
        "certificates-register.xlsx", register.xlsx_bytes(files, title, loaded.settings.issue_date)
    )
    proof_pdf, pngs = proof.render(loaded, certs, batch)
    yield Artifact("certificates-proof.pdf", proof_pdf)
    for i, png in enumerate(pngs, start=1):
        yield Artifact(f"certificates-proof-{i}.png", png)


def _entry(loaded: Loaded, cert: Certificate, data: bytes) -> register.Entry:
    rank = int(_winner_path(loaded, cert.index)[3]) + 1
    return register.Entry(
        cert.serial,
        cert.unit,
        cert.award,
        rank,
        cert.activity,
        f"certificates/{cert.filename}",
        hashlib.sha256(data).hexdigest(),
    )


def _reissue(
    run: Run,
    certs: list[Certificate],
    env: templating.Environment,
    assets: pdf.Assets,
    fontset: pdf.FontSet,
) -> Iterator[Artifact]:
    """Only the certificate with serial ``--winner``, exactly as the full run makes it."""
    wanted = [c for c in certs if c.serial == run.options.winner]
    if not wanted:
        known = "、".join(c.serial for c in certs[:5])
        raise DocgenError(f"没有编号为 {run.options.winner} 的证书（本届的编号如：{known}……）")
    with page.Layers.build(run.loaded, env, assets) as layers:
        document, [cert] = _laid_out(run.loaded, env, wanted, assets, fontset)
        yield Artifact(
            f"certificates/{cert.filename}", _single(document, document.pages[0], cert, layers)
        )


def _laid_out(
    loaded: Loaded,
    env: templating.Environment,
    chunk: list[Certificate],
    assets: pdf.Assets,
    fontset: pdf.FontSet,
) -> tuple[Any, list[Certificate]]:
    """Lay out the text layer of ``chunk``; shrink any text that overflowed its frame and retry."""
    for _ in range(MAX_ROUNDS):
        html = page.text_html(loaded, env, chunk, assets)
        document = pdf.render(html, TEMPLATES, assets, fontset, WHAT)
        overflows = page.overflows(document, chunk)
        if not overflows:
            return document, chunk
        for i, name in overflows:
            if chunk[i].texts[name].size_pt <= chunk[i].texts[name].frame.smallest_pt:
                raise _overflow_error(loaded, chunk[i], name)
            chunk[i] = chunk[i].smaller(name)
    raise DocgenError(f"{WHAT}：排版 {MAX_ROUNDS} 次后仍有文字超出位置")  # pragma: no cover


def _overflow_error(loaded: Loaded, cert: Certificate, name: str) -> DocgenError:
    from ..errors import Problem

    path = _winner_path(loaded, cert.index)
    text = cert.texts[name]
    msg = f"证书上的{certificate.LABELS[name]}在最小字号 {text.frame.smallest_pt} pt 时仍超出 {text.frame.lines} 行"
    return DocgenError([Problem(loaded.doc.locate(path), ".".join(map(str, path)), msg)])


def _winner_path(loaded: Loaded, index: int) -> tuple[str | int, ...]:
    for a, award in enumerate(loaded.edition.awards):
        if index < len(award.winners):
            return ("awards", a, "winners", index)
        index -= len(award.winners)
    raise IndexError(index)


def _single(document: Any, laid: Any, cert: Certificate, layers: page.Layers) -> bytes:
    one = document.copy([laid])
    one.metadata = copy.copy(document.metadata)
    one.metadata.title = f"{document.metadata.title}：{cert.unit}"
    text = pdf.write(one, WHAT, pdf.identifier(cert.serial, cert.filename))
    out = io.BytesIO()
    stamp.layered(text, [layers.design], layers.over, out)
    return out.getvalue()


def _joined(parts: list[Path], target: Path) -> Path:
    if len(parts) == 1:
        return parts[0]
    stamp.merge(parts, target)
    return target
