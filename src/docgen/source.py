"""Strict YAML reading: every scalar stays the text that was typed, and every value keeps its line.

The file is read through userfiles (a regular file, under MAX_BYTES, never a FIFO or device),
decoded as UTF-8 with located hints for the usual wrong encodings, and built by yamlbuild:
no implicit typing, no aliases, tags or merge keys, duplicate keys reported, nesting and the
number of values capped as the parser goes. Then the strings are checked for characters and
IME slips that YAML accepts but that would print wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import userfiles, yamlbuild
from .cjkfold import fold_cjk as _fold_cjk
from .cjkfold import wide
from .errors import Collector, DocgenError, Location, Problem
from .yamlbuild import FieldPath, Span, field_name

__all__ = [
    "MAX_BYTES",
    "Document",
    "FieldPath",
    "Span",
    "_fold_cjk",
    "field_name",
    "iter_strings",
    "read",
    "read_strict",
]

MAX_BYTES = 4 * 1024 * 1024
"""Largest YAML file read: three times the 10,000-winner edition of bench/certificates.py
(1.24 MB). Parsing is ~0.1 s a MB; the value cap (yamlbuild.MAX_NODES) bounds the rest."""

# Characters XML 1.0 cannot carry (Word and HTML would drop or choke on them), plus bidi controls.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
_FULLWIDTH_COLON_KEY = re.compile(r"^\s*[a-z_][a-z0-9_]*\s*：")


@dataclass
class Document:
    """A YAML file read strictly: plain data plus the position of every key and value."""

    path: Path
    data: Any
    keys: dict[FieldPath, Span] = field(default_factory=dict)
    values: dict[FieldPath, Span] = field(default_factory=dict)
    raw_lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading that did not stop it (e.g. a duplicate key: the first wins)."""
    omitted: int = 0
    """Further such problems, past errors.MAX_PROBLEMS: counted, not listed."""

    def locate(self, path: FieldPath) -> Location:
        """Position of the value at ``path``, else its key, else the nearest enclosing value."""
        for probe in _prefixes(path):
            span = self.values.get(probe) or self.keys.get(probe)
            if span:
                return Location(self.path, span.line, span.column)
        return Location(self.path)

    def locate_key(self, path: FieldPath) -> Location:
        span = self.keys.get(path)
        return Location(self.path, span.line, span.column) if span else self.locate(path)

    def locate_char(self, path: FieldPath, index: int) -> Location:
        """Position of character ``index`` of the string at ``path``, exact for the usual styles."""
        span = self.values.get(path)
        text = _value_at(self.data, path)
        if span is None or not isinstance(text, str):
            return self.locate(path)
        if span.style in (None, "'") and "\n" not in text[:index]:
            return Location(self.path, span.line, span.column + index + (1 if span.style else 0))
        if span.style in ("|", ">"):
            return self._locate_in_block(span, text, index)
        return Location(self.path, span.line, span.column)

    def _locate_in_block(self, span: Span, text: str, index: int) -> Location:
        """Walk the block's source lines (after the `|` or `>` line) to the character's line."""
        consumed, previous = 0, ""
        for number in range(span.line + 1, len(self.raw_lines) + 1):
            raw = self.raw_lines[number - 1]
            piece = raw.strip()
            if previous and piece:
                joined = span.style == ">" and wide(previous[-1]) and wide(piece[0])
                consumed += 0 if joined else 1
            if piece and index < consumed + len(piece):
                indent = len(raw) - len(raw.lstrip(" "))
                return Location(self.path, number, indent + index - consumed + 1)
            consumed += len(piece)
            previous = piece or previous
        return Location(self.path, span.line, span.column)


def read(path: Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and build a YAML file.

    Raises DocgenError when the file cannot be read as YAML at all; problems that leave the data
    usable (duplicate keys, forbidden characters) are collected in ``Document.problems`` so that
    the caller can report them together with every schema error.
    """
    text = _decode(path, userfiles.read(path, max_bytes, what="YAML 文件"))
    lines = text.splitlines()
    problems = Collector()
    built = yamlbuild.build(path, text, lines, problems)
    doc = Document(path, built.data, built.keys, built.values, lines)
    _content_problems(doc, built.strings, problems)
    doc.problems, doc.omitted = problems.problems, problems.omitted
    return doc


def read_strict(path: Path) -> Document:
    """Like read(), but any problem at all is raised."""
    doc = read(path)
    if doc.problems:
        raise DocgenError(doc.problems, doc.omitted)
    return doc


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = "文件是 UTF-16 编码，请在编辑器中“另存为”UTF-8 编码"
        raise DocgenError([Problem(Location(path, 1), "", hint)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "文件不是 UTF-8 编码（可能是 GBK/ANSI），请在编辑器中“另存为”UTF-8 编码"
        raise DocgenError([Problem(Location(path, line), "", hint)]) from None


def _content_problems(
    doc: Document, strings: list[tuple[FieldPath, str]], problems: Collector
) -> None:
    """Characters and IME slips that YAML accepts but that would print wrong."""
    for path, text in strings:
        if match := _FORBIDDEN.search(text):
            problems.add(_unprintable, doc, path, match)
        if _FULLWIDTH_COLON_KEY.match(text) and doc.values[path].style is None:
            problems.add(_located, doc.locate, path, _FULLWIDTH_COLON)
    for path in doc.keys:
        key = path[-1]
        if isinstance(key, str) and key[:1] in ("\u3000", "\u00a0"):
            problems.add(_located, doc.locate_key, path, _WIDE_INDENT)


_FULLWIDTH_COLON = "这里用了全角冒号“：”；键名后面应是半角冒号加空格（“: ”）"
_WIDE_INDENT = "键名前有全角空格（U+3000）或不换行空格；YAML 缩进只能用半角空格"


def _located(locate: Callable[[FieldPath], Location], path: FieldPath, message: str) -> Problem:
    return Problem(locate(path), field_name(path), message)


def _unprintable(doc: Document, path: FieldPath, match: re.Match[str]) -> Problem:
    char = match.group()
    msg = f"含有不可打印的字符 U+{ord(char):04X}（{unicodedata.name(char, '控制字符')}），请删除它"
    return Problem(doc.locate_char(path, match.start()), field_name(path), msg)


def iter_strings(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string value in the data, with its path (keys are not included)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _prefixes(path: FieldPath) -> Iterator[FieldPath]:
    for end in range(len(path), -1, -1):
        yield path[:end]
