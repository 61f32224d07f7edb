"""Zip containers (.docx, .xlsx) rewritten deterministically: fixed dates, sorted members."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def normalise(data: bytes, core_date: datetime | None = None) -> bytes:
    """The same members, with [Content_Types].xml first, then sorted, dated 1980-01-01.

    python-docx and openpyxl stamp every member with the current time, so two runs on the same
    input would differ; rewritten this way they are byte-identical.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 0
                content = src.read(name)
                if core_date is not None and name == "docProps/core.xml":
                    content = _core_dates(content, core_date)
                dst.writestr(info, content)
    return out.getvalue()


def _core_dates(core_xml: bytes, when: datetime) -> bytes:
    """Every dcterms:created/modified in docProps/core.xml set to ``when``."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>" + stamp + rb"\g<2>",
        core_xml,
    )
