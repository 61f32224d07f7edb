"""The Word template's pre-flight and lint: hostile files are refused fast, and every slip the office
can make in Word is reported with its place and an exact Chinese message."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject

from docgen import checks, docx_lint, docx_template, edition, generate
from docgen.edition import Loaded
from docgen.errors import DocgenError
from docgen.model import STORY_PARTS
from docgen.outputs import report

from .conftest import MINIMAL, SAMPLE
from .docx_templates import (
    RELATIONSHIPS,
    edited,
    external,
    related,
    retyped,
    rewritten,
    with_doctype,
    zip_bomb,
)

DOCUMENT, DOC_RELS = "word/document.xml", "word/_rels/document.xml.rels"
FEATURES = "{{ story.features }}"
SAVE_AS = "请用 Word 打开模板，另存为“Word 文档 (*.docx)”"
NOT_DOCX = f"不是有效的 Word 文件（.docx）：文件已损坏、不完整，或只是改了扩展名。{SAVE_AS}"
DTD = "含有 DOCTYPE 声明（Word 从不写入；可用于 XXE 或实体炸弹攻击），已拒绝"
MISSING = "模板用到了数据中没有的字段"
MEETING = "date、iso_date、when、venue、host、units、attendee_roles、attendance、presenters、judges、judge_members、guests"
SMART = "（Word 自动更正造成的）：标签里请用英文引号 \" 或 '，要印出的中文引号请写在标签外面"
GONE = "：这部分内容不会出现在报告中。如果是误删，请把它加回模板"
XXE = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    + b"]>"
)


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return edition.load(MINIMAL)


def lint(path: Path, loaded: Loaded) -> list[str]:
    """Every problem lint reports, as printed, with the template's path cut off."""
    with docx_lint.filled(loaded) as sample:
        problems = docx_lint.lint(path, report.template_context(sample))
    return [str(p).split(".docx: ", 1)[1] for p in problems]


def preflight(path: Path) -> list[str]:
    return [str(p).split(".docx: ", 1)[1] for p in docx_lint.preflight(path)]


# --- the shipped template ------------------------------------------------------------------------


def test_shipped_template_lints_clean_without_warnings() -> None:
    assert checks.template_problems(edition.load(SAMPLE)) == []


def test_places_are_word_s_paragraph_numbers() -> None:
    """Recomputed from the file: 正文第 n 段 is python-docx's n-th body paragraph."""
    body = [p.text for p in Document(str(report.TEMPLATE)).paragraphs]
    texts = docx_template.read(report.TEMPLATE).texts
    numbered = [(where, raw) for where, _, raw in texts if where.startswith("正文第")]
    assert numbered == [(f"正文第 {n} 段", text) for n, text in enumerate(body, start=1)]


def test_every_reported_field_is_in_the_report_context(loaded: Loaded) -> None:
    """REPORTED names real paths, so a renamed context key cannot silently switch a warning off."""
    with docx_lint.filled(loaded) as sample:
        ctx = report.template_context(sample).values
    for paths in docx_lint.REPORTED.values():
        for path in paths:
            value: Any = ctx
            for step in path.split("."):
                value = value[step.removesuffix("[]")]
                value = value[0] if step.endswith("[]") else value
            assert value is not None, path


def test_filled_edition_sets_every_optional_field_and_list() -> None:
    def walk(value: Any, path: str) -> None:
        assert value is not None and value != [], f"{path} is empty"
        for key, item in value.items() if isinstance(value, dict) else []:
            walk(item, f"{path}.{key}")
        for i, item in enumerate(value) if isinstance(value, list) else []:
            walk(item, f"{path}[{i}]")

    e = docx_lint.filled_edition()
    walk(e.model_dump(), "edition")
    assert sorted(g.after for g in e.photos) == sorted(STORY_PARTS)


# --- lint rules, one table of exact messages ------------------------------------------------------

CASES = [
    pytest.param(
        "{{ report.title }}",
        ["{{ edition.titel }}"],
        [
            f"{{at}}: {MISSING} edition.titel（是不是 edition.title？）。"
            "edition 下可用的有：number、ordinal、year、title、series、kind、scope"
        ],
        id="nested-field",
    ),
    pytest.param(
        FEATURES,
        ["{{ stroy.features }}"],
        [
            f"{{at}}: {MISSING} stroy（是不是 story？）。数据中可用的有：organiser、edition、"
            "meeting、story、awards、report、press、signature、figures、headings"
        ],
        id="top-level-name",
    ),
    pytest.param(
        "{{ w.unit }}",
        ["{{ w.untit }}"],
        [
            f"{{at}}: {MISSING} w.untit（是不是 w.unit？）。"
            "w 下可用的有：rank、unit、activity、certificate_activity、serial"
        ],
        id="loop-variable",
    ),
    pytest.param(
        FEATURES,
        ["{% set m = meeting %}{{ m.venu }}", FEATURES],
        [f"{{at}}: {MISSING} m.venu（是不是 m.venue？）。m 下可用的有：{MEETING}"],
        id="set-variable",
    ),
    pytest.param(
        FEATURES,
        ["{% if meeting.venue %}{{ meeting.vneue }}{% endif %}", FEATURES],
        [
            f"{{at}}: {MISSING} meeting.vneue（是不是 meeting.venue？）。meeting 下可用的有：{MEETING}"
        ],
        id="optional-branch",
    ),
    pytest.param(FEATURES, ["{{ sto", "ry.feat", "ures }}"], [], id="split-docxtpl-rejoins"),
    pytest.param(
        FEATURES,
        ["{{ story.features }", " }"],
        [
            "{at}: “{{ story.features } }”中的 {{ 没有对应的 }}："
            "标签必须在同一段里写完，括号之间不能有空格"
        ],
        id="split-with-a-space",
    ),
    pytest.param(
        FEATURES,
        ["{{ story.", "features"],
        [
            "{at}: “{{ story.features”中的 {{ 没有对应的 }}：标签必须在同一段里写完，括号之间不能有空格"
        ],
        id="unclosed-tag",
    ),
    pytest.param(
        FEATURES,
        ["{ { story.features }}"],
        ["{at}: “{ { story.features }}”中的 }} 没有对应的 {{：括号之间不能有空格，也不能少写一个"],
        id="space-between-braces",
    ),
    pytest.param(
        FEATURES,
        ["｛｛ story.features ｝｝"],
        [
            "{at}: “｛｛”是全角字符：标签的括号和 % 必须是半角（英文）字符，请切换到英文输入法重新输入",
            "{at}: “｝｝”是全角字符：标签的括号和 % 必须是半角（英文）字符，请切换到英文输入法重新输入",
        ],
        id="full-width-braces",
    ),
    pytest.param(
        FEATURES,
        ["{{ story.features or “无” }}"],
        ["{at}: 标签 {{ story.features or “无” }} 里有中文引号 “”" + SMART],
        id="smart-double-quotes",
    ),
    pytest.param(
        FEATURES,
        ["{{ story.features or ", "‘无’ }}"],
        ["{at}: 标签 {{ story.features or ‘无’ }} 里有中文引号 ‘’" + SMART],
        id="smart-single-quotes-across-runs",
    ),
    pytest.param(
        FEATURES,
        ["{{ story.features | }}"],
        ["{at}: 模板语法错误：标签写法有误（expected token 'name', got 'end of print statement'）"],
        id="bad-expression",
    ),
    pytest.param(
        "{%p if story.comments_note %}",
        ["{%p iff story.comments_note %}"],
        ["{at}: 模板语法错误：不认识的标签 {% iff %}（是不是拼错了？）"],
        id="unknown-tag",
    ),
    pytest.param(
        "{%p endif %}",
        ["{%p endfor %}"],
        ["{at}: 模板语法错误：{% endfor %} 与前面的 if 不配对：if 应以 {% endif %} 结束"],
        id="mismatched-end",
    ),
    pytest.param(
        "{{ signature.date }}",
        ["{% if story.closing %}{{ signature.date }}"],
        ["正文: 模板语法错误：正文里有没有结束的 if：缺少 {% endif %}"],
        id="unclosed-block",
    ),
    pytest.param(
        FEATURES,
        ["{{ story.features|nosuchfilter }}"],
        ["{at}: 模板语法错误：没有名为 nosuchfilter 的过滤器（是不是拼错了？）"],
        id="unknown-filter",
    ),
    pytest.param(
        FEATURES,
        ["{% if meeting.venue %}{{ meeting.venue.x.y }}{% endif %}", FEATURES],
        [f"{{at}}: {MISSING}：'str object' has no attribute 'x'"],
        id="dry-run-in-an-optional-branch",
    ),
    pytest.param(
        "{{ w.unit }}",
        ["{{ w.unit.x.y }}"],
        [f"{{at}}: {MISSING}：'str object' has no attribute 'x'"],
        id="dry-run-in-a-table-row",
    ),
    pytest.param(
        "{{ story.closing }}",
        ["结语"],
        [f"警告：模板中没有印出“结语”（story.closing）{GONE}"],
        id="deleted-field",
    ),
    pytest.param(
        "{{ w.unit }}",
        [""],
        [f"警告：模板中没有印出“获奖单位”（awards[].winners[].unit）{GONE}"],
        id="deleted-loop-field",
    ),
    pytest.param(
        "{{ story.comments_note }}",
        [""],
        [f"警告：模板中没有印出“点评之后的补充”（story.comments_note）{GONE}"],
        id="deleted-optional-field",
    ),
    pytest.param("{{ signature.organiser }}", ["{{ organiser.name }}"], [], id="alternative-field"),
]


@pytest.mark.parametrize(("find", "runs", "expected"), CASES)
def test_lint_messages(
    tmp_path: Path, loaded: Loaded, find: str, runs: list[str], expected: list[str]
) -> None:
    places: list[str] = []
    path = edited(tmp_path, lambda doc: places.append(retyped(doc, find, *runs)))
    assert lint(path, loaded) == [e.replace("{at}", places[0]) for e in expected]


def test_headers_footers_and_document_properties(tmp_path: Path, loaded: Loaded) -> None:
    odd: list[str] = []

    def edit(doc: DocumentObject) -> None:
        odd.append("奇数页" if doc.settings.odd_and_even_pages_header_footer else "")
        doc.sections[0].header.paragraphs[0].text = "{{ edition.tilte }}"
        doc.sections[0].even_page_footer.paragraphs[0].add_run("{{ organiser.nmae }}")
        doc.core_properties.title = "{{ report.titl }}"
        doc.core_properties.subject = "{{ “x” }}"

    path = edited(tmp_path, edit)
    assert lint(path, loaded) == [
        f"文档属性（主题）: 标签 {{{{ “x” }}}} 里有中文引号 “”{SMART}",
        f"{odd[0]}页眉第 1 段: {MISSING} edition.tilte（是不是 edition.title？）。"
        "edition 下可用的有：number、ordinal、year、title、series、kind、scope",
        f"偶数页页脚第 1 段: {MISSING} organiser.nmae（是不是 organiser.name？）。"
        "organiser 下可用的有：name、short_name",
        f"文档属性（标题）: {MISSING} report.titl（是不是 report.title？）。report 下可用的有：title",
    ]


def test_dry_run_failure_in_a_document_property(tmp_path: Path, loaded: Loaded) -> None:
    def edit(doc: DocumentObject) -> None:
        doc.core_properties.title = "{{ report.title.x.y }}"

    assert lint(edited(tmp_path, edit), loaded) == [
        f"文档属性: {MISSING}：'str object' has no attribute 'x'"
    ]


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W_NS}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:t>说明</w:t></w:r></w:p>'
    "<w:p><w:r><w:t>{{ story.feautres }}</w:t></w:r></w:p></w:footnote></w:footnotes>"
).encode()
FOOTNOTES_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def test_footnotes(tmp_path: Path, loaded: Loaded) -> None:
    override = b'<Override PartName="/word/footnotes.xml" ContentType="' + FOOTNOTES_TYPE + b'"/>'
    rel = b'<Relationship Id="rId80" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
    path = rewritten(
        tmp_path / "report.docx",
        {
            "[Content_Types].xml": lambda d: d.replace(b"</Types>", override + b"</Types>"),
            DOC_RELS: related(rel),
        },
        {"word/footnotes.xml": FOOTNOTES},
    )
    assert lint(path, loaded) == [
        f"脚注第 2 段: {MISSING} story.feautres（是不是 story.features？）。story 下可用的有："
        "features、comments、commenters、comments_note、results、results_note、closing、parts"
    ]


def test_check_reports_a_broken_template_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places: list[str] = []
    path = edited(
        tmp_path, lambda doc: places.append(retyped(doc, FEATURES, "{{ story.feature }}"))
    )
    monkeypatch.setattr(report, "TEMPLATE", path)
    with pytest.raises(DocgenError) as info:
        generate.check(MINIMAL)
    [problem] = info.value.problems
    assert problem.location.file == path
    assert str(problem).endswith(
        f"report.docx: {places[0]}: {MISSING} story.feature（是不是 story.features？）。story 下可用的有："
        "features、comments、commenters、comments_note、results、results_note、closing、parts"
    )
    out = tmp_path / "out"
    with pytest.raises(DocgenError):
        generate.generate(MINIMAL, out)
    assert not out.exists()


# --- pre-flight: hostile and broken files, before python-docx reads a byte -------------------------


def _xxe(path: Path) -> list[str]:
    rewritten(path, {DOCUMENT: with_doctype(XXE, b"&xxe;")})
    return [f"{DOCUMENT}: {DTD}"]


def _laughs(path: Path) -> list[str]:
    rewritten(path, {DOCUMENT: with_doctype(LAUGHS, b"&j;")})
    return [f"{DOCUMENT}: {DTD}"]


def _bomb(path: Path) -> list[str]:
    zip_bomb(path)
    with zipfile.ZipFile(path) as zf:  # sizes recomputed: they depend on the template and zlib
        total = sum(i.file_size for i in zf.infolist()) / 2**20
        big = zf.getinfo("word/media/image9.png")
    ratio = big.file_size // big.compress_size
    return [
        f"模板解压后有 {total:.0f} MB，超过上限 50 MB，疑似“压缩炸弹”，已拒绝",
        f"word/media/image9.png: 压缩比 {ratio}:1，超过上限 100:1，疑似“压缩炸弹”，已拒绝",
    ]


def _attached_template(path: Path) -> list[str]:
    remote = external("attachedTemplate", "http://example.com/t.dotm")
    rewritten(path, add={"word/_rels/settings.xml.rels": related(remote)(RELATIONSHIPS)})
    return [
        "word/_rels/settings.xml.rels: 有附加模板指向外部地址 http://example.com/t.dotm："
        "Word 打开报告时会去访问它，已拒绝。请在 Word 的“开发工具 → 文档模板”中去掉附加的模板"
    ]


def _linked_image_and_link(path: Path) -> list[str]:
    image = external("image", "file:///C:/photos/secret.png")
    link = external("hyperlink", r"\\host\share\x.docx", "rId91")
    rewritten(path, {DOC_RELS: related(image, link)})
    return [
        f"{DOC_RELS}: 有链接的图片指向外部地址 file:///C:/photos/secret.png：Word 打开报告时会去"
        "访问它，已拒绝。请删除它，再用“插入 → 图片”嵌入（不要选“链接到文件”）",
        f"{DOC_RELS}: 有超链接指向外部地址 \\\\host\\share\\x.docx：Word 打开报告时会去访问它，"
        "已拒绝。请右键点击它，选“取消超链接”",
    ]


def _docm(path: Path) -> list[str]:
    main = b"wordprocessingml.document.main", b"ms-word.document.macroEnabled.main"
    rewritten(
        path,
        {"[Content_Types].xml": lambda data: data.replace(*main)},
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(64)},
    )
    return [f"word/vbaProject.bin: 含有宏（VBA 代码），已拒绝：宏会随报告发给每位读者。{SAVE_AS}"]


def _not_a_zip(path: Path) -> list[str]:
    path.write_text("这是一段文字，不是 Word 文件", encoding="utf-8")
    return [NOT_DOCX]


def _truncated(path: Path) -> list[str]:
    path.write_bytes(report.TEMPLATE.read_bytes()[:5000])
    return [NOT_DOCX]


def _empty(path: Path) -> list[str]:
    path.write_bytes(b"")
    return [NOT_DOCX]


def _too_many_parts(path: Path) -> list[str]:
    rewritten(path, add={f"customXml/item{n}.bin": b"" for n in range(2, 1003)})
    with zipfile.ZipFile(path) as zf:
        count = len(zf.infolist())
    return [f"模板里有 {count} 个部件，超过上限 1000，疑似损坏或恶意文件，已拒绝"]


def _corrupt_part(path: Path) -> list[str]:
    """Parts stored uncompressed, then one changed behind the zip's back: its CRC no longer fits."""
    with zipfile.ZipFile(report.TEMPLATE) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_STORED)
    path.write_bytes(path.read_bytes().replace(b"{{ report.title }}", b"{{ report.titlf }}"))
    return [NOT_DOCX]


def _zip_but_not_word(path: Path) -> list[str]:
    with zipfile.ZipFile(path, "w") as zf:
        types = b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        zf.writestr("[Content_Types].xml", types)
    return [NOT_DOCX]


HOSTILE: dict[str, Callable[[Path], list[str]]] = {
    "xxe": _xxe,
    "laughs": _laughs,
    "bomb": _bomb,
    "attached-template": _attached_template,
    "linked-image-and-link": _linked_image_and_link,
    "docm": _docm,
    "not-a-zip": _not_a_zip,
    "truncated": _truncated,
    "empty": _empty,
    "too-many-parts": _too_many_parts,
    "corrupt-part": _corrupt_part,
    "zip-but-not-word": _zip_but_not_word,
}
"""Each builds a hostile or broken template and returns the exact messages the pre-flight gives."""


def _hostile(name: str, folder: Path) -> tuple[Path, list[str]]:
    path = folder / f"{name}.docx"
    return path, HOSTILE[name](path)


@pytest.mark.parametrize("name", HOSTILE)
def test_preflight_messages(tmp_path: Path, name: str) -> None:
    path, expected = _hostile(name, tmp_path)
    assert preflight(path) == expected


def test_malformed_xml_is_refused_not_a_traceback(tmp_path: Path, loaded: Loaded) -> None:
    path = rewritten(tmp_path / "report.docx", {DOCUMENT: lambda d: d.replace(b"</w:body>", b"")})
    [message] = lint(path, loaded)
    assert message.startswith(f"{DOCUMENT}: {NOT_DOCX}（")  # then lxml's words, which vary


def test_missing_template(tmp_path: Path) -> None:
    assert preflight(tmp_path / "report.docx") == ["找不到模板文件"]


def test_render_runs_the_preflight_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loaded: Loaded
) -> None:
    path, expected = _hostile("xxe", tmp_path)
    monkeypatch.setattr(report, "TEMPLATE", path)
    with pytest.raises(DocgenError) as info:
        report.render_docx(loaded)
    assert [str(p).split(".docx: ", 1)[1] for p in info.value.problems] == expected


CHECK = """
import resource, sys
from pathlib import Path
from docgen.outputs import report
report.TEMPLATE = Path(sys.argv[1])
from docgen import cli
code = cli.main(["check", sys.argv[2]])
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def check_in_subprocess(template: Path) -> tuple[int, str, int]:
    """docgen check with ``template`` as the report template: exit code, stderr, peak RSS in MB."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(template), str(MINIMAL)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    rest, _, rss = result.stderr.rpartition("maxrss ")
    return result.returncode, rest, int(rss or 0)


@pytest.fixture(scope="module")
def clean_rss() -> int:
    code, stderr, rss = check_in_subprocess(report.TEMPLATE)
    assert code == 0, stderr
    return rss


@pytest.mark.parametrize("name", ["bomb", "laughs", "xxe", "truncated", "not-a-zip"])
def test_hostile_template_exits_1_without_inflating(
    tmp_path: Path, clean_rss: int, name: str
) -> None:
    """A refusal, never a crash (139) or a traceback; memory as for the shipped template."""
    path, expected = _hostile(name, tmp_path)
    code, stderr, rss = check_in_subprocess(path)
    assert code == 1, stderr
    assert expected[0] in stderr and "Traceback" not in stderr
    assert rss < clean_rss + 50, f"{rss} MB, against {clean_rss} MB for the shipped template"
