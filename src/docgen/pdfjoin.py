"""Joining PDF files page by page, one file at a time.

pikepdf (qpdf) joins files by holding every object of every part and of the result in memory:
~400 MB for 10 000 certificate sheets, the peak of a large run (bench/README.md). Here each part is
opened, the objects its pages reach are written out under new numbers, and the part is closed
before the next is opened, so memory is that of one part whatever the count. Streams are copied
as they are stored (still compressed), never decoded.

The parts are docgen's own chunk files. What a page inherits from its page tree (resources, boxes,
rotation) is on the page already: qpdf's page list pushes it down to the pages when it is read.
The first part's document information and language are kept;
the rest of each part's catalogue (outlines, structure tree) is left behind, as pikepdf's
``pages.extend`` leaves it.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf


def join(parts: list[Path], target: Path) -> None:
    """Write the pages of ``parts``, in order, as one PDF at ``target``."""
    if not parts:
        raise ValueError("nothing to join")
    with target.open("wb") as out:
        writer = _Writer(out)
        tree = writer.reserve()
        kids: list[int] = []
        catalog_extra: dict[str, bytes] = {}
        info = 0  # set from the first part
        for n, part in enumerate(parts):
            with pikepdf.open(part) as pdf:
                if n == 0:
                    writer.start(pdf.pdf_version)
                    info, catalog_extra = _document_level(writer, pdf)
                kids += _copy_pages(writer, pdf, tree)
        refs = b" ".join(b"%d 0 R" % kid for kid in kids)
        writer.write(tree, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), refs))
        entries = b"".join(b" %s %s" % (k.encode(), v) for k, v in catalog_extra.items())
        root = writer.add(b"<< /Type /Catalog /Pages %d 0 R%s >>" % (tree, entries))
        writer.finish(root, info)


def _document_level(writer: _Writer, pdf: pikepdf.Pdf) -> tuple[int, dict[str, bytes]]:
    """The first part's document information (as a new object) and its language."""
    copier = _Copier(writer)
    info = copier.value(pdf.docinfo) if "/Info" in pdf.trailer else b"<< >>"
    extra = {"/Lang": copier.value(pdf.Root.Lang)} if "/Lang" in pdf.Root else {}
    copier.drain()
    return writer.add(info), extra


def _copy_pages(writer: _Writer, pdf: pikepdf.Pdf, tree: int) -> list[int]:
    copier = _Copier(writer, tree)
    numbers = []
    for page in pdf.pages:
        numbers.append(copier.number(page.obj))
        copier.pages.add(page.obj.objgen)
    copier.drain()
    return numbers


class _Copier:
    """Copies the objects one part's pages reach, numbering them in the joined file."""

    def __init__(self, writer: _Writer, parent: int = 0) -> None:
        self.writer = writer
        self.parent = parent  # the joined file's page tree, the new /Parent of every page
        self.numbers: dict[tuple[int, int], int] = {}
        self.queue: deque[pikepdf.Object] = deque()
        self.pages: set[tuple[int, int]] = set()

    def number(self, obj: pikepdf.Object) -> int:
        """The joined file's number for an indirect object, queued for writing the first time."""
        key = obj.objgen
        if key not in self.numbers:
            self.numbers[key] = self.writer.reserve()
            self.queue.append(obj)
        return self.numbers[key]

    def drain(self) -> None:
        while self.queue:
            obj = self.queue.popleft()
            number = self.numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                head = self._dictionary(obj, skip=("/Length",), extra={"/Length": b"%d" % len(raw)})
                self.writer.write(number, head + b"\nstream\n" + raw + b"\nendstream")
            elif obj.objgen in self.pages:
                parent = {"/Parent": b"%d 0 R" % self.parent}
                self.writer.write(number, self._dictionary(obj, skip=("/Parent",), extra=parent))
            else:
                self.writer.write(number, self.value(obj))

    def direct(self, value: Any) -> bytes:
        """A value written in place: a reference if it is an indirect object."""
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return b"%d 0 R" % self.number(value)
        return self.value(value)

    def value(self, value: Any) -> bytes:
        """A value written out in full; the indirect objects inside it become references."""
        if value is None:
            return b"null"
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal):
            return _real(value)
        if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
            return self._dictionary(value)
        if isinstance(value, pikepdf.Array):
            return b"[" + b" ".join(self.direct(item) for item in value) + b"]"
        return bytes(value.unparse())

    def _dictionary(
        self,
        obj: pikepdf.Object,
        skip: Iterable[str] = (),
        extra: dict[str, bytes] | None = None,
    ) -> bytes:
        keys = sorted(set(obj.keys()) - set(skip))  # the same order every run
        entries = [_name(key) + b" " + self.direct(obj[key]) for key in keys]
        entries += [_name(key) + b" " + value for key, value in (extra or {}).items()]
        return b"<< " + b" ".join(entries) + b" >>"


def _name(key: str) -> bytes:
    return bytes(pikepdf.Name(key).unparse())


def _real(value: Decimal) -> bytes:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text not in ("", "-", "-0") else "0").encode()


class _Writer:
    """Objects written as they come, with their offsets for the cross-reference table."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: list[int] = [0]  # object 0 is the head of the free list
        self.position = 0
        self.digest = hashlib.md5(usedforsecurity=False)

    def start(self, version: str) -> None:
        self._emit(b"%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n" % version.encode())

    def reserve(self) -> int:
        self.offsets.append(-1)
        return len(self.offsets) - 1

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.write(number, body)
        return number

    def write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self._emit(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def finish(self, root: int, info: int) -> None:
        missing = [n for n, offset in enumerate(self.offsets) if offset < 0]
        if missing:
            raise RuntimeError(f"objects reserved but never written: {missing[:5]}")
        start = self.position
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % o for o in self.offsets[1:]]
        self._emit(b"xref\n0 %d\n" % len(self.offsets) + b"".join(rows))
        file_id = self.digest.hexdigest().encode()  # from the content: the same input, the same ID
        self._emit(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            % (len(self.offsets), root, info, file_id, file_id)
        )
        self._emit(b"startxref\n%d\n%%%%EOF\n" % start)

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)
