"""What renderers produce and the writer stores: a named file, as bytes or as a finished temp file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads LABELS here; loading an edition imports Pillow
    from .edition import Loaded


@dataclass(frozen=True)
class Artifact:
    """One output file. ``name`` is relative to the output folder, with ``/`` separators."""

    name: str
    data: bytes | None = None
    source: Path | None = None
    """A file already written elsewhere (big merged PDFs), moved into place instead of ``data``."""

    def __post_init__(self) -> None:
        if (self.data is None) == (self.source is None):
            raise ValueError("an Artifact has either data or a source file")


Progress = Callable[[str, int, int], None]
"""progress(label, done, total): renderers report long work (certificates) through this."""


def no_progress(label: str, done: int, total: int) -> None:
    """Progress sink for callers that show none."""


@dataclass(frozen=True)
class Options:
    """Choices the user makes per run (command-line options)."""

    pdf_variant: str | None = None
    """A PDF variant for the press release, e.g. "pdf/a-2b" for archiving (PDF_VARIANTS)."""
    winner: str | None = None
    """Re-issue only the certificate with this serial (certificates output only)."""
    stock: str | None = None
    """"blank" or "preprinted": overrides config/certificate.yaml's stock.mode."""
    printer: str | None = None
    """A printer profile in config/printers/ for printing on preprinted stock."""
    force: bool = False
    """Replace outputs even when the user edited them since docgen wrote them or has them open."""


@dataclass
class Run:
    """One generate run: the loaded edition, a scratch folder, options, where progress goes."""

    loaded: Loaded
    scratch: Path
    progress: Progress = field(default=no_progress)
    options: Options = field(default_factory=Options)


Render = Callable[[Run], Iterator[Artifact]]

LABELS = {"report": "会议报告", "press": "新闻稿", "certificates": "荣誉证书"}
"""Each output's name (outputs.OUTPUTS holds the same names) and what the office calls it. Here,
not beside the renderers, so that the command line can offer them without importing those."""
PDF_VARIANTS = {"pdf/a-2b": "PDF/A-2b（长期存档）"}
"""PDF variants offered on the command line (WeasyPrint names → what they are for)."""
