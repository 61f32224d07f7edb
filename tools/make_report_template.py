"""Build the first packaged templates/docx/report.docx (a developer tool; the office then edits it in Word).

    .venv/bin/python tools/make_report_template.py

Once shipped, the .docx is the source of truth: rerunning this script overwrites the office's
changes. The layout follows GB/T 9704-2012: A4, margins 37/35/28/26 mm, title 方正小标宋简体 22 pt
(宋体 declared as the fallback), body 仿宋 16 pt, level-1 headings 黑体, level-2 楷体.
Every piece of variable text is a docxtpl tag; nothing here is edition-specific.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parents[1] / "src/docgen/defaults/templates/docx/report.docx"

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋",
    "黑体",
    "楷体",
    "宋体",
)
LATIN = "Times New Roman"


def set_fonts(
    rpr_owner, east_asia: str, size_pt: float | None = None, bold: bool | None = None
) -> None:
    """Set all four font slots; python-docx's font.name alone leaves w:eastAsia unset."""
    font = rpr_owner.font
    font.name = LATIN
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold


def style(
    doc,
    name: str,
    east_asia: str,
    size: float,
    *,
    align=None,
    indent: bool = False,
    before: float = 0,
    after: float = 0,
    bold: bool = False,
):
    st = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, 1)
    if name not in ("Normal", "Heading 1", "Heading 2"):
        st.base_style = doc.styles["Normal"]
    set_fonts(st, east_asia, size, bold)
    pf = st.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PITCH_TWIPS / 20)  # 22 lines in the 225 mm type area
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.first_line_indent = Pt(size * 2) if indent else Pt(0)
    if indent:  # Word and WPS keep a 2-character indent even when the office changes the size
        st.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if align is not None:
        pf.alignment = align
    return st


TEXT_WIDTH_TWIPS = 11906 - 1587 - 1474  # A4 width minus the 28 mm and 26 mm margins
LINE_PITCH_TWIPS = 579  # 225 mm / 22 lines, rounded down
CHARS_PER_LINE = 28


def doc_grid(section) -> None:
    """GB/T 9704's 22 lines per page as Word's line grid.

    The 28 characters per line come from a -0.25 pt character spacing in Normal (see
    condense_normal), not from a character grid: with a "linesAndChars" grid finer than the
    16 pt font, LibreOffice and WPS give every character two grid cells (14 to a line).
    """
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def condense_normal(doc) -> None:
    """28 characters of 16 pt in the 156 mm line: each character 15.75 pt wide (28 × 15.75 < 442)."""
    pitch_twentieths = TEXT_WIDTH_TWIPS // CHARS_PER_LINE  # 315 = 15.75 pt
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(pitch_twentieths - 16 * 20))
    rpr.append(spacing)


FONT_TABLE = {
    # name: (altName, family). charset 86 = GB2312; altName is what Word shows and uses when the
    # font is missing (方正小标宋简体 is not on a stock Windows).
    TITLE_FONT: ("宋体", "roman"),
    BODY_FONT: ("FangSong", "modern"),
    H1_FONT: ("SimHei", "modern"),
    H2_FONT: ("KaiTi", "modern"),
    PAGE_FONT: ("SimSun", "auto"),
}


def font_table(doc) -> None:
    """Declare the Chinese fonts, with 宋体 as 方正小标宋简体's fallback (w:altName)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, (alt, family) in FONT_TABLE.items():
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alt),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def east_asian_everywhere(doc) -> None:
    """Every style that names a Latin font also names an East-Asian one (Word would otherwise
    set Chinese in its own default face), including the built-in styles nobody uses yet."""
    for st in doc.styles:
        rpr = st.element.rPr
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")) is None:
            fonts.set(qn("w:eastAsia"), BODY_FONT)


def doc_defaults(doc) -> None:
    """Chinese as the document language, and 仿宋 in the East-Asian slot of every default run."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def page_number_footer(section) -> None:
    """— 1 — in 宋体 四号 (14 pt): right on odd pages, left on even pages."""
    section.different_first_page_header_footer = False
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.first_line_indent = Pt(0)
        # 右空一字 / 左空一字: one 四号 character from the type area's edge
        side = "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent"
        setattr(p.paragraph_format, side, Pt(14))
        for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
            run = p.add_run(text or "")
            set_fonts(run, PAGE_FONT, 14)
            if field:
                for kind, instr in (("begin", None), (None, f" {field} "), ("end", None)):
                    if kind:
                        el = OxmlElement("w:fldChar")
                        el.set(qn("w:fldCharType"), kind)
                    else:
                        el = OxmlElement("w:instrText")
                        el.set(qn("xml:space"), "preserve")
                        el.text = instr
                    run._r.append(el)


def table_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def row_flags(row, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def cell_text(cell, text: str, style_name: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = cell.paragraphs[0]
    p.style = style_name
    p.alignment = align
    p.add_run(text)


def photos_block(doc, part: str) -> None:
    doc.add_paragraph(f"{{%p for f in figures.{part} %}}", style="Normal")
    doc.add_paragraph(
        "{% for img in f.images %}{{ img }}{% if not loop.last %} {% endif %}{% endfor %}",
        style="图片",
    )
    doc.add_paragraph("{%p if f.caption %}", style="Normal")
    doc.add_paragraph("{{ f.caption }}", style="图片说明")
    doc.add_paragraph("{%p endif %}", style="Normal")
    doc.add_paragraph("{%p endfor %}", style="Normal")


def winners_table(doc) -> None:
    doc.add_paragraph("{%p for award in awards %}", style="Normal")
    doc.add_paragraph(
        "（{{ loop.index|numeral }}）{{ award.name }}（{{ award.winners|length }}项）",
        style="Heading 2",
    )
    table = doc.add_table(rows=3, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table_borders(table)
    widths = (Mm(14), Mm(52), Mm(90))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice and WPS read
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    header, loop_row, _ = table.rows
    for cell, text in zip(header.cells, ("序号", "单位", "活动内容"), strict=True):
        cell_text(cell, text, "表头", WD_ALIGN_PARAGRAPH.CENTER)
    row_flags(header, header=True)
    cell_text(loop_row.cells[0], "{%tr for w in award.winners %}", "表格")
    data = table.add_row()
    for cell, width in zip(data.cells, widths, strict=True):
        cell.width = width
    cell_text(data.cells[0], "{{ w.rank }}", "表格", WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(data.cells[1], "{{ w.unit }}", "表格")
    cell_text(data.cells[2], "{{ w.activity }}", "表格")
    row_flags(data, header=False)
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", "表格")
    table._tbl.remove(table.rows[2]._tr)  # the empty third row created with the table
    doc.add_paragraph("{%p endfor %}", style="Normal")


def build() -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the page number's dashes sit 7 mm below the type area
    section.start_type = WD_SECTION.NEW_PAGE
    doc.settings.odd_and_even_pages_header_footer = True
    doc_grid(section)
    doc_defaults(doc)
    condense_normal(doc)
    font_table(doc)

    style(doc, "Normal", BODY_FONT, 16, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    style(doc, "文件标题", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, after=16)
    doc.styles["文件标题"].paragraph_format.line_spacing = Pt(36)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        heading = style(doc, name, font, 16, indent=True, bold=False)
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.font.italic = False
        heading.paragraph_format.keep_with_next = True
    style(doc, "图片", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    doc.styles["图片"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    style(doc, "图片说明", H2_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    style(doc, "表头", H1_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
    style(doc, "表格", BODY_FONT, 12)
    for name in ("表头", "表格"):
        doc.styles[name].paragraph_format.line_spacing = Pt(20)
    style(doc, "落款", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.styles["落款"].paragraph_format.right_indent = Pt(64)

    doc.add_paragraph("{{ report.title }}", style="文件标题")
    doc.add_paragraph(
        "{{ meeting.when }}，{{ organiser.short_name }}{% if meeting.venue %}在{{ meeting.venue }}{% endif %}"
        "召开{{ edition.ordinal }}“{{ edition.series }}”{{ edition.kind }}会。现将有关情况报告如下。"
    )
    photos_block(doc, "intro")

    doc.add_paragraph("一、评选会基本情况", style="Heading 1")
    doc.add_paragraph(
        "评选会由{{ meeting.host }}主持。{{ organiser.short_name }}以及{{ meeting.units }}家单位的"
        "{{ meeting.attendee_roles or '代表' }}{{ meeting.attendance }}参加。"
        "{% if meeting.presenters %}来自各单位的{{ meeting.presenters }}位汇报人进行了汇报。{% endif %}"
        "评委由{{ meeting.judges or meeting.judge_members }}担任"
        "{% if meeting.guests %}，特邀嘉宾评委为{{ meeting.guests }}{% endif %}。"
    )

    doc.add_paragraph("二、本届活动的特点", style="Heading 1")
    doc.add_paragraph("{{ story.features }}")
    photos_block(doc, "features")

    doc.add_paragraph("{%p if story.comments or story.comments_note %}", style="Normal")
    doc.add_paragraph("{{ headings.comments }}、评委点评", style="Heading 1")
    doc.add_paragraph("{%p for c in story.comments %}", style="Normal")
    doc.add_paragraph("{{ c.text }}")
    doc.add_paragraph("{%p endfor %}", style="Normal")
    doc.add_paragraph("{%p if story.comments_note %}", style="Normal")
    doc.add_paragraph("{{ story.comments_note }}")
    doc.add_paragraph("{%p endif %}", style="Normal")
    photos_block(doc, "comments")
    doc.add_paragraph("{%p endif %}", style="Normal")

    doc.add_paragraph("{{ headings.results }}、评选结果", style="Heading 1")
    doc.add_paragraph("经评委综合评分，评选出{{ story.results }}。{{ story.results_note or '' }}")
    winners_table(doc)
    photos_block(doc, "results")

    doc.add_paragraph("{%p if story.closing %}", style="Normal")
    doc.add_paragraph("{{ headings.closing }}、结语", style="Heading 1")
    doc.add_paragraph("{{ story.closing }}")
    doc.add_paragraph("{%p endif %}", style="Normal")
    photos_block(doc, "closing")

    doc.add_paragraph("", style="Normal")
    doc.add_paragraph("{{ signature.organiser }}", style="落款")
    doc.add_paragraph("{{ signature.date }}", style="落款")

    page_number_footer(section)
    east_asian_everywhere(doc)
    props = doc.core_properties
    props.title, props.author, props.subject = (
        "{{ report.title }}",
        "{{ organiser.name }}",
        "{{ edition.title }}",
    )
    props.comments, props.keywords, props.category = "", "", ""
    props.last_modified_by = "docgen"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)


if __name__ == "__main__":
    build()
