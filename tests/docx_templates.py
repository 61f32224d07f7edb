"""Broken copies of templates/docx/report.docx for the lint tests: edited with python-docx as the
office would in Word, or rewritten inside the zip for the hostile files Word never writes."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.text.paragraph import Paragraph

from docgen.outputs import report

Edit = Callable[[DocumentObject], None]
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def edited(folder: Path, edit: Edit) -> Path:
    doc = Document(str(report.TEMPLATE))
    edit(doc)
    path = folder / "report.docx"
    doc.save(str(path))
    return path


def retyped(doc: DocumentObject, find: str, *runs: str) -> str:
    """Replace the text of the first paragraph (body or table cell) containing ``find`` by
    ``runs``, one Word run each, and return the place lint reports for it.

    The place is recomputed from the file, so the tests do not depend on the template's layout.
    """
    for n, paragraph in enumerate(doc.paragraphs, start=1):
        if find in paragraph.text:
            _set_runs(paragraph, runs)
            return f"正文第 {n} 段"
    for t, table in enumerate(doc.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if find in cell.text:
                    _set_runs(cell.paragraphs[0], runs)
                    return f"正文表格 {t} 第 {r} 行第 {c} 列"
    raise AssertionError(f"{find!r} is not in {report.TEMPLATE}")


def _set_runs(paragraph: Paragraph, runs: tuple[str, ...]) -> None:
    paragraph.clear()
    for text in runs:
        paragraph.add_run(text)


def rewritten(
    path: Path,
    replace: dict[str, Callable[[bytes], bytes]] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """The shipped template with some zip members rewritten and some added, as is."""
    replace = replace or {}
    with zipfile.ZipFile(report.TEMPLATE) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, replace.get(info.filename, lambda d: d)(data))
        for name, data in (add or {}).items():
            dst.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


def with_doctype(dtd: bytes, text: bytes) -> Callable[[bytes], bytes]:
    """word/document.xml with ``dtd`` after its XML declaration and the title tag replaced."""

    def change(data: bytes) -> bytes:
        head, _, rest = data.partition(b"?>")
        return head + b"?>" + dtd + rest.replace(b"{{ report.title }}", text, 1)

    return change


def zip_bomb(path: Path, megabytes: int = 400) -> Path:
    """The template plus a member of zeros that inflates to ``megabytes`` MB: about 2 MB on disk,
    streamed into the zip 1 MB at a time, so building it is cheap."""
    rewritten(path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("word/media/image9.png", "w", force_zip64=True) as member,
    ):
        for _ in range(megabytes):
            member.write(bytes(2**20))
    return path


def external(kind: str, target: str, rid: str = "rId90") -> bytes:
    """A relationship Word follows when the document is opened (TargetMode="External")."""
    return (
        f'<Relationship Id="{rid}" Type="{RELS}/{kind}" Target="{target}" TargetMode="External"/>'
    ).encode()


def related(*rels: bytes) -> Callable[[bytes], bytes]:
    """A .rels part with ``rels`` added at its end."""
    return lambda data: data.replace(b"</Relationships>", b"".join(rels) + b"</Relationships>")


RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b"</Relationships>"
)
