"""The safety pre-flight of a Word template's zip, before python-docx parses a byte: zip bombs, part
sizes, encodings, DTDs, the number of Jinja tags and XML elements, macros, and everything Word would
fetch or run when the report is opened."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from .docx_scan import BAD, KB, MB, NOT_DOCX, SAFE, SAVE_AS, SMALLER, Scan, too_big
from .errors import Location, Problem

MAX_MEMBERS = 1000
MAX_MB = 50
MAX_RATIO = 100
RATIO_FROM = MB
"""Ratios are judged from 1 MB up: a few KB of repeated XML honestly compress 200:1, and the total
cap already bounds memory (Python's zipfile never inflates a member past its declared size)."""
CAPS = {
    "document": ("正文", 1 * MB),
    "header": ("页眉", 128 * KB),
    "footer": ("页脚", 128 * KB),
    "footnotes": ("脚注", 512 * KB),
    "endnotes": ("尾注", 512 * KB),
    "comments": ("批注", 512 * KB),
    "core-properties": ("文档属性", 64 * KB),
}
"""The parts docxtpl renders (and those like them), by what their relationship or content type
says they are. Word writes 20 to 40 KB of body a page (report.docx: 9 KB), a header or footer of
1 to 20 KB (a logo is a picture part of its own), properties of about 1 KB. The lint costs about
4 s a megabyte of them."""
MAX_STORY = 2 * MB
"""All the parts docxtpl renders together."""
ROLES = {"officeDocument": "document", "template": "document"}
"""Other names of the main document: its relationship type, a .dotx's content type."""
BOMB = "疑似“压缩炸弹”，已拒绝"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PKG = "{http://schemas.openxmlformats.org/package/2006/"
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
ALT_CHUNK = (
    "有 altChunk（另一个文件的内容，Word 打开时才转换插入；Word 自己从不这样保存），已拒绝。"
    + SAVE_AS
)


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
    total = sum(i.file_size for i in infos) / MB
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
    """The package's own parts first (each parsed only once it is known clean), then the parts'
    sizes for what they are, then every other XML part; nothing more once one is refused."""
    scan = Scan(zf)
    package = [
        n for n in zf.namelist() if n == "[Content_Types].xml" or n.lower().endswith(".rels")
    ]
    if problems := scan.read(package) or scan.totals():
        return problems
    types, rels = _content_types(zf), _relationships(zf)
    caps = _caps(zf, types, rels)
    if problems := _story_problems(zf, caps):
        return problems
    scan.story = set(caps)
    rest = [
        n for n in zf.namelist() if n not in package and (_is_xml(types, n) or n.lower() in caps)
    ]
    if problems := scan.read(rest) or scan.totals():
        return problems
    problems = [*_macros(zf, types), *_external(rels), *scan.fields]
    return problems or ([] if MAIN in types.values() else [("", NOT_DOCX)])


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Content type by lower-case part name (python-docx looks them up so), and by ``*.ext`` for
    the defaults."""
    types = {}
    if "[Content_Types].xml" in zf.namelist():
        root = etree.fromstring(zf.read("[Content_Types].xml"), SAFE)
        for el in root.iterchildren(etree.Element):
            name = el.get("PartName", "").lstrip("/") or "*." + el.get("Extension", "")
            types[name.lower()] = el.get("ContentType", "")
    return types


def _content_type(types: dict[str, str], name: str) -> str:
    return types.get(name.lower()) or types.get("*." + name.rsplit(".", 1)[-1].lower(), "")


def _is_xml(types: dict[str, str], name: str) -> bool:
    """A part python-docx may parse as XML whatever its name (an SVG picture it never parses)."""
    kind = _content_type(types, name)
    return _is_xml_name(name) or (kind.endswith("xml") and not kind.startswith("image/"))


Relationship = tuple[str, Any]
"""The .rels part a relationship is in, and its element."""


def _relationships(zf: zipfile.ZipFile) -> list[Relationship]:
    names = [n for n in zf.namelist() if n.lower().endswith(".rels")]
    return [
        (name, rel)
        for name in names
        for rel in etree.fromstring(zf.read(name), SAFE).iter(PKG + "relationships}Relationship")
    ]


def _caps(
    zf: zipfile.ZipFile, types: dict[str, str], rels: list[Relationship]
) -> dict[str, tuple[str, int]]:
    """The cap of each part docxtpl may render, by lower-case name: a header is a header by its
    relationship type (how docxtpl finds it) or its content type, given or by default (how
    python-docx reads it), and the smaller cap wins."""
    caps: dict[str, tuple[str, int]] = {}
    named = [(n, _content_type(types, n)) for n in zf.namelist()]
    named += [(_target(src, rel), rel.get("Type", "")) for src, rel in rels]
    for name, kind in named:
        if cap := CAPS.get(_kind(kind)):
            caps[name.lower()] = min(caps.get(name.lower(), cap), cap, key=lambda c: c[1])
    return caps


def _story_problems(zf: zipfile.ZipFile, caps: dict[str, tuple[str, int]]) -> list[tuple[str, str]]:
    """Rendered parts over their cap, one by one and together, from the zip's directory."""
    sizes = {i.filename: i.file_size for i in zf.infolist() if i.filename.lower() in caps}
    problems = []
    for name, size in sizes.items():
        what, cap = caps[name.lower()]
        if size > cap:
            problems.append((name, too_big(what, size, cap, SMALLER)))
    if (total := sum(sizes.values())) > MAX_STORY:
        problems.append(("", too_big("正文、页眉、页脚等处合计", total, MAX_STORY, SMALLER)))
    return problems


def _kind(kind: str) -> str:
    """``header`` from …/relationships/header and from ….wordprocessingml.header+xml."""
    last = kind.removesuffix("+xml").removesuffix(".main").rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    return ROLES.get(last, last)


def _target(source: str, rel: Any) -> str:
    """The part a relationship in ``source`` (``word/_rels/document.xml.rels``) points to."""
    target = rel.get("Target", "")
    folder = posixpath.dirname(posixpath.dirname(source))
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def _macros(zf: zipfile.ZipFile, types: dict[str, str]) -> list[tuple[str, str]]:
    """One problem for the first part holding or declaring macros (a .docm holds both)."""
    names = [n for n in zf.namelist() if n.lower().endswith("vbaproject.bin")]
    names += [n.removeprefix("*.") for n, t in types.items() if "macroenabled" in t.lower()]
    why = f"含有宏（VBA 代码），已拒绝：宏会随报告发给每位读者。{SAVE_AS}"
    return [(names[0], why)] if names else []


def _external(rels: list[Relationship]) -> Iterator[tuple[str, str]]:
    """Links Word follows when the generated report is opened (remote templates, linked images),
    and content Word converts only then (altChunk, even inside the package)."""
    for name, rel in rels:
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if kind.lower() == "afchunk":
            yield (name, ALT_CHUNK)
        elif rel.get("TargetMode", "").lower() == "external":
            what, fix = EXTERNAL.get(kind, ("外部链接", "请在 Word 中删除它"))
            target = rel.get("Target", "")[:80]
            yield (name, f"有{what}指向外部地址 {target}：Word 打开报告时会去访问它，已拒绝。{fix}")
