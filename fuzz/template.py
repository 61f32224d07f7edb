"""Fuzz the Word template pre-flight and lint: mutated .docx files through
docx_template.preflight, then (when it finds nothing) docx_lint.examine, as `docgen check` runs
them. examine is lint's work in this process: lint runs it in the render worker, a forked child
whose coverage libFuzzer would not see (fuzz/render.py goes through the worker).

The pre-flight may only return problems; lint may only return problems or raise DocgenError.
Anything else is a bug. A structure-aware mutator (as OSS-Fuzz's python-docx fuzzer does) mostly
mutates one part inside the zip and re-zips it, so inputs get past the zip's checksums into the
XML; now and then it mutates the raw bytes. Run with `make fuzz`, or by hand:

    python fuzz/template.py out/fuzz/template fuzz/corpus/template -max_total_time=60 -max_len=300000
"""

from __future__ import annotations

import atexit
import contextlib
import io
import random
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from docgen import docx_lint, docx_template, edition
from docgen.errors import DocgenError
from docgen.outputs import report

MINIMAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "minimal" / "edition.yaml"
MAX_UNZIPPED = 5 * 2**20


@cache
def _target() -> tuple[Path, edition.Loaded]:
    """Where each input is written, and the edition lint checks it against."""
    folder = Path(tempfile.mkdtemp(prefix="docgen-fuzz-template-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder / "report.docx", edition.load(MINIMAL)


def one_input(data: bytes) -> None:
    path, loaded = _target()
    path.write_bytes(data)
    if docx_template.preflight(path):
        return
    with docx_lint.filled(loaded) as sample, contextlib.suppress(DocgenError):
        docx_lint.examine(path, report.template_context(sample))


def members(data: bytes) -> dict[str, bytes] | None:
    """The parts of a zip, or None when it is not one we can take apart cheaply."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                return None
            return {i.filename: zf.read(i) for i in infos}
    except Exception:
        return None


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def mutate(data: bytes, max_size: int, seed: int) -> bytes:
    import atheris

    rng = random.Random(seed)  # noqa: S311 - picks the part to mutate; nothing secret
    parts = members(data)
    if parts is None or not parts or rng.random() < 0.1:
        return bytes(atheris.Mutate(data, max_size))
    name = rng.choice(sorted(parts))
    parts[name] = bytes(atheris.Mutate(parts[name], len(parts[name]) * 2 + 64))
    out = zipped(parts)
    return out if len(out) <= max_size else bytes(atheris.Mutate(data, max_size))


FIELDS = (
    b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    b'<w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>'
    b'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PA</w:instrText></w:r>'
    b'<w:r><w:instrText>GE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    b'<w:r><w:instrText xml:space="preserve"> = 1 "a" "b" </w:instrText></w:r>'
    b'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>a</w:t></w:r>'
    b'<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    b'<w:fldSimple w:instr=" HYPERLINK \\l &quot;_Toc1&quot; "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
)
"""Allowed fields, nested and split over runs, so that mutations reach the field reader."""


def seeds() -> Iterator[tuple[str, bytes]]:
    """The seed corpus: the shipped template, one with fields, and a few broken ones."""
    good = report.TEMPLATE.read_bytes()
    yield "report.docx", good
    parts = members(good) or {}
    body = parts.get("word/document.xml", b"")
    end = body.rfind(b"<w:sectPr")
    yield "fields.docx", zipped({**parts, "word/document.xml": body[:end] + FIELDS + body[end:]})
    yield "no-document.docx", zipped({k: v for k, v in parts.items() if k != "word/document.xml"})
    yield "not-a-zip.docx", "这是一段文字，不是 Word 文件".encode()


if __name__ == "__main__":
    from libfuzzer import fuzz  # fuzz/ is sys.path[0] when a harness runs as a script

    fuzz(one_input, custom_mutator=mutate)
