"""The outputs docgen writes, in one registry: ``--only`` takes its choices from here.

Each output is a module with ``render(run) -> Iterator[Artifact]``. To add one, write the module
and add one entry below (see CONTRIBUTING.md).
"""

from __future__ import annotations

from ..artifacts import Render
from . import certificates, press, report

OUTPUTS: dict[str, Render] = {
    "report": report.render,
    "press": press.render,
    "certificates": certificates.render,
}

LABELS = {"report": "会议报告", "press": "新闻稿", "certificates": "荣誉证书"}
