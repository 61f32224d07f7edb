"""Rendering certificates chunk by chunk: the text layer laid out (and re-fitted where a text left
its frame), each page written as its own PDF and stamped with the run's layers, plus the chunk's
share of certificates.pdf and of the print file. Chunks go through a process pool on big runs."""

from __future__ import annotations

import copy
import io
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import certificate, pdf, stamp, stock, templating
from ..certificate import Certificate
from ..edition import Loaded
from ..errors import DocgenError, Problem
from . import certificate_page as page
from .certificate_layers import Layers

CHUNK = 100
POOL_FROM = 300
"""Use worker processes from this many certificates on: below it, starting them (each lays out
the design layers again) costs more than the second core saves (bench/certificates.py)."""
WHAT = "荣誉证书"
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Chunk:
    """What one chunk produced: each certificate's own PDF, and its pages for the batch files."""

    files: list[tuple[Certificate, bytes]]
    trim: Path
    """Pages for certificates.pdf."""
    sheet: Path | None
    """Pages for the print shop's file (none on preprinted stock: that is printed in the office)."""
    proof: Path
    """Pages for the proof sheet's thumbnails (on preprinted stock: over the scan, uncorrected)."""


@dataclass
class Batch:
    """Everything needed to render chunks of one run's certificates, built once per process."""

    loaded: Loaded
    certs: list[Certificate]
    scratch: Path
    plan: stock.Plan = field(default_factory=stock.Plan)
    env: templating.Environment = field(init=False)
    assets: pdf.Assets = field(init=False)
    fontset: pdf.FontSet = field(init=False)

    def __post_init__(self) -> None:
        self.env = templating.environment(page.folders(self.loaded))
        self.assets = page.assets(self.loaded)
        # Fonts are cut to the characters of the whole batch, also when re-issuing one
        # certificate: that is what makes a re-issue byte-identical to its copy in the batch.
        texts = "".join(
            self.text_html(self.certs[i : i + CHUNK]) for i in range(0, len(self.certs), CHUNK)
        )
        self.fontset = pdf.FontSet.for_text(page.css_text(self.loaded) + texts)

    def text_html(self, chunk: list[Certificate]) -> str:
        return page.text_html(self.loaded, self.env, chunk, self.assets, self.plan)

    def layers(self) -> Layers:
        return Layers.build(self.loaded, self.env, self.assets, self.plan)

    def chunk(self, start: int, layers: Layers) -> Chunk:
        document, certs = self.laid_out(self.certs[start : start + CHUNK])
        files = [
            (cert, self.single(document, laid, cert, layers))
            for laid, cert in zip(document.pages, certs, strict=True)
        ]
        text = pdf.write(
            document, WHAT, pdf.identifier(f"chunk {start}", *(c.serial for c in certs))
        )
        trim = self.scratch / f"trim-{start:07d}.pdf"
        self.finish(text, layers, trim)
        if self.plan.preprinted:
            proof = stamp.layered_file(
                text, layers.proof_under, [], self.scratch, f"proof-{start:07d}"
            )
            return Chunk(files, trim, None, proof)
        sheet = stamp.sheets_file(
            text, layers.sheet, layers.over, self.scratch, f"print-{start:07d}"
        )
        return Chunk(files, trim, sheet, trim)

    def finish(self, text: bytes, layers: Layers, target: Path | io.BytesIO) -> None:
        """Text pages with the design under them and the seal over them; on preprinted stock,
        the texts only, moved by the printer's correction."""
        if self.plan.preprinted:
            p = self.loaded.settings.certificate.page
            rect = self.plan.correction.page_rect_pt(p.width_mm, p.height_mm)
            stamp.on_stock(text, [layers.design], rect, target)
        else:
            stamp.layered(text, [layers.design], layers.over, target)

    def laid_out(self, chunk: list[Certificate]) -> tuple[Any, list[Certificate]]:
        """Lay out the text layer of ``chunk``; shrink any text that left its frame and retry."""
        chunk = list(chunk)
        for _ in range(MAX_ROUNDS):
            html, base = self.text_html(chunk), page.folders(self.loaded)[0]
            document = pdf.render(html, base, self.assets, self.fontset, WHAT, minimal_ua=True)
            overflows = page.overflows(document, chunk)
            if not overflows:
                return document, chunk
            for i, name in overflows:
                if chunk[i].texts[name].size_pt <= chunk[i].texts[name].frame.smallest_pt:
                    raise overflow_error(self.loaded, chunk[i], name)
                chunk[i] = chunk[i].smaller(name)
        raise DocgenError(f"{WHAT}：排版 {MAX_ROUNDS} 次后仍有文字超出位置")  # pragma: no cover

    def single(self, document: Any, laid: Any, cert: Certificate, layers: Layers) -> bytes:
        one = document.copy([laid])
        one.metadata = copy.copy(document.metadata)
        one.metadata.title = f"{document.metadata.title}：{cert.unit}"
        text = pdf.write(one, WHAT, pdf.identifier(cert.serial, cert.filename))
        out = io.BytesIO()
        self.finish(text, layers, out)
        return out.getvalue()


def chunks(batch: Batch) -> Iterator[Chunk]:
    """Every chunk in order: in this process, or through worker processes on a big run."""
    starts = range(0, len(batch.certs), CHUNK)
    workers = min(os.cpu_count() or 1, 4)
    if len(batch.certs) < POOL_FROM or workers < 2:
        with batch.layers() as layers:
            for start in starts:
                yield batch.chunk(start, layers)
        return
    # Fresh processes ("spawn"), not forks: a fork would share the parent's open font files,
    # whose read positions FreeType would then move under each other's feet.
    context = multiprocessing.get_context("spawn")
    init = (batch.loaded.doc.path, batch.scratch, batch.plan)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=init
    ) as pool:
        # At most two chunks per worker in flight: results wait for the writer in memory, and
        # pool.map would queue every chunk of 10,000 certificates at once (≈ 5 MB each).
        pending: deque[Future[Chunk]] = deque()
        for start in starts:
            pending.append(pool.submit(_worker_chunk, start))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_WORKER: tuple[Batch, Layers] | None = None


def _start_worker(edition_path: Path, scratch: Path, plan: stock.Plan) -> None:
    """Each worker loads the edition itself: the same input gives it the same certificates,
    sizes and font subsets as the parent, so its chunks are byte-identical to in-process ones."""
    from .. import edition

    global _WORKER
    loaded = edition.load(edition_path)
    batch = Batch(loaded, certificate.build(loaded), scratch, plan)
    _WORKER = (batch, batch.layers())


def _worker_chunk(start: int) -> Chunk:
    assert _WORKER is not None  # noqa: S101 - set by _start_worker
    batch, layers = _WORKER
    return batch.chunk(start, layers)


def overflow_error(loaded: Loaded, cert: Certificate, name: str) -> DocgenError:
    path = winner_path(loaded, cert.index)
    text = cert.texts[name]
    msg = f"证书上的{certificate.LABELS[name]}在最小字号 {text.frame.smallest_pt} pt 时仍超出位置"
    return DocgenError([Problem(loaded.doc.locate(path), ".".join(map(str, path)), msg)])


def winner_path(loaded: Loaded, index: int) -> tuple[str | int, ...]:
    for a, award in enumerate(loaded.edition.awards):
        if index < len(award.winners):
            return ("awards", a, "winners", index)
        index -= len(award.winners)
    raise IndexError(index)
