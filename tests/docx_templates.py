"""Broken copies of templates/docx/report.docx for the lint tests: edited with python-docx as the
office would in Word, or rewritten inside the zip for the hostile files Word never writes."""

from __future__ import annotations

import base64
import random
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


# --- parts added to the body and the package ------------------------------------------------------

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOC_RELS, TYPES = "word/_rels/document.xml.rels", "[Content_Types].xml"
HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def in_body(xml: bytes) -> Callable[[bytes], bytes]:
    """word/document.xml with ``xml`` (paragraphs, tables) added at the end of the body."""

    def change(data: bytes) -> bytes:
        end = data.rindex(b"<w:sectPr")
        return data[:end] + xml + data[end:]

    return change


def declared(*overrides: tuple[str, str]) -> Callable[[bytes], bytes]:
    """[Content_Types].xml with an Override for each (part name, content type)."""
    xml = "".join(
        f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides
    )
    return lambda data: data.replace(b"</Types>", xml.encode() + b"</Types>")


def headers(path: Path, count: int, size: int) -> Path:
    """The template with ``count`` headers of ``size`` bytes each, related from the body as docxtpl
    finds them, each paragraph one tag: about 7 KB zipped a megabyte, under the ratio cap."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {W_NS}>'.encode()
    para = b"<w:p><w:r><w:t>{{ report.title }}</w:t></w:r></w:p>"
    xml = head + para * ((size - len(head) - 8) // len(para)) + b"</w:hdr>"
    names = [f"header{90 + n}.xml" for n in range(count)]
    rels = [
        f'<Relationship Id="rId{n}" Type="{RELS}/header" Target="{n}"/>'.encode() for n in names
    ]
    return rewritten(
        path,
        {DOC_RELS: related(*rels), TYPES: declared(*((f"word/{n}", HEADER) for n in names))},
        {f"word/{n}": xml for n in names},
    )


def noise(size: int) -> bytes:
    """``size`` letters that do not compress (so no ratio cap refuses them), the same every run."""
    seeded = random.Random(size)  # noqa: S311 - repeatable filler, nothing secret
    return base64.b64encode(seeded.randbytes(size * 3 // 4))[:size]


# --- Word fields (域) ------------------------------------------------------------------------------


def field(*instruction: str | bytes, result: str = "1") -> bytes:
    """A complex field as Word writes it: each text one run of the instruction (Word splits it as
    it likes), each bytes a field nested in it."""
    runs = b"".join(
        part
        if isinstance(part, bytes)
        else f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>'.encode()
        for part in instruction
    )
    return (
        b'<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + runs
        + b'<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'.encode()
    )  # fmt: skip


def simple_field(instruction: str) -> bytes:
    return f'<w:fldSimple w:instr="{instruction}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'.encode()


def paragraph(*runs: bytes) -> bytes:
    return b"<w:p>" + b"".join(runs) + b"</w:p>"
