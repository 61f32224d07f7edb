"""The press release PDF: the published story in order, Chinese typography, metadata, PDF/A,
confined fetching, and a layout that does not drift (page images against snapshots)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from docgen import edition, pdf
from docgen.errors import DocgenError
from docgen.outputs import press

from .conftest import NEWS, SAMPLE, assert_page_snapshots, assert_text_snapshot, pdftotext, squash

LOADED = edition.load(SAMPLE)
E = LOADED.edition
RIGHT_EDGE = 595.28 - 88.64  # A4 width minus the right margin of press.css
LEFT_EDGE, INDENTED = 88.64, 88.64 + 22  # body lines start here, first lines 2 em further in
CLOSING = set("，。、；：？！）》」』】〕〉”’…")
OPENING = set("（《「『【〔〈“‘")


@pytest.fixture(scope="module")
def press_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("press") / "press-release.pdf"
    path.write_bytes(press.render_pdf(LOADED))
    return path


def story_sequence() -> list[str]:
    """What the published story prints, in its order: paragraphs' texts, captions, table rows."""
    items = ["2025年12月10日下午", "董惠华", "23位汇报人", E.story.features, "汇报人精彩展示"]
    items += [c.text for c in E.story.comments] + [E.story.comments_note]
    items += [
        "医学部党委宣传部副部长武慧媛点评",
        "人民医院工会副主席王志强点评",
        "精品活动10项",
        "优秀活动14项",
    ]
    items += [
        E.story.results_note,
        "医学部工会常务副主席陈斌斌宣布结果",
        "颁发精品活动奖",
        "颁发优秀活动奖",
    ]
    items += [E.story.closing, "2025年医学部工会系统第二十一届“权益杯”精品活动奖"]
    items += [w.activity for w in E.awards[0].winners]
    items += ["2025年医学部工会系统第二十一届“权益杯”优秀活动奖"]
    items += [w.activity for w in E.awards[1].winners]
    return [squash(i) for i in items if i]


def test_release_carries_the_story_in_the_same_order(press_pdf: Path) -> None:
    text = squash(pdftotext(press_pdf, "-raw"))
    news = squash(NEWS.read_text(encoding="utf-8"))
    at = 0
    for item in story_sequence():
        assert item in news  # the reference itself has it
        found = text.find(item, at)
        assert found >= 0, f"missing or out of order: {item[:30]}"
        at = found + len(item)


def lines(path: Path) -> list[str]:
    return [line.strip() for line in pdftotext(path, "-raw").splitlines() if line.strip()]


def test_no_closing_punctuation_starts_a_line_no_opening_ends_one(press_pdf: Path) -> None:
    for line in lines(press_pdf):
        assert line[0] not in CLOSING, line
        assert line[-1] not in OPENING, line


@dataclass(frozen=True)
class Line:
    page: int
    x_min: float
    x_max: float
    y: float
    text: str


def text_lines(path: Path) -> list[Line]:
    """Lines with their boxes, from pdftotext -bbox-layout."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    result = []
    for page, body in enumerate(re.split(r"<page ", xml)[1:], start=1):
        for m in re.finditer(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>(.*?)</line>', body, re.S
        ):
            words = "".join(re.findall(r">([^<]*)</word>", m[4]))
            result.append(Line(page, float(m[1]), float(m[3]), float(m[2]), words))
    return result


def body_paragraph_lines(path: Path) -> list[list[Line]]:
    """Lines of the justified body paragraphs, grouped by paragraph (a new one starts indented)."""
    body = [
        ln
        for ln in text_lines(path)
        if abs(ln.x_min - LEFT_EDGE) < 0.5 or abs(ln.x_min - INDENTED) < 0.5
    ]
    paragraphs: list[list[Line]] = []
    for line in body:
        if abs(line.x_min - INDENTED) < 0.5 or not paragraphs:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def test_justified_lines_end_flush_at_the_right_margin(press_pdf: Path) -> None:
    paragraphs = body_paragraph_lines(press_pdf)
    assert len(paragraphs) >= 5
    for paragraph in paragraphs:
        for line in paragraph[:-1]:
            assert abs(line.x_max - RIGHT_EDGE) < 1.0, (line.text, line.x_max)


def test_no_paragraph_ends_with_one_character_alone(press_pdf: Path) -> None:
    for paragraph in body_paragraph_lines(press_pdf):
        last = paragraph[-1].text
        if len(paragraph) > 1:
            assert len(re.sub(r"[\W_]", "", last)) >= 2, last


def test_footer_says_page_n_of_m(press_pdf: Path) -> None:
    pages = pdftotext(press_pdf).split("\f")[:-1]
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页/共{len(pages)}页" in squash(page)


def test_metadata_language_and_bookmarks(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as doc:
        info = doc.docinfo
        assert str(info["/Title"]) == "医学部工会系统第二十一届“权益杯”精品活动评选圆满结束"
        assert str(info["/Author"]) == "北京大学医学部工会"
        assert str(info["/CreationDate"]).startswith("D:20251210")
        assert str(doc.Root.Lang) == "zh-CN"
        with doc.open_outline() as outline:
            [top] = outline.root
            assert str(top.title) == E.press.title
            assert [str(c.title) for c in top.children] == [
                "会议概况",
                "活动特点",
                "评委点评",
                "评选结果",
                "结语",
                "获奖名单",
            ]


def test_images_are_rgb_300_dpi_at_most_and_the_file_is_small(press_pdf: Path) -> None:
    assert press_pdf.stat().st_size < 3 * 1024 * 1024
    out = subprocess.run(
        ["pdfimages", "-list", str(press_pdf)], capture_output=True, text=True, check=True
    ).stdout
    rows = [r.split() for r in out.splitlines()[2:]]
    assert len(rows) == 9
    for row in rows:
        assert row[5] == "rgb", row  # color column
        assert 250 <= int(row[12]) <= 330, row  # x-ppi: about 300 dpi at the printed size


def test_pdf_a_2b_variant(tmp_path: Path) -> None:
    data = press.render_pdf(LOADED, "pdf/a-2b")
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    with pikepdf.open(path) as doc:
        meta = doc.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert len(doc.Root.OutputIntents) == 1
        assert doc.check_pdf_syntax() == []
        assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})
    assert press.render_pdf(LOADED, "pdf/a-2b") == data  # still reproducible


def test_html_handed_to_weasyprint_matches_snapshot() -> None:
    html, _ = press.print_html(LOADED)
    assert_text_snapshot("press.html", html)


def test_page_images_match_snapshots(press_pdf: Path) -> None:
    assert_page_snapshots(press_pdf, "press-page")


# --- confinement: WeasyPrint may read only what docgen allows, and never silently drops a thing --


def render(html: str, roots: list[Path], memory: dict[str, bytes] | None = None) -> bytes:
    assets = pdf.Assets(roots=roots, memory=memory or {})
    fontset = pdf.FontSet.for_text(html)
    return pdf.write(pdf.render(html, roots[0], assets, fontset, "测试"), "测试")


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname">',
        '<img src="http://127.0.0.1:9/x.png">',
        '<style>@import url("http://127.0.0.1:9/x.css");</style>',
        '<div style="background: url(https://example.com/x.png)">背景</div>',
        '<img src="../../../../etc/passwd">',
    ],
)
def test_fetches_outside_the_allowed_folders_stop_the_render(tmp_path: Path, tag: str) -> None:
    with pytest.raises(DocgenError, match=r"不允许读取|找不到文件|不带附件"):
        render(f"<html><body><p>正文</p>{tag}</body></html>", [tmp_path])


def test_symlink_out_of_an_allowed_folder_is_refused(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "x.png").symlink_to("/etc/hostname")
    with pytest.raises(DocgenError, match="不允许读取"):
        render(f'<html><body><img src="{(allowed / "x.png").as_uri()}"></body></html>', [allowed])


def test_an_image_weasyprint_cannot_decode_fails_the_run(tmp_path: Path) -> None:
    html = '<html><body><p>正文</p><img src="docgen-asset:broken.jpg"></body></html>'
    with pytest.raises(DocgenError, match="排版时出现问题"):
        render(html, [tmp_path], {"broken.jpg": b"not a jpeg at all"})


@pytest.mark.parametrize(
    "tag",
    ['<link rel="attachment" href="{url}">', '<p><a rel="attachment" href="{url}">附件</a></p>'],
)
def test_no_file_can_be_attached_even_from_an_allowed_folder(tmp_path: Path, tag: str) -> None:
    allowed_file = tmp_path / "note.txt"
    allowed_file.write_text("内部资料", encoding="utf-8")
    html = f"<html><body><p>正文</p>{tag.format(url=allowed_file.as_uri())}</body></html>"
    with pytest.raises(DocgenError, match=r"note\.txt 作为附件放进 PDF"):
        render(html, [tmp_path])
