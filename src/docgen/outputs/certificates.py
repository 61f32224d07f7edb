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

import hashlib
from collections.abc import Iterator
from pathlib import Path

from .. import certificate, context, pdfjoin, proof, register, stock
from ..artifacts import Artifact, Run
from ..certificate import Certificate
from ..edition import Loaded
from ..errors import DocgenError
from .certificate_batch import Batch, chunks, winner_path


def render(run: Run) -> Iterator[Artifact]:
    loaded = run.loaded
    cfg = loaded.settings
    options = run.options
    plan = stock.plan(cfg.root, cfg.certificate.stock, options.stock, options.printer, cfg.scan)
    batch = Batch(loaded, certificate.build(loaded), run.scratch, plan)
    if run.options.winner is not None:
        yield from _reissue(batch, run.options.winner)
        return
    files: list[register.Entry] = []
    trim, sheets, proofs = [], [], []
    for chunk in chunks(batch):
        for cert, data in chunk.files:
            files.append(_entry(loaded, cert, data))
            yield Artifact(files[-1].file, data)
            run.progress("证书", len(files), len(batch.certs))
        trim.append(chunk.trim)
        sheets += [chunk.sheet] if chunk.sheet else []
        proofs.append(chunk.proof)
    batch_pdf = _joined(trim, run.scratch / "certificates.pdf")
    yield from _documents(loaded, batch.certs, files, proofs, run.scratch)
    yield Artifact("certificates.pdf", source=batch_pdf)
    if sheets:
        yield Artifact(
            "print/certificates-print.pdf", source=_joined(sheets, run.scratch / "print.pdf")
        )


def _documents(
    loaded: Loaded,
    certs: list[Certificate],
    files: list[register.Entry],
    thumbnails: list[Path],
    scratch: Path,
) -> Iterator[Artifact]:
    """The register (what was issued, with hashes) and the proof sheet (what to look at)."""
    title = f"{context.edition_title(loaded.edition)}荣誉证书登记表"
    yield Artifact("certificates-register.csv", register.csv_bytes(files))
    yield Artifact(
        "certificates-register.xlsx", register.xlsx_bytes(files, title, loaded.settings.issue_date)
    )
    proof_pdf, pngs = proof.render(loaded, certs, thumbnails, scratch)
    yield Artifact("certificates-proof.pdf", source=proof_pdf)
    for number, png in pngs:
        yield Artifact(f"certificates-proof-{number}.png", png)


def _entry(loaded: Loaded, cert: Certificate, data: bytes) -> register.Entry:
    rank = int(winner_path(loaded, cert.index)[3]) + 1
    return register.Entry(
        cert.serial,
        cert.unit,
        cert.award,
        rank,
        cert.activity,
        f"certificates/{cert.filename}",
        hashlib.sha256(data).hexdigest(),
    )


def _reissue(batch: Batch, serial: str) -> Iterator[Artifact]:
    """Only the certificate with ``serial``, exactly as the full run makes it."""
    wanted = [c for c in batch.certs if c.serial == serial]
    if not wanted:
        known = "、".join(c.serial for c in batch.certs[:5])
        raise DocgenError(f"没有编号为 {serial} 的证书（本届的编号如：{known}……）")
    with batch.layers() as layers:
        document, [cert] = batch.laid_out(wanted)
        yield Artifact(
            f"certificates/{cert.filename}", batch.single(document, document.pages[0], cert, layers)
        )


def _joined(parts: list[Path], target: Path) -> Path:
    if len(parts) == 1:
        return parts[0]
    pdfjoin.join(parts, target)
    return target
