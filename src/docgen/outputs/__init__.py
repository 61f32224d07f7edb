"""The outputs docgen writes, in one registry (``--only`` offers the same names, from
artifacts.LABELS, so that ``docgen --help`` imports no renderer).

Each output is a module with ``render(run) -> Iterator[Artifact]``. To add one, write the module,
add one entry below and its label to artifacts.LABELS (see CONTRIBUTING.md).
"""

from __future__ import annotations

from ..artifacts import LABELS, Render
from . import certificates, press, report

OUTPUTS: dict[str, Render] = {
    "report": report.render,
    "press": press.render,
    "certificates": certificates.render,
}
__all__ = ["LABELS", "OUTPUTS"]
