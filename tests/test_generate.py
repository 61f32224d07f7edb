"""End to end: the sample edition generates every file, and each carries what the story carries."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from docx import Document

from docgen import edition, fonts

from .conftest import SAMPLE, pdffonts, pdftotext, squash

LOADED = edition.load(SAMPLE)
E = LOADED.edition
WINNERS = [(a.name, w) for a in E.awards for w in a.winners]
BUNDLED = {f.family.replace(" ", "-") for f in fonts.faces()}


def test_output_folder_layout(sample_out: Path) -> None:
    expected = {
        "report.docx",
        "press-release.pdf",
        "press-release/index.html",
        "press-release/style.css",
        "certificates.pdf",
        "manifest.json",
    }
    files = {p.relative_to(sample_out).as_posix() for p in sample_out.rglob("*") if p.is_file()}
    assert expected <= files
    certs = sorted(f for f in files if f.startswith("certificates/"))
    assert len(certs) == 24
    assert certs[0] == "certificates/01-肿瘤医院工会-精品活动奖.pdf"
    assert certs[-1] == "certificates/24-第一医院药剂科分工会-优秀活动奖.pdf"
    assert len([f for f in files if f.startswith("press-release/images/")]) == 9


def test_manifest_lists_every_file_with_size_and_hash(sample_out: Path) -> None:
    manifest = json.loads((sample_out / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(sample_out).as_posix() for p in sample_out.rglob("*") if p.is_file()}
    assert {f["path"] for f in manifest["files"]} == on_disk - {"manifest.json"}
    for entry in manifest["files"]:
        data = (sample_out / entry["path"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert manifest["winners"] == {"total": 24, "by_award": {"精品活动奖": 10, "优秀活动奖": 14}}
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", manifest["docgen"])


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_report_contains_every_unit_and_activity(sample_out: Path) -> None:
    text = docx_text(sample_out / "report.docx")
    for _, winner in WINNERS:
        assert winner.unit in text
        assert winner.activity in text
    assert "关于医学部工会系统第二十一届“权益杯”精品活动评选情况的报告" in text
    assert "2025年12月10日" in text


def test_report_has_one_table_per_tier_and_a_row_per_winner(sample_out: Path) -> None:
    tables = Document(str(sample_out / "report.docx")).tables
    assert [len(t.rows) - 1 for t in tables] == [10, 14]
    assert [c.text for c in tables[0].rows[0].cells] == ["序号", "单位", "活动内容"]


def press_text(sample_out: Path) -> str:
    return squash(pdftotext(sample_out / "press-release.pdf", "-raw"))


def test_press_pdf_carries_every_winner(sample_out: Path) -> None:
    text = press_text(sample_out)
    for _, winner in WINNERS:
        assert squash(winner.unit) in text
        assert squash(winner.activity) in text


def test_press_pdf_carries_the_facts_names_and_paragraphs(sample_out: Path) -> None:
    text = press_text(sample_out)
    facts = [
        "2025年12月10日下午",
        "14家单位",
        "70余人",
        "23位汇报人",
        "董惠华主持",
        "武慧媛",
        "杨永",
        "王志强",
        "医学部党委宣传部副部长武慧媛",
        "人事处副处长杨永",
        "院级单位的代表",
        "精品活动10项",
        "优秀活动14项",
        "2025年医学部工会系统第二十一届“权益杯”精品活动奖",
        "2025年医学部工会系统第二十一届“权益杯”优秀活动奖",
    ]
    texts = [
        E.press.title,
        E.story.features,
        E.story.comments_note,
        E.story.results_note,
        E.story.closing,
    ]
    texts += [c.text for c in E.story.comments] + [g.caption for g in E.photos if g.caption]
    for item in facts + texts:
        assert squash(item) in text, item


def test_press_html_carries_every_winner_exactly(sample_out: Path) -> None:
    page = html.unescape((sample_out / "press-release" / "index.html").read_text(encoding="utf-8"))
    for _, winner in WINNERS:
        assert f"<td>{winner.unit}</td><td>{winner.activity}</td>" in page


def test_each_certificate_names_its_unit_award_and_serial(sample_out: Path) -> None:
    files = sorted((sample_out / "certificates").glob("*.pdf"))
    for path, (award, winner), serial in zip(files, WINNERS, LOADED.serials(), strict=True):
        text = squash(pdftotext(path))
        assert squash(winner.unit) in text
        assert award in text
        assert serial in text
        assert "二〇二五年十二月十日" in text


def test_combined_certificates_pdf_is_in_print_order(sample_out: Path) -> None:
    pages = pdftotext(sample_out / "certificates.pdf").split("\f")
    for page, (award, winner) in zip(pages, WINNERS, strict=False):
        assert squash(winner.unit) in squash(page) and award in page
    assert len([p for p in pages if p.strip()]) == 24


def all_pdfs(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pdf"))


def test_pdfs_use_only_bundled_fonts_all_embedded(sample_out: Path) -> None:
    for path in all_pdfs(sample_out):
        rows = pdffonts(path)
        assert rows, path
        for row in rows:
            assert row["name"].split("+", 1)[1] in BUNDLED | {f"{b}-Bold" for b in BUNDLED}, (
                path,
                row,
            )
            assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), (path, row)


def test_certificate_files_do_not_grow_with_the_batch(sample_out: Path) -> None:
    sizes = [p.stat().st_size for p in (sample_out / "certificates").glob("*.pdf")]
    assert max(sizes) < 400 * 1024


@pytest.mark.parametrize("name", ["press-release.pdf", "certificates.pdf"])
def test_pdf_dates_come_from_the_edition(sample_out: Path, name: str) -> None:
    info = pdfinfo(sample_out / name)
    assert info["CreationDate"].startswith("Wed Dec 10 00:00:00 2025")
    assert info["Author"] == "北京大学医学部工会"


def pdfinfo(path: Path) -> dict[str, str]:
    import subprocess

    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_awkward_edition_round_trips_markup_characters(awkward_out: Path) -> None:
    awkward = edition.load(Path(__file__).parent / "data" / "awkward" / "edition.yaml").edition
    report = docx_text(awkward_out / "report.docx")
    press = press_text(awkward_out)
    page = html.unescape((awkward_out / "press-release" / "index.html").read_text(encoding="utf-8"))
    for award in awkward.awards:
        for w in award.winners:
            assert w.unit in report and w.activity in report
            assert squash(w.activity) in press
            assert w.activity in page


def test_pdfs_still_render_without_libharfbuzz_subset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint then subsets with fontTools and logs a warning: slower, not an error."""
    import weasyprint.pdf.fonts

    from docgen import generate

    from .conftest import MINIMAL

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    generate.generate(MINIMAL, tmp_path / "out", only=["certificates"])
    assert "甲单位工会" in pdftotext(tmp_path / "out" / "certificates.pdf")
