"""The Word template's pre-flight, for what acts when the report is opened (fields, linked objects),
every XML encoding a DTD can hide in, and what a template may cost the lint and the render: each
hostile file refused with an exact, located message, cheaply."""

from __future__ import annotations

import codecs
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from docgen import docx_fields, docx_lint, docx_template, edition
from docgen.outputs import report

from .bounded import MAX_RSS_MB, Run, docgen
from .conftest import MINIMAL
from .docx_templates import (
    DOC_RELS,
    RELS,
    TYPES,
    external,
    field,
    headers,
    in_body,
    noise,
    paragraph,
    related,
    rewritten,
    simple_field,
)

DOCUMENT, FOOTER = "word/document.xml", "word/footer1.xml"
SAVE_AS = "请用 Word 打开模板，另存为“Word 文档 (*.docx)”"
FIX = "请在 Word 中按 Alt+F9 显示域代码，删除这个域（再按 Alt+F9 恢复）"
FETCH = "Word 打开或更新报告时会去读取外部文件或网址"
RUNS = "Word 打开报告时会启动另一个程序（可被用来运行任意命令）"
UNNEEDED = "生成的报告用不到这种域"
DTD = "含有 {} 声明（Word 从不写入；可用于 XXE 或实体炸弹攻击），已拒绝"
ENCODING = f"部件不是 UTF-8 编码（{{}}），Word 不会这样保存，已拒绝。{SAVE_AS}"
BAD = "疑似损坏或恶意文件，已拒绝"
SMALLER = "已拒绝：模板里只需要报告的版式和标签，请删去多余的内容"


def preflight(path: Path) -> list[str]:
    return [str(p).split(".docx: ", 1)[1] for p in docx_template.preflight(path)]


def body_refused(folder: Path, change: Callable[[bytes], bytes], message: str) -> None:
    """word/document.xml changed by ``change`` gets exactly ``message``, located at the part."""
    path = rewritten(folder / "report.docx", {DOCUMENT: change})
    assert preflight(path) == [f"{DOCUMENT}: {message}"]


def refused(code: str, why: str, part: str = DOCUMENT) -> str:
    return f"{part}: 有 Word 域“{code}”：{why}，已拒绝。{FIX}"


# --- fields: an allow-list, every other field refused wherever it is --------------------------------

FORBIDDEN = {
    "DDEAUTO": (r'DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"', RUNS),
    "DDE": (r'DDE excel "c:\\x.xls" "r1c1"', RUNS),
    "INCLUDEPICTURE": (r'INCLUDEPICTURE "http://example.com/p.png" \d', FETCH),
    "INCLUDETEXT": ('INCLUDETEXT "http://example.com/a.docx"', FETCH),
    "INCLUDE": (r'INCLUDE "c:\\secret.docx"', FETCH),
    "IMPORT": ('IMPORT "http://example.com/p.wmf"', FETCH),
    "LINK": (r'LINK Excel.Sheet.8 "\\\\host\\share\\x.xls" "" \a', FETCH),
    "DATABASE": (r'DATABASE \d "c:\\x.mdb" \s "select *"', FETCH),
    "RD": ('RD "http://example.com/x.docx"', FETCH),
    "HYPERLINK": ('HYPERLINK "http://example.com/"', FETCH),
    "MACROBUTTON": ("MACROBUTTON AutoOpen 点这里", "双击它会运行宏"),
    "PRINT": ('PRINT "@PJL RESET"', "打印时会向打印机发送命令"),
    "FILLIN": ('FILLIN "你的密码？"', "Word 更新域时会弹出对话框向读者提问"),
    "AUTOTEXT": ("AUTOTEXT 机密", UNNEEDED),
    "MERGEFIELD": ("MERGEFIELD 姓名", UNNEEDED),
    "EMBED": ("EMBED Package", UNNEEDED),
}
"""Each field and why it is refused. Before: every one passed the pre-flight."""


@pytest.mark.parametrize("name", FORBIDDEN)
def test_each_forbidden_field_is_refused(tmp_path: Path, name: str) -> None:
    """Complex fields, the instruction split over two runs as Word may split it."""
    code, why = FORBIDDEN[name]
    xml = paragraph(field(" " + code[:3], code[3:] + " "))
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(xml)})
    assert preflight(path) == [refused(code, why)]


FORMS: dict[str, tuple[bytes, str]] = {
    "simple": (simple_field(' INCLUDETEXT &quot;http://x/a&quot; '), 'INCLUDETEXT "http://x/a"'),
    "lower-case": (field("  includeText  ", '"http://x/a"'), 'includeText "http://x/a"'),
    "quoted-name": (field('"INCLUDETEXT" "http://x/a"'), '"INCLUDETEXT" "http://x/a"'),
    "tab-and-newline": (field("\tINCLUDETEXT\n", '"http://x/a"'), 'INCLUDETEXT "http://x/a"'),
    "switch-glued": (field(r'INCLUDETEXT\c "http://x/a"'), r'INCLUDETEXT\c "http://x/a"'),
    "never-ended": (
        b'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        b'<w:r><w:instrText>INCLUDETEXT "http://x/a"</w:instrText></w:r>',
        'INCLUDETEXT "http://x/a"',
    ),
    "no-begin": (b'<w:r><w:instrText>INCLUDETEXT "http://x/a"</w:instrText></w:r>', 'INCLUDETEXT "http://x/a"'),
    "other-prefix": (
        b'<x:r xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<x:fldSimple x:instr="INCLUDETEXT &quot;http://x/a&quot;"/></x:r>',
        'INCLUDETEXT "http://x/a"',
    ),
}  # fmt: skip


@pytest.mark.parametrize("form", FORMS)
def test_a_field_is_judged_however_it_is_written(tmp_path: Path, form: str) -> None:
    xml, code = FORMS[form]
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(paragraph(xml))})
    assert preflight(path) == [refused(code, FETCH)]


def test_a_field_named_by_a_nested_field_is_refused(tmp_path: Path) -> None:
    """{ {DOCPROPERTY x} "http://x/a" }: Word takes the name from the inner field's result."""
    outer = field(field('DOCPROPERTY "x"', result="INCLUDETEXT"), ' "http://x/a" ')
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(paragraph(outer))})
    assert preflight(path) == [refused('{…} "http://x/a"', UNNEEDED)]


def test_a_hyperlink_is_allowed_only_to_a_bookmark(tmp_path: Path) -> None:
    bookmark_then_address = 'HYPERLINK \\l "_Toc1" "http://x/a"'
    links = [field(bookmark_then_address), field('HYPERLINK \\l "_Toc1" \\o "提示" \\h')]
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(paragraph(*links))})
    assert preflight(path) == [refused(bookmark_then_address, FETCH)]


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NOTES = {
    "word/footnotes.xml": f"<w:footnotes {W_NS}><w:footnote><w:p>{{}}</w:p></w:footnote></w:footnotes>",
    "word/endnotes.xml": f"<w:endnotes {W_NS}><w:endnote><w:p>{{}}</w:p></w:endnote></w:endnotes>",
    "word/comments.xml": f"<w:comments {W_NS}><w:comment><w:p>{{}}</w:p></w:comment></w:comments>",
    "word/glossary/document.xml": f"<w:glossaryDocument {W_NS}><w:docParts><w:docPart><w:docPartBody><w:p>{{}}</w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>",
}  # fmt: skip


@pytest.mark.parametrize("part", [FOOTER, *NOTES])
def test_fields_are_found_in_every_part(tmp_path: Path, part: str) -> None:
    dde = field("DDEAUTO cmd")
    if part == FOOTER:
        put = lambda data: data.replace(b"</w:p></w:ftr>", dde + b"</w:p></w:ftr>")  # noqa: E731
        path = rewritten(tmp_path / "report.docx", {part: put})
    else:
        path = rewritten(
            tmp_path / "report.docx", add={part: NOTES[part].format(dde.decode()).encode()}
        )
    assert preflight(path) == [refused("DDEAUTO cmd", RUNS, part)]


ALLOWED = [
    " PAGE  \\* MERGEFORMAT ", "NUMPAGES", "SECTIONPAGES", 'TOC \\o "1-3" \\h \\z \\u',
    'HYPERLINK \\l "_Toc1" \\h', "PAGEREF _Toc1 \\h", "SEQ 图 \\* ARABIC", "REF _Ref1 \\h",
    'STYLEREF "标题 1"', 'DATE \\@ "yyyy年M月d日"', "NUMWORDS", 'DOCPROPERTY "Company"',
    "=SUM(ABOVE)", 'IF 1 = 1 "是" "否"', "page",
]  # fmt: skip


def test_the_fields_a_report_needs_are_allowed(tmp_path: Path) -> None:
    fields = [field(code) for code in ALLOWED] + [simple_field(" NUMPAGES ")]
    nested = field("IF ", field("PAGE"), ' = 1 "a" "b"')
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(paragraph(*fields, nested))})
    assert preflight(path) == []
    assert preflight(report.TEMPLATE) == []  # its footers number the pages with PAGE


def test_field_names_are_read_as_word_reads_them() -> None:
    codes = ["  page ", '"Toc" \\o', "=2+2", "PAGE\\*", "\ufffd x"]
    assert [docx_fields.field_name(c) for c in codes] == ["PAGE", "TOC", "=", "PAGE", "\ufffd"]
    root = etree.fromstring(
        f"<w:p {W_NS}>".encode() + field("IF ", field("PAGE"), " = 1") + b"</w:p>"
    )
    assert list(docx_fields.instructions(root)) == ["PAGE", "IF \ufffd = 1"]


# --- objects and content Word fetches or converts when the report is opened ------------------------

OLE = (
    b'<w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" Type="Link" '
    b'ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" DrawAspect="Content" UpdateMode="Always"/>'
    b"</w:object></w:r>"
)


def test_linked_ole_object_is_refused(tmp_path: Path) -> None:
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: in_body(paragraph(OLE))})
    assert preflight(path) == [
        f"{DOCUMENT}: 有链接的对象（OLE 链接）：Word 打开报告时会去读取它链接的文件，已拒绝。"
        "请在 Word 中选中这个对象，删除它，再用“选择性粘贴”粘贴为图片或表格"
    ]


@pytest.mark.parametrize("mode", ["", ' TargetMode="External"'])
def test_alt_chunk_is_refused_inside_the_package_or_out(tmp_path: Path, mode: str) -> None:
    target = "http://example.com/a.html" if mode else "afchunk.mht"
    rel = f'<Relationship Id="rId99" Type="{RELS}/aFChunk" Target="{target}"{mode}/>'.encode()
    path = rewritten(
        tmp_path / "report.docx",
        {DOC_RELS: related(rel), DOCUMENT: in_body(b'<w:altChunk r:id="rId99"/>')},
        {"word/afchunk.mht": b"MIME-Version: 1.0\r\n"},
    )
    assert preflight(path) == [
        f"{DOC_RELS}: 有 altChunk（另一个文件的内容，Word 打开时才转换插入；Word 自己从不这样保存），"
        f"已拒绝。{SAVE_AS}"
    ]


def test_a_remote_sub_document_is_refused_like_other_links(tmp_path: Path) -> None:
    sub = external("subDocument", "http://example.com/sub.docx")
    path = rewritten(tmp_path / "report.docx", {DOC_RELS: related(sub)})
    assert preflight(path) == [
        f"{DOC_RELS}: 有外部链接指向外部地址 http://example.com/sub.docx：Word 打开报告时会去访问它，"
        "已拒绝。请在 Word 中删除它"
    ]


# --- DTDs in every encoding ---------------------------------------------------------------------

XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _encoded(
    encoding: str, bom: bytes = b"", name: str = "", dtd: str = XXE
) -> Callable[[bytes], bytes]:
    """word/document.xml in ``encoding``, its declaration naming ``name``, ``dtd`` after it."""

    def change(data: bytes) -> bytes:
        text = data.decode("utf-8").replace("encoding='UTF-8'", f"encoding='{name or encoding}'")
        head, _, rest = text.partition("?>")
        return bom + (head + "?>" + dtd + rest).encode(encoding, "xmlcharrefreplace")

    return change


def _utf7(data: bytes) -> bytes:
    """Declared UTF-7: plain ASCII to a byte scan, a DTD to a parser that honours the declaration."""
    head, _, rest = data.decode("utf-8").replace("'UTF-8'", "'UTF-7'").partition("?>")
    return (head + "?>").encode() + (XXE + rest).encode("utf-7")


def _declaration_dropped(data: bytes) -> bytes:
    return data.partition(b"?>")[2].decode("utf-8").encode("utf-16-le")


DOCTYPE, UTF_32 = DTD.format("DOCTYPE"), ENCODING.format("是 UTF-32")
DTD_ENCODINGS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "utf-8": (_encoded("utf-8"), DOCTYPE),
    "utf-8-bom": (_encoded("utf-8", codecs.BOM_UTF8), DOCTYPE),
    "utf-16-le-bom": (_encoded("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"), DOCTYPE),
    "utf-16-be-bom": (_encoded("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"), DOCTYPE),
    "utf-16-le": (_encoded("utf-16-le", name="UTF-16"), DOCTYPE),
    "utf-16-be": (_encoded("utf-16-be", name="UTF-16"), DOCTYPE),
    "utf-32-le-bom": (_encoded("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"), UTF_32),
    "utf-32-be-bom": (_encoded("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"), UTF_32),
    "utf-32-le": (_encoded("utf-32-le", name="UTF-32"), UTF_32),
    "utf-32-be": (_encoded("utf-32-be", name="UTF-32"), UTF_32),
    "ucs-4-2143": (lambda data: b"\0\0<\0" + data, ENCODING.format("是 UCS-4")),
    "ebcdic": (_encoded("cp500", name="IBM500"), ENCODING.format("是 EBCDIC")),
    "declared-utf-7": (_utf7, ENCODING.format("声明为 UTF-7")),
    "declared-gbk": (_encoded("gbk", name="GBK", dtd=""), ENCODING.format("声明为 GBK")),
    "declared-utf-16-in-ascii": (_encoded("utf-8", name="UTF-16"), ENCODING.format("声明为 UTF-16")),
    "utf-16-undeclared": (_declaration_dropped, ENCODING.format("含有无效的字节")),
    "nul": (lambda data: data.replace(b"report.title", b"report\0title"), ENCODING.format("含有空字符")),
    "not-utf-8": (lambda data: data.replace(b"report.title", b"\xb1\xea\xcc\xe2"), ENCODING.format("含有无效的字节")),
    "after-comment-and-pi": (_encoded("utf-8", dtd="<!-- c --><?pi x?>\n" + XXE), DOCTYPE),
    "entity-alone": (_encoded("utf-8", dtd='<!ENTITY x "y">'), DTD.format("ENTITY")),
}  # fmt: skip
"""Before: the UTF-32, UCS-4, EBCDIC, UTF-7, GBK and mis-declared parts passed the pre-flight."""


@pytest.mark.parametrize("name", DTD_ENCODINGS)
def test_dtd_in_every_encoding_is_refused(tmp_path: Path, name: str) -> None:
    body_refused(tmp_path, *DTD_ENCODINGS[name])


def test_a_header_named_as_a_picture_is_read_too(tmp_path: Path) -> None:
    """docxtpl renders whatever the header relationship points to, whatever its name or type."""
    rel = f'<Relationship Id="rId99" Type="{RELS}/header" Target="media/logo.png"/>'.encode()
    xml = f'<?xml version="1.0"?>{XXE}<w:hdr {W_NS}><w:p/></w:hdr>'.encode()
    path = rewritten(
        tmp_path / "report.docx", {DOC_RELS: related(rel)}, {"word/media/logo.png": xml}
    )
    assert preflight(path) == [f"word/media/logo.png: {DOCTYPE}"]


def test_utf_16_without_a_dtd_is_read(tmp_path: Path) -> None:
    """UTF-16 is XML's other required encoding: such a part passes, its fields still checked."""
    path = rewritten(
        tmp_path / "report.docx", {DOCUMENT: _encoded("utf-16", name="UTF-16", dtd="")}
    )
    assert preflight(path) == []
    dde = in_body(paragraph(field("DDEAUTO cmd")))
    path = rewritten(
        tmp_path / "dde.docx",
        {DOCUMENT: lambda d: _encoded("utf-16", name="UTF-16", dtd="")(dde(d))},
    )
    assert preflight(path) == [refused("DDEAUTO cmd", RUNS)]


# --- what a template may cost: sizes, tags, paragraphs, unclosed tags -----------------------------


def test_ten_big_headers_are_refused_by_size(tmp_path: Path) -> None:
    """The issue's file: 10 headers just under 1 MiB each, a 73 KB .docx."""
    path = headers(tmp_path / "report.docx", 10, 2**20 - 1)
    assert path.stat().st_size < 100_000
    assert preflight(path) == [
        *(f"word/header{90 + n}.xml: 页眉解压后有 1023 KB，超过上限 128 KB，{SMALLER}" for n in range(10)),
        f"正文、页眉、页脚等处合计解压后有 10.0 MB，超过上限 2.0 MB，{SMALLER}",
    ]  # fmt: skip


def test_a_header_is_capped_by_its_relationship_whatever_its_content_type(tmp_path: Path) -> None:
    """docxtpl finds headers by relationship type; python-docx reads parts by content type."""
    path = headers(tmp_path / "report.docx", 1, 200_000)
    expected = [f"word/header90.xml: 页眉解压后有 195 KB，超过上限 128 KB，{SMALLER}"]
    assert preflight(path) == expected
    kind = b"wordprocessingml.header+xml"
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[TYPES] = parts[TYPES].replace(kind, b"wordprocessingml.settings+xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert preflight(path) == expected


def test_notes_are_capped_by_their_default_content_type(tmp_path: Path) -> None:
    """A part with no Override takes its extension's Default type: python-docx reads it so."""
    text = f"<w:r><w:t>{noise(600_000).decode()}</w:t></w:r>"
    notes = NOTES["word/footnotes.xml"].format(text).encode()
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    default = f'<Default Extension="fn" ContentType="{kind}"/>'.encode()
    change = {TYPES: lambda data: data.replace(b"<Default ", default + b"<Default ", 1)}
    path = rewritten(tmp_path / "report.docx", change, {"word/notes.fn": notes})
    size = len(notes) // 1024
    assert preflight(path) == [f"word/notes.fn: 脚注解压后有 {size} KB，超过上限 512 KB，{SMALLER}"]


def _shipped(count: Callable[[str, bytes], int]) -> int:
    with zipfile.ZipFile(report.TEMPLATE) as zf:
        return sum(count(n, zf.read(n)) for n in zf.namelist() if n.endswith((".xml", ".rels")))


def _braces(name: str, data: bytes) -> int:
    return data.count(b"{")


def _paragraphs(name: str, data: bytes) -> int:
    if not name.startswith(("word/document", "word/footer", "word/header")):
        return 0
    return sum(1 for tag in ("p", "tr", "tc") for _ in etree.fromstring(data).iter(f"{{{W}}}{tag}"))


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TAGS = "模板中共有 {} 个“{{”（每个 {{{{ }}}}、{{% %}}、{{# #}} 标签至少有一个），超过上限 4000，疑似损坏或恶意文件，已拒绝"
UNCLOSED = (
    "没写完的标签太多：从标签的开头（{{、{% 或 {#）到它的结尾，共有 4194305 个字符，超过上限 4194304，"
    "检查和生成会因此慢到几分钟，已拒绝。请在 Word 中补全或删除没写完的标签"
)


def _text(xml: bytes) -> Callable[[bytes], bytes]:
    return in_body(paragraph(b"<w:r><w:t>" + xml + b"</w:t></w:r>"))


COSTLY: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "tags": (_text(b"{{ report.title }}" * 2000), TAGS.format(_shipped(_braces) + 4000)),
    "split-tags": (
        in_body(paragraph(b"<w:r><w:t>{</w:t></w:r><w:r><w:t>{ report.title }}</w:t></w:r>" * 2000)),
        TAGS.format(_shipped(_braces) + 4000),
    ),
    "escaped-tags": (_text(b"&#123;&#x7b; report.title }}" * 2000), TAGS.format(_shipped(_braces) + 4000)),
    "paragraphs": (
        in_body(b"<w:p/>" * 5000),
        f"正文、页眉、页脚等处共有 {_shipped(_paragraphs) + 5000} 个段落、表格行和单元格，超过上限 5000，{SMALLER}",
    ),
    "unclosed-tags": (_text(b"{{ x " * 10 + noise(500_000)), UNCLOSED),
    "trim-marks": (_text(b"x -%}" * 10 + noise(500_000)), UNCLOSED),
    "big-body": (_text(noise(1_100_000)), f"正文解压后有 1.1 MB，超过上限 1.0 MB，{SMALLER}"),
}  # fmt: skip
"""Before: each passed the pre-flight; the lint then took seconds to minutes (docs/reliability.md)."""


@pytest.mark.parametrize("name", COSTLY)
def test_costly_templates_are_refused(tmp_path: Path, name: str) -> None:
    body_refused(tmp_path, *COSTLY[name])


def test_elements_and_any_xml_part_are_capped(tmp_path: Path) -> None:
    items = b"<r>" + b"".join(b'<a i="%x"/>' % n for n in range(300_000)) + b"</r>"
    path = rewritten(
        tmp_path / "report.docx", add={"customXml/item7.xml": items, "customXml/item8.xml": items}
    )
    total = _shipped(lambda name, data: data.count(b"<") - data.count(b"</")) + 600_002
    assert preflight(path) == [
        f"customXml/item7.xml: 模板中共有 {total} 个 XML 元素，超过上限 500000，{BAD}"
    ]
    big = rewritten(
        tmp_path / "big.docx", add={"customXml/item9.xml": b"<r>" + noise(9 * 2**20) + b"</r>"}
    )
    assert preflight(big) == [f"customXml/item9.xml: 这个 XML 部件解压后有 9.0 MB，超过上限 8.0 MB，{BAD}"]  # fmt: skip


def test_deep_nesting_is_a_located_problem_not_a_traceback(tmp_path: Path) -> None:
    """400 {% if %} never closed: Jinja's parser recursed past Python's limit (RecursionError)."""
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: _text(b"{% if 1 %}" * 400)})
    with docx_lint.filled(edition.load(MINIMAL)) as sample:
        problems = docx_lint.lint(path, report.template_context(sample))
    assert [str(p).split(".docx: ", 1)[1] for p in problems] == [f"正文: {docx_lint.TOO_DEEP}"]


# --- the file through `docgen check`, measured -------------------------------------------


def office_home(folder: Path, template: Path) -> Path:
    """A DOCGEN_HOME with ``template`` as templates/docx/report.docx, the rest the defaults."""
    (folder / "templates" / "docx").mkdir(parents=True)
    shutil.copy(template, folder / "templates" / "docx" / "report.docx")
    return folder


def check_with(template: Path, folder: Path) -> Run:
    """`docgen check` on the minimal edition with ``template`` as the office's report template."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCGEN_HOME", str(office_home(folder / "home", template)))
        return docgen("check", MINIMAL)


@pytest.fixture(scope="module")
def refusal(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """What refusing a template costs `docgen check` when the template is not even a zip: about
    3.5 s CPU and 180 MB, nearly all of it the edition's other checks."""
    folder = tmp_path_factory.mktemp("baseline")
    (folder / "report.docx").write_text("不是 Word 文件", encoding="utf-8")
    return check_with(folder / "report.docx", folder)


@pytest.mark.parametrize("build", ["headers", "tags"])
def test_costly_templates_are_refused_cheaply_by_docgen_check(
    tmp_path: Path, refusal: Run, build: str
) -> None:
    """Before: `docgen check` ran 283 s CPU (then was killed) and 754 MB on the issue's 10 headers,
    and 33 s CPU and 343 MB (then passed) on 15,000 paragraphs of one tag each (0.8 MB). Now each
    costs what refusing a file that is not a zip costs, and exits 1."""
    if build == "headers":
        template, shown = headers(tmp_path / "report.docx", 10, 2**20 - 1), "页眉解压后有 1023 KB"
    else:
        body = in_body(paragraph(b"<w:r><w:t>{{ report.title }}</w:t></w:r>") * 15_000)
        template, shown = rewritten(tmp_path / "report.docx", {DOCUMENT: body}), "标签至少有一个"
    run = check_with(template, tmp_path)
    assert (run.code, "Traceback" in run.text, shown in run.text) == (1, False, True), run.text
    assert run.rss_mb < min(MAX_RSS_MB, refusal.rss_mb + 20), f"peak RSS {run.rss_mb:.0f} MB"
    assert run.cpu_s < refusal.cpu_s + 1.0, f"CPU {run.cpu_s:.1f} s against {refusal.cpu_s:.1f} s"
