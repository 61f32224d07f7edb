"""A Word template as docxtpl will read it: the safety pre-flight of its zip, then each rendered
part as the Jinja source docxtpl builds, knowing the place (part, paragraph, cell) of every line."""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.oxml.parser import parse_xml  # python-docx's parser: no entities, no DTD, no network

from . import docx_render, render_worker
from .errors import DocgenError, Location, Problem

MAX_MEMBERS = 1000
MAX_MB = 50
MAX_RATIO = 100
RATIO_FROM = 2**20
"""Ratios are judged from 1 MB up: a few KB of repeated XML honestly compress 200:1, and the total
cap already bounds memory (Python's zipfile never inflates a member past its declared size)."""
SAVE_AS = "请用 Word 打开模板，另存为“Word 文档 (*.docx)”"
NOT_DOCX = f"不是有效的 Word 文件（.docx）：文件已损坏、不完整，或只是改了扩展名。{SAVE_AS}"
BOMB, BAD = "疑似“压缩炸弹”，已拒绝", "疑似损坏或恶意文件，已拒绝"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PKG = "{http://schemas.openxmlformats.org/package/2006/"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
P, TR, TC = W + "p", W + "tr", W + "tc"
BAD_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError)
READ_ERRORS = (*BAD_ZIP, OSError, SyntaxError)
"""What reading a broken zip raises: lxml's XMLSyntaxError is a SyntaxError, an encrypted member
raises RuntimeError, an unknown compression method NotImplementedError, and a member name flagged
UTF-8 that is not UTF-8 a UnicodeDecodeError, which is a ValueError (found by fuzz/template.py)."""
EXTERNAL = {
    "attachedTemplate": ("附加模板", "请在 Word 的“开发工具 → 文档模板”中去掉附加的模板"),
    "image": ("链接的图片", "请删除它，再用“插入 → 图片”嵌入（不要选“链接到文件”）"),
    "hyperlink": ("超链接", "请右键点击它，选“取消超链接”"),
}


def preflight(path: Path) -> list[Problem]:
    """Safety checks on the zip directory and raw parts, before python-docx parses anything."""
    try:
        with zipfile.ZipFile(path) as zf:
            problems = _size_problems(zf.infolist()) or _part_problems(zf)
    except FileNotFoundError:
        problems = [("", "找不到模板文件")]
    except READ_ERRORS:
        problems = [("", NOT_DOCX)]
    return [Problem(Location(path), part, message) for part, message in problems]


def _size_problems(infos: list[zipfile.ZipInfo]) -> list[tuple[str, str]]:
    """Zip bombs, judged from the central directory alone: nothing is inflated."""
    if len(infos) > MAX_MEMBERS:
        return [("", f"模板里有 {len(infos)} 个部件，超过上限 {MAX_MEMBERS}，{BAD}")]
    total = sum(i.file_size for i in infos) / 2**20
    problems = (
        [("", f"模板解压后有 {total:.0f} MB，超过上限 {MAX_MB} MB，{BOMB}")]
        if total > MAX_MB
        else []
    )
    for i in infos:
        ratio = i.file_size // max(i.compress_size, 1)
        if i.file_size >= RATIO_FROM and ratio > MAX_RATIO:
            problems.append((i.filename, f"压缩比 {ratio}:1，超过上限 {MAX_RATIO}:1，{BOMB}"))
    return problems


def _part_problems(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    why = "含有 DOCTYPE 声明（Word 从不写入；可用于 XXE 或实体炸弹攻击），已拒绝"
    xml = [n for n in zf.namelist() if n.lower().endswith((".xml", ".rels"))]
    problems = [(name, why) for name in xml if _has_doctype(zf, name)]
    if problems:  # nothing is parsed from a file that may carry entities
        return problems
    types = _content_types(zf)
    more = [n for n in zf.namelist() if n not in xml and _is_xml(types, n)]
    problems = [(name, why) for name in more if _has_doctype(zf, name)]
    problems = problems or [*_macros(zf, types), *_external(zf)]
    return problems or ([] if MAIN in types.values() else [("", NOT_DOCX)])


def _content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Content type by part name, and by ``*.ext`` for the defaults."""
    types = {}
    if "[Content_Types].xml" in zf.namelist():
        for el in parse_xml(zf.read("[Content_Types].xml")):
            name = el.get("PartName", "").lstrip("/") or "*." + el.get("Extension", "").lower()
            types[name] = el.get("ContentType", "")
    return types


def _is_xml(types: dict[str, str], name: str) -> bool:
    """A part python-docx may parse as XML whatever its name (an SVG picture it never parses)."""
    kind = types.get(name) or types.get("*." + name.rsplit(".", 1)[-1].lower(), "")
    return kind.endswith("xml") and not kind.startswith("image/")


def _has_doctype(zf: zipfile.ZipFile, name: str) -> bool:
    """Read in 1 MB chunks, so a big part is never held (or upper-cased) whole."""
    needles = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]
    tail = b""
    with zf.open(name) as member:
        while chunk := member.read(2**20):
            window = tail + chunk.upper()
            if any(needle in window for needle in needles):
                return True
            tail = window[-20:]
    return False


def _macros(zf: zipfile.ZipFile, types: dict[str, str]) -> list[tuple[str, str]]:
    """One problem for the first part holding or declaring macros (a .docm holds both)."""
    names = [n for n in zf.namelist() if n.lower().endswith("vbaproject.bin")]
    names += [n.removeprefix("*.") for n, t in types.items() if "macroenabled" in t.lower()]
    why = f"含有宏（VBA 代码），已拒绝：宏会随报告发给每位读者。{SAVE_AS}"
    return [(names[0], why)] if names else []


def _external(zf: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """Links Word follows when the generated report is opened (remote templates, linked images)."""
    for name in (n for n in zf.namelist() if n.lower().endswith(".rels")):
        for rel in parse_xml(zf.read(name)).iter(PKG + "relationships}Relationship"):
            if rel.get("TargetMode", "").lower() == "external":
                kind = rel.get("Type", "").rsplit("/", 1)[-1]
                what, fix = EXTERNAL.get(kind, ("外部链接", "请在 Word 中删除它"))
                target = rel.get("Target", "")[:80]
                yield (
                    name,
                    f"有{what}指向外部地址 {target}：Word 打开报告时会去访问它，已拒绝。{fix}",
                )


# --- the parts docxtpl renders, as Jinja sources that know where each line came from -------------

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
