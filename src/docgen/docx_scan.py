"""Each XML part of a Word template read once, as text, before python-docx parses anything: its
encoding and DTDs checked, then what linting and rendering it will cost counted, and its fields."""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from . import docx_fields

KB, MB = 2**10, 2**20
MAX_XML = 8 * MB
"""Any one XML part. The largest Word writes are the styles (0.35 MB in report.docx, 1 to 2 MB in
templates that carry every built-in style) and a long document's body."""
MAX_BRACES = 4000
"""Every Jinja tag holds a "{" however Word splits it into runs, so counting "{" misses none
(report.docx has 149). 2,000 tags cost the lint about 2 s."""
MAX_ELEMENTS = 500_000
"""XML elements in all parts together (report.docx has about 19,000; a 100-page report about
100,000): what python-docx and lxml hold in memory."""
MAX_PARAGRAPHS = 5000
"""Paragraphs, table rows and cells in the parts docxtpl renders (report.docx has 85): the lint
places each one and re-reads each paragraph, about 0.5 to 1 ms apiece."""
MAX_REACH = 4 * MB
"""Characters from each tag's opening to its closing mark, all tags together. docxtpl and the lint
find a tag's end with patterns such as ``{{.*?}}``, and the end of a ``-%}`` with another: a tag
never closed sends them to the end of the part, once per tag. 1,000 of them before 0.9 MB of text
cost docxtpl 45 s; 4 MB of reach costs it about 1.2 s."""
SAVE_AS = "请用 Word 打开模板，另存为“Word 文档 (*.docx)”"
NOT_DOCX = f"不是有效的 Word 文件（.docx）：文件已损坏、不完整，或只是改了扩展名。{SAVE_AS}"
BAD = "疑似损坏或恶意文件，已拒绝"
DTD = "含有 {} 声明（Word 从不写入；可用于 XXE 或实体炸弹攻击），已拒绝"
ENCODING = f"部件不是 UTF-8 编码（{{}}），Word 不会这样保存，已拒绝。{SAVE_AS}"
SMALLER = "已拒绝：模板里只需要报告的版式和标签，请删去多余的内容"
TOTALS = {
    "braces": (
        MAX_BRACES,
        "模板中共有 {} 个“{{”（每个 {{{{ }}}}、{{% %}}、{{# #}} 标签至少有一个）",
        BAD,
    ),
    "elements": (MAX_ELEMENTS, "模板中共有 {} 个 XML 元素", BAD),
    "paragraphs": (MAX_PARAGRAPHS, "正文、页眉、页脚等处共有 {} 个段落、表格行和单元格", SMALLER),
    "reach": (
        MAX_REACH,
        "没写完的标签太多：从标签的开头（{{{{、{{% 或 {{#）到它的结尾，共有 {} 个字符",
        "检查和生成会因此慢到几分钟，已拒绝。请在 Word 中补全或删除没写完的标签",
    ),
}
SNIFF = (
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (b"\0\0\0<", "UTF-32"),
    (b"<\0\0\0", "UTF-32"),
    (b"\0\0<\0", "UCS-4"),
    (b"\0<\0\0", "UCS-4"),
    (b"\0<\0?", "utf-16-be"),
    (b"<\0?\0", "utf-16-le"),
    (b"Lo\xa7\x94", "EBCDIC"),
)
"""XML 1.0 Appendix F: a part's encoding from its first four bytes (else UTF-8, or its declaration).
Only the Python codecs here (UTF-8, UTF-16) are read; the rest are named in the refusal."""
DECLARED = re.compile(r"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)")
MARKUP_DECLARATION = re.compile(r"<!(?!--|\[CDATA\[)(\w*)")
"""``<!DOCTYPE``, ``<!ENTITY``, ``<!ELEMENT``…: everything after ``<!`` but comments and CDATA."""
CHAR_REF = re.compile(r"&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
JOINED = re.compile(r"(?<={)(<[^>]*>)+(?=[{%#])|(?<=[%}#])(<[^>]*>)+(?=})")
"""docxtpl's first step: a brace, Word's run marks, a brace make one tag mark."""
TRIGGERS = re.compile(r"\{([{%#])|(-%\})")
ENDS = {"{": re.compile(r"\}\}"), "%": re.compile(r"%\}"), "#": re.compile(r"#\}")}
AFTER_TRIM = re.compile(r"<w:t[ >]|\{%|\{\{")
"""Where docxtpl's pattern for ``-%}`` stops scanning."""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class Scan:
    """The XML parts read so far: what each costs, and the problems of their fields. ``story``
    names (in lower case) the parts docxtpl renders, once the package says which they are."""

    zf: zipfile.ZipFile
    story: set[str] = field(default_factory=set)
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in TOTALS})
    fields: list[tuple[str, str]] = field(default_factory=list)

    def read(self, names: list[str]) -> list[tuple[str, str]]:
        """The size, encoding and DTD problems of ``names``; the rest is counted."""
        problems = []
        for name in names:
            if (size := self.zf.getinfo(name).file_size) > MAX_XML:
                problems.append((name, too_big("这个 XML 部件", size, MAX_XML)))
                continue
            data = self.zf.read(name)
            text, why = xml_text(data)
            if why:
                problems.append((name, why))
                continue
            try:
                self._count(name, data, text)
            except etree.XMLSyntaxError as exc:  # lxml's words name the line and column
                problems.append((name, f"{NOT_DOCX}（{exc}）"))
        return problems

    def _count(self, name: str, data: bytes, text: str) -> None:
        self.counts["braces"][name] = _unescaped(text).count("{")
        self.counts["elements"][name] = text.count("<") - text.count("</")
        if any(sum(self.counts[k].values()) > TOTALS[k][0] for k in ("braces", "elements")):
            return  # refused as it is: nothing more is parsed
        story = name.lower() in self.story
        if not (story or docx_fields.mentioned(text)):
            return
        root = etree.fromstring(data, SAFE)
        self.fields += docx_fields.problems(name, root)
        if story:
            self.counts["paragraphs"][name] = sum(1 for _ in root.iter(W + "p", W + "tr", W + "tc"))
            spent = sum(self.counts["reach"].values())
            xml = JOINED.sub("", etree.tostring(root, encoding="unicode"))  # as docxtpl sees it
            self.counts["reach"][name] = reach(xml, max(MAX_REACH - spent, 0))

    def totals(self) -> list[tuple[str, str]]:
        """Too much of one thing in all parts together, located at the part with the most."""
        problems = []
        for kind, (cap, what, then) in TOTALS.items():
            counts = self.counts[kind]
            if (total := sum(counts.values())) > cap:
                most = max(counts, key=counts.__getitem__)
                problems.append((most, f"{what.format(total)}，超过上限 {cap}，{then}"))
        return problems


def xml_text(data: bytes) -> tuple[str, str]:
    """(text, "") of a UTF-8 or UTF-16 XML part without DTD, or ("", why it is refused)."""
    codec = next((name for bom, name in SNIFF if data.startswith(bom)), "utf-8")
    if not codec.islower():  # a name, not one of the codecs read
        return "", ENCODING.format(f"是 {codec}")
    declared = DECLARED.match(data[:256].decode(codec, "replace"))  # before any bad byte
    family = "utf16" if codec.startswith("utf-16") else "utf8"
    if declared and declared[1].lower().replace("-", "").replace("_", "") != family:
        return "", ENCODING.format(f"声明为 {declared[1][:20]}")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return "", ENCODING.format("含有无效的字节")
    if "\0" in text:  # never in XML: bytes of a wider encoding read as UTF-8
        return "", ENCODING.format("含有空字符")
    if found := MARKUP_DECLARATION.search(text):
        return "", DTD.format(found[1] or "<!")
    return text, ""


def reach(text: str, budget: int) -> int:
    """How far docxtpl's patterns scan from each tag opening (and each ``-%}``) to where they
    stop, all together; counting stops once past ``budget``."""
    total = 0
    for found in TRIGGERS.finditer(text):
        start = found.end()
        limit = min(len(text), start + budget - total + 1)
        end = (ENDS[found[1]] if found[1] else AFTER_TRIM).search(text, start, limit)
        total += (end.start() if end else limit) - start
        if total > budget:
            break
    return total


def too_big(what: str, size: int, cap: int, then: str = BAD) -> str:
    return f"{what}解压后有 {_size(size)}，超过上限 {_size(cap)}，{then}"


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{max(n // KB, 1)} KB"


def _unescaped(text: str) -> str:
    """``text`` with character references such as ``&#123;`` (a "{") as the characters."""
    if "&#" not in text:
        return text
    return CHAR_REF.sub(lambda m: _char(int(m[1], 16) if m[1] else int(m[2])), text)


def _char(code: int) -> str:
    return chr(code) if code < 0x110000 else ""
