"""The Word meeting report: content, GB/T 9704 layout, a real client opens it, restyling survives."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import edition
from docgen.home import DEFAULTS
from docgen.outputs import report

from .conftest import MINIMAL, ROOT, SAMPLE, pdftotext, squash

PREVIEW_FONTS = DEFAULTS / "fonts" / "office-preview.conf"


@pytest.fixture(scope="module")
def sample_docx() -> bytes:
    return report.render_docx(edition.load(SAMPLE))


def open_docx(data: bytes) -> Document:
    return Document(io.BytesIO(data))


def part_xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def test_tables_one_per_tier_header_repeats_rows_never_split(sample_docx: bytes) -> None:
    doc = open_docx(sample_docx)
    assert [len(t.rows) for t in doc.tables] == [11, 15]
    for table in doc.tables:
        header, *rows = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        assert [r.cells[0].text for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
        widths = [c.width for c in table.columns]
        assert widths[1] >= Mm(50) and widths[2] >= Mm(85)  # unit names on one or two lines


def test_gbt_9704_page_setup(sample_docx: bytes) -> None:
    section = open_docx(sample_docx).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(round(m.mm) for m in margins) == (37, 35, 28, 26)


def style_fonts(doc: Document, name: str) -> tuple[str | None, float | None]:
    st_ = doc.styles[name]
    fonts = st_.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")), st_.font.size.pt if st_.font.size else None


def test_gbt_9704_fonts_with_east_asian_slot_set(sample_docx: bytes) -> None:
    doc = open_docx(sample_docx)
    assert style_fonts(doc, "文件标题") == ("方正小标宋简体", 22)
    assert style_fonts(doc, "Normal") == ("仿宋", 16)
    assert style_fonts(doc, "Heading 1") == ("黑体", 16)
    assert style_fonts(doc, "Heading 2") == ("楷体", 16)
    indent = doc.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200"
    for style in doc.styles:
        rpr = style.element.rPr
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None and fonts.get(qn("w:ascii")):
            assert fonts.get(qn("w:eastAsia")), style.name


def test_title_font_declares_song_as_fallback(sample_docx: bytes) -> None:
    table = part_xml(sample_docx, "word/fontTable.xml")
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in table


def test_page_numbers_dashed_right_on_odd_left_on_even(sample_docx: bytes) -> None:
    doc = open_docx(sample_docx)
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.text == "—  —"  # the number itself is a PAGE field between the dashes
        assert "PAGE" in p._p.xml and str(p.alignment).lower().startswith(f"{align} ")
        assert {r.font.size for r in p.runs} == {Pt(14)}


def test_signature_block_with_chinese_date(sample_docx: bytes) -> None:
    paragraphs = [p.text for p in open_docx(sample_docx).paragraphs if p.text]
    assert paragraphs[-2:] == ["北京大学医学部工会", "2025年12月10日"]


def test_photos_fit_the_text_width_and_stay_small(sample_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(sample_docx)) as z:
        media = [i for i in z.infolist() if i.filename.startswith("word/media/")]
    assert len(media) == 9
    assert sum(i.file_size for i in media) < 3 * 1024 * 1024
    text_width = Mm(210 - 28 - 26)
    for shape in open_docx(sample_docx).inline_shapes:
        assert shape.width <= text_width


def test_two_runs_give_identical_bytes() -> None:
    loaded = edition.load(SAMPLE)
    assert report.render_docx(loaded) == report.render_docx(loaded)


def test_no_date_or_machine_in_core_properties(sample_docx: bytes) -> None:
    props = open_docx(sample_docx).core_properties
    assert props.created.date().isoformat() == "2025-12-10" == props.modified.date().isoformat()
    assert props.author == "北京大学医学部工会"
    assert props.title == "关于医学部工会系统第二十一届“权益杯”精品活动评选情况的报告"
    assert "python-docx" not in part_xml(open_docx_bytes := sample_docx, "docProps/core.xml")
    assert open_docx_bytes


# Names and titles as offices type them: markup characters, full-width punctuation, rare characters.
TRICKY = "&<>\"'甲乙丙丁工会“”‘’《》（）：；，。、—·•﹒䶮龘〇ABCxyz123{}%#"
texts = st.text(alphabet=TRICKY, min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=texts, activity=texts)
def test_names_round_trip_exactly(unit: str, activity: str) -> None:
    base = edition.load(MINIMAL)
    awards = list(base.edition.awards)
    first = awards[0].model_copy(
        update={
            "winners": [
                awards[0].winners[0].model_copy(update={"unit": unit, "activity": activity})
            ]
        }
    )
    changed = dataclasses.replace(
        base, edition=base.edition.model_copy(update={"awards": [first, *awards[1:]]})
    )
    doc = open_docx(report.render_docx(changed))
    reference = open_docx(report.render_docx(base))
    assert len(doc.paragraphs) == len(reference.paragraphs)
    row = doc.tables[0].rows[1]
    assert (row.cells[1].text, row.cells[2].text) == (unit, activity)


@pytest.fixture(scope="module")
def libreoffice_pdf(tmp_path_factory: pytest.TempPathFactory, sample_docx: bytes) -> Path:
    """The sample report converted by LibreOffice, with the preview font map (a real client)."""
    folder = tmp_path_factory.mktemp("lo")
    (folder / "report.docx").write_bytes(sample_docx)
    convert(folder / "report.docx")
    return folder / "report.pdf"


def convert(docx: Path) -> None:
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice is needed: tools/system-deps.sh test installs it")
    env = {"FONTCONFIG_FILE": str(PREVIEW_FONTS), "HOME": str(docx.parent), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(docx.parent),
            str(docx),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0 and docx.with_suffix(".pdf").is_file(), result.stderr


def test_libreoffice_reads_it_and_every_unit_is_there(libreoffice_pdf: Path) -> None:
    text = squash(pdftotext(libreoffice_pdf, "-raw"))
    loaded = edition.load(SAMPLE)
    for award in loaded.edition.awards:
        for w in award.winners:
            assert squash(w.unit) in text
    assert "关于医学部工会系统第二十一届“权益杯”精品活动评选情况的报告" in text


def test_libreoffice_uses_only_bundled_fonts(libreoffice_pdf: Path) -> None:
    from .conftest import pdffonts

    names = {row["name"].split("+", 1)[1] for row in pdffonts(libreoffice_pdf)}
    assert names and all(
        n.startswith(("NotoSerifCJK", "NotoSansCJK", "LXGWWenKai")) for n in names
    ), names


@pytest.mark.xfail(strict=True, reason="issue 12: breaks.py is not wired into the report yet")
def test_libreoffice_breaks_the_title_and_cells_only_between_words(libreoffice_pdf: Path) -> None:
    from docgen.context import report_title

    from . import wordbreaks

    e = edition.load(SAMPLE).edition
    winners = [w for a in e.awards for w in a.winners]
    texts = [report_title(e), *(w.unit for w in winners), *(w.activity for w in winners)]
    names = wordbreaks.declared_names(e)
    assert wordbreaks.check(libreoffice_pdf, texts, names) == []


def test_page_one_preview_is_checked_in(libreoffice_pdf: Path, tmp_path: Path) -> None:
    """docs/images/report-page1.png is what page 1 looks like; regenerate it when the layout changes."""
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(libreoffice_pdf),
            str(tmp_path / "page1"),
        ],
        check=True,
    )
    from PIL import Image, ImageChops

    now = Image.open(tmp_path / "page1.png").convert("L")
    committed = Image.open(ROOT / "docs" / "images" / "report-page1.png").convert("L")
    assert now.size == committed.size
    diff = ImageChops.difference(now, committed).point(lambda v: 255 if v > 64 else 0)
    changed = diff.histogram()[255] / (now.width * now.height)
    assert changed < 0.02, "page 1 changed: look at it, then update docs/images/report-page1.png"


def test_restyled_template_keeps_the_office_s_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office restyles templates/docx/report.docx in Word; what it changes must survive."""
    template = Document(str(report.TEMPLATE))
    section = template.sections[0]
    header = section.header.paragraphs[0]
    header.text = "北京大学医学部工会 · 内部资料"
    header.add_run().add_picture(
        str(DEFAULTS / "config" / "assets" / "logo-sample.png"), width=Mm(10)
    )
    template.styles["Normal"].font.size = Pt(15)
    template.styles["Normal"].element.rPr.find(qn("w:rFonts")).set(qn("w:eastAsia"), "仿宋_GB2312")
    template.tables[0].style = template.styles["Light Grid Accent 1"]
    restyled = tmp_path / "report.docx"
    template.save(str(restyled))
    monkeypatch.setattr(report, "TEMPLATE", restyled)

    doc = open_docx(report.render_docx(edition.load(SAMPLE)))
    assert doc.sections[0].header.paragraphs[0].text == "北京大学医学部工会 · 内部资料"
    assert doc.sections[0].header.part.related_parts  # the logo image came along
    assert doc.styles["Normal"].font.size == Pt(15)
    assert style_fonts(doc, "Normal")[0] == "仿宋_GB2312"
    assert all(t.style.name == "Light Grid Accent 1" for t in doc.tables)
    assert len(doc.tables) == 2
