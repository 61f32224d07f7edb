"""A Word template as docxtpl will read it, once docx_preflight has passed its zip: each rendered
part as the Jinja source docxtpl builds, knowing the place (part, paragraph, cell) of every line."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.oxml.parser import parse_xml  # python-docx's parser: no entities, no DTD, no network

from . import docx_render, render_worker
from .docx_preflight import preflight
from .docx_scan import NOT_DOCX
from .errors import DocgenError, Location, Problem

__all__ = ["NOT_DOCX", "Source", "Template", "preflight", "read"]

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
P, TR, TC = W + "p", W + "tr", W + "tc"
MARK = " {{#\n{}#}} "
"""A Jinja comment before every paragraph, row and cell: it survives docxtpl's patching (unlike the
elements a {%p %} or {%tr %} tag replaces) and renders to nothing. The newline gives it a line of
its own in Jinja's numbering; the spaces keep docxtpl from gluing it to a stray brace."""
MARKED = re.compile(r"\{#\n(\d+)#\}")
XML_TAG = re.compile(r"</?[\w.-]+:[\w.-]+(?:\s[^<>]*)?/?>")
PROPERTIES = {
    "title": "标题",
    "subject": "主题",
    "author": "作者",
    "comments": "备注",
    "identifier": "标识",
    "language": "语言",
}
"""The string document properties docxtpl renders, with Word's names for them."""


@dataclass(frozen=True)
class Source:
    """One rendered part (or document property): its Jinja source and where each line starts."""

    label: str
    part: Any
    text: str
    starts: tuple[tuple[int, str], ...] = ()

    def place(self, line: int | None) -> str:
        found = self.label
        for start, label in self.starts:
            if line is None or start > line:
                break
            found = label
        return found


@dataclass(frozen=True)
class Template:
    """A template read for linting. ``docx`` carries the place marks: render it only to try."""

    docx: Any
    sources: tuple[Source, ...]
    texts: tuple[tuple[str, str, str], ...]
    """(place, text after docxtpl's own run-joining, text as typed) of every paragraph and property."""


def read(path: Path) -> Template:
    """A template that passed the pre-flight, opened as docxtpl will render it."""
    try:
        return _read(docx_render.Template(str(path)))
    except (MemoryError, render_worker.Overrun):
        raise  # the render worker's bounds, not a broken file
    except Exception as exc:
        # python-docx meets a damaged package with whatever its code trips on, and loads parts
        # lazily, so not only when opening: fuzz/template.py found AttributeErrors for a .rels
        # part in another namespace and for a settings part of the wrong content type. Whatever
        # is raised while reading the package, the file is what is wrong.
        why = f"{type(exc).__name__}: {exc}"
        raise DocgenError([Problem(Location(path), "", f"{NOT_DOCX}（{why}）")]) from None


def _read(tpl: Any) -> Template:
    tpl.init_docx()
    parts, texts = [], []
    for label, part, root in list(_parts(tpl)):
        places = list(_places(root, label))
        texts += [(where, *_texts(tpl, el)) for el, where in places if el.tag == P]
        for number, (el, _) in enumerate(places, start=1):
            _before(el, MARK.format(number))
        parts.append((label, part, root, [label] + [where for _, where in places]))
    sources = [_source(tpl, *part) for part in parts]
    for key, name in PROPERTIES.items():
        value = getattr(tpl.docx.core_properties, key) or ""
        sources.append(Source(f"文档属性（{name}）", "core", value))
        texts.append((f"文档属性（{name}）", value, value))
    return Template(tpl, tuple(sources), tuple(texts))


def _parts(tpl: Any) -> Iterator[tuple[str, Any, Any]]:
    """(label, part, root element) of every XML part docxtpl renders, in its order."""
    yield "正文", tpl.docx.part, tpl.docx.element.body
    kinds = _header_kinds(tpl)
    for uri, name in ((tpl.HEADER_URI, "页眉"), (tpl.FOOTER_URI, "页脚")):
        for rel_id, part in tpl.get_headers_footers(uri):
            yield kinds.get(rel_id, "") + name, part, part.element
    for part in tpl.docx.part.package.iter_parts():
        if part.content_type == FOOTNOTES:  # a plain part: its blob is what docxtpl renders
            yield "脚注", part, parse_xml(part.blob)


def _header_kinds(tpl: Any) -> dict[str, str]:
    """Word's own names: 首页页眉, 偶数页页脚, 奇数页页脚 (odd and even pages differ), 第 2 节…"""
    odd = "奇数页" if tpl.docx.settings.odd_and_even_pages_header_footer else ""
    names = {"first": "首页", "even": "偶数页", "default": odd}
    sections = list(tpl.docx.element.body.iter(W + "sectPr"))
    kinds: dict[str, str] = {}
    for number, section in enumerate(sections, start=1):
        prefix = f"第 {number} 节" if len(sections) > 1 else ""
        for ref in section.iter(W + "headerReference", W + "footerReference"):
            kinds.setdefault(ref.get(R_ID), prefix + names.get(ref.get(W + "type"), ""))
    return kinds


def _places(root: Any, part: str) -> Iterator[tuple[Any, str]]:
    """Every paragraph, row and cell, with the place a Word user would look for it."""
    tables: dict[Any, int]
    count, tables = 0, {}
    for el in root.iter(P, TR, TC):
        cell = el if el.tag == TC else next(el.iterancestors(TC), None)
        row = el if el.tag == TR else (cell.getparent() if cell is not None else None)
        if row is None:
            # footnote separator lines are paragraphs too, but Word does not count them as notes
            count += 0 if any(n.get(W + "type") for n in el.iterancestors(W + "footnote")) else 1
            yield el, f"{part}第 {count} 段"
            continue
        table = tables.setdefault(next(row.iterancestors(W + "tbl")), len(tables) + 1)
        where = f"{part}表格 {table} 第 {_index(row)} 行"
        yield el, where if cell is None else f"{where}第 {_index(cell)} 列"


def _index(el: Any) -> int:
    return 1 + sum(1 for _ in el.itersiblings(el.tag, preceding=True))


def _before(el: Any, text: str) -> None:
    prev, parent = el.getprevious(), el.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _source(tpl: Any, label: str, part: Any, root: Any, labels: list[str]) -> Source:
    """The part exactly as docxtpl renders it: patched, then one paragraph per line."""
    if part.content_type == FOOTNOTES:
        part._blob = tpl.xml_to_string(root).encode("utf-8")  # carry the marks into the render
        xml = part.blob.decode("utf-8")
    else:
        xml = tpl.get_xml() if label == "正文" else tpl.get_part_xml(part)
    text = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
    starts, lines, counted = [], 0, 0
    for mark in MARKED.finditer(text):  # counted on from the last mark: a big part has 20,000
        lines += text.count("\n", counted, mark.start())
        counted = mark.start()
        starts.append((lines + 2, labels[int(mark[1])]))
    return Source(label, part, text, tuple(starts))


def _texts(tpl: Any, el: Any) -> tuple[str, str]:
    """A paragraph's text after docxtpl's own run-joining (patch_xml), and as typed."""
    patched = tpl.patch_xml(tpl.xml_to_string(el))
    return html.unescape(XML_TAG.sub("", patched)), "".join(el.itertext(W + "t"))
