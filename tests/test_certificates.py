"""Certificates: wording, fitting (never overflowing a frame), print file, register, proof sheet,
re-issuing one certificate, and files that do not grow with the batch."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest
from openpyxl import load_workbook

from docgen import certificate, config, edition, generate, pdf, stock, templating
from docgen.artifacts import Options
from docgen.certconfig import TextFrame
from docgen.outputs import certificate_page as page

from .conftest import AWKWARD, MINIMAL, SAMPLE, pdffonts, pdftotext, squash

LOADED = edition.load(SAMPLE)


def test_wording_fills_the_pattern_and_turns_inner_quotes_single() -> None:
    [first, *_] = certificate.build(LOADED)
    assert first.texts["addressee"].value == "肿瘤医院工会："
    assert first.texts["body"].value == (
        "你单位申报的“‘屈原《离骚》歌未尽,杜甫《春望》东方白’——北京大学肿瘤医院工会 2025 年度爱国主义教育系列活动”"
        "在医学部工会系统第二十一届“权益杯”精品活动评选中荣获"
    )
    assert first.texts["award"].value == "精品活动奖"
    assert first.serial == "QYB-2025-21-J01"
    fixed = certificate.fixed_texts(LOADED)
    assert (fixed["issuer"].value, fixed["date"].value) == (
        "北京大学医学部工会",
        "二〇二五年十二月十日",
    )


def with_activity(activity: str) -> edition.Loaded:
    awards = list(LOADED.edition.awards)
    winners = [
        awards[0].winners[0].model_copy(update={"activity": activity}),
        *awards[0].winners[1:],
    ]
    awards[0] = awards[0].model_copy(update={"winners": winners})
    return dataclasses.replace(LOADED, edition=LOADED.edition.model_copy(update={"awards": awards}))


def laid_out(loaded: edition.Loaded) -> tuple[object, list[certificate.Certificate]]:
    from docgen.outputs.certificate_batch import Batch

    batch = Batch(loaded, certificate.build(loaded)[:1], Path("/nonexistent"))
    return batch.laid_out(batch.certs)


def frame_rect_pt(frame: TextFrame, size_pt: float) -> tuple[float, float, float, float]:
    """left, top, right, bottom of a frame in CSS px (WeasyPrint's layout unit)."""
    px = 96 / 25.4
    height = frame.height_pt() * 96 / 72
    return frame.left * px, frame.top * px, (frame.left + frame.width) * px, frame.top * px + height


@pytest.mark.parametrize("length", ["longest-real", 120, 200])
def test_long_titles_shrink_and_never_leave_their_frame(length: str | int) -> None:
    real = LOADED.edition.awards[0].winners[0].activity  # 肿瘤医院工会's, the longest in the story
    activity = real if length == "longest-real" else ("健康促进与人文关怀" * 30)[: int(length)]
    loaded = with_activity(activity)
    document, [cert] = laid_out(loaded)
    body = cert.texts["body"]
    for box in document.pages[0]._page_box.descendants():  # type: ignore[attr-defined]
        if box.element_tag != "p":
            continue
        text = cert.texts[box.element.get("class").split(" ")[0]]
        left, top, right, bottom = frame_rect_pt(text.frame, text.size_pt)
        lines = [c for c in box.children if type(c).__name__ == "LineBox"]
        assert len(lines) <= text.frame.lines_at(text.size_pt), text.name
        for line in lines:
            assert line.position_x >= left - 0.5 and line.position_x + line.width <= right + 0.5, (
                text.name
            )
            assert line.position_y >= top - 0.5 and line.position_y + line.height <= bottom + 1, (
                text.name
            )
    assert body.size_pt >= (20 if length == "longest-real" else body.frame.smallest_pt)
    assert body.shrunk == (length != "longest-real") or body.size_pt >= 20


def test_no_lone_character_on_the_last_line_of_the_body() -> None:
    for extra in range(12):  # titles of every length modulo a line: one of them ends a line early
        document, _ = laid_out(with_activity("健康促进与人文关怀" * 5 + "甲" * extra))
        for box in document.pages[0]._page_box.descendants():  # type: ignore[attr-defined]
            if box.element_tag == "p" and box.element.get("class").startswith("body "):
                last = box.children[-1]
                text = "".join(t.text for t in last.descendants() if type(t).__name__ == "TextBox")
                assert len(text) >= 2, (extra, text)


def test_text_too_long_even_at_the_smallest_size_is_reported_by_check(edition_copy) -> None:  # type: ignore[no-untyped-def]
    long = "很长的活动名称" * 60
    path = edition_copy(("        activity: 健康走", f"        activity: {long}"))
    problems = list(certificate.fit_problems(edition.load(path)))
    [problem] = problems
    assert (
        str(problem)
        .split("edition.yaml:", 1)[1]
        .startswith("28:9: awards[0].winners[0]: 证书上的正文")
    )
    assert "太长" in problem.message and "certificate_activity" in problem.message


@pytest.fixture(scope="module")
def minimal_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("certs") / "out"
    generate.generate(MINIMAL, out, only=["certificates"])
    return out


def test_print_file_has_bleed_trim_box_and_crop_marks(minimal_out: Path) -> None:
    with pikepdf.open(minimal_out / "print" / "certificates-print.pdf") as doc:
        assert len(doc.pages) == 2
        for p in doc.pages:
            media = [float(v) for v in p.mediabox]
            trim = [float(v) for v in p.trimbox]
            bleed_pt = 3 * 72 / 25.4
            assert trim == pytest.approx([0, 0, 297 * 72 / 25.4, 210 * 72 / 25.4], abs=0.05)
            assert media == pytest.approx(
                [-bleed_pt, -bleed_pt, trim[2] + bleed_pt, trim[3] + bleed_pt], abs=0.05
            )
    for row in pdffonts(minimal_out / "print" / "certificates-print.pdf"):
        assert (row["emb"], row["sub"]) == ("yes", "yes")
    text = squash(pdftotext(minimal_out / "print" / "certificates-print.pdf"))
    assert "甲单位工会" in text and "乙单位工会" in text


def test_print_sheet_shows_the_certificate_unchanged_and_crop_marks_in_the_bleed(
    minimal_out: Path, tmp_path: Path
) -> None:
    """What a person sees: cut at its trim box, the print page is the office's certificate (the
    design was once stretched 2 % over the bleed); outside it, in the bleed, the crop marks."""
    from PIL import Image, ImageChops

    dpi, bleed_px = 100, round(3 / 25.4 * 100)
    for name in ("print/certificates-print.pdf", "certificates.pdf"):
        target = tmp_path / name.replace("/", "-")
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-gray",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(minimal_out / name),
                str(target.with_suffix("")),
            ],
            check=True,
        )
    sheet = Image.open(tmp_path / "print-certificates-print.png").convert("L")
    page = Image.open(tmp_path / "certificates.png").convert("L")
    inner = sheet.crop((bleed_px, bleed_px, bleed_px + page.width, bleed_px + page.height))
    moved = ImageChops.difference(inner, page).point(lambda v: 255 if v > 64 else 0)
    assert moved.histogram()[255] < 0.002 * page.width * page.height
    corners = [
        (0, 0),
        (sheet.width - bleed_px, 0),
        (0, sheet.height - bleed_px),
        (sheet.width - bleed_px, sheet.height - bleed_px),
    ]
    for x, y in corners:
        darkest, _ = sheet.crop((x, y, x + bleed_px, y + bleed_px)).getextrema()
        assert darkest < 128, f"no crop mark in the bleed corner at {x},{y}"


def test_register_lists_every_certificate_with_its_hash(minimal_out: Path) -> None:
    raw = (minimal_out / "certificates-register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese right only with a BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["证书编号", "获奖单位", "奖项", "名次", "活动名称", "文件", "SHA-256"]
    assert [r[:4] for r in rows[1:]] == [
        ["QYB-2024-3-A01", "甲单位工会", "一等奖", "1"],
        ["QYB-2024-3-B01", "乙单位工会", "二等奖", "1"],
    ]
    for row in rows[1:]:
        assert hashlib.sha256((minimal_out / row[5]).read_bytes()).hexdigest() == row[6]
    sheet = load_workbook(minimal_out / "certificates-register.xlsx").active
    assert [[c.value for c in r] for r in sheet.iter_rows()][1][:3] == [
        "QYB-2024-3-A01",
        "甲单位工会",
        "一等奖",
    ]


def test_proof_sheet_shows_every_certificate_and_flags_shrunk_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate.generate(AWKWARD, out, only=["certificates"])
    text = squash(pdftotext(out / "certificates-proof.pdf"))
    assert "证书校样" in text
    for serial in ("HX-2031-A001", "HX-2031-A002", "HX-2031-B001", "HX-2031-C001"):
        assert serial in text
    assert "正文缩至" in text  # the 100-character title was shrunk, and the proof says so
    assert "备用字体：㐀" in text  # 楷体 has no 㐀: Noto Serif CJK SC draws it
    assert (out / "certificates-proof-1.png").read_bytes().startswith(b"\x89PNG")
    with pikepdf.open(out / "certificates-proof.pdf") as proof:
        xobjects = proof.pages[0].Resources.XObject
        assert len(xobjects) >= 4  # the certificates themselves, as vector forms


def test_reruns_are_byte_identical_and_reissue_equals_the_batch_copy(
    tmp_path: Path, minimal_out: Path
) -> None:
    again = tmp_path / "again"
    generate.generate(MINIMAL, again, only=["certificates"])
    for name in (
        "certificates.pdf",
        "print/certificates-print.pdf",
        "certificates-register.xlsx",
        "certificates-proof.pdf",
        "certificates/2-乙单位工会-二等奖.pdf",
    ):
        assert (again / name).read_bytes() == (minimal_out / name).read_bytes(), name
    single = again / "certificates" / "2-乙单位工会-二等奖.pdf"
    single.unlink()
    generate.generate(MINIMAL, again, options=Options(winner="QYB-2024-3-B01"))
    assert (
        single.read_bytes()
        == (minimal_out / "certificates" / "2-乙单位工会-二等奖.pdf").read_bytes()
    )
    manifest = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    assert "certificates/1-甲单位工会-一等奖.pdf" in {f["path"] for f in manifest["files"]}


def test_unknown_serial_for_reissue(tmp_path: Path) -> None:
    from docgen.errors import DocgenError

    with pytest.raises(DocgenError, match="没有编号为 NOPE 的证书"):
        generate.generate(MINIMAL, tmp_path / "o", options=Options(winner="NOPE"))


def test_files_do_not_grow_with_the_batch(sample_out: Path) -> None:
    sizes = [p.stat().st_size for p in (sample_out / "certificates").glob("*.pdf")]
    assert max(sizes) < 400 * 1024
    assert max(sizes) < 2 * min(sizes)


def test_no_seal_leaves_the_issuer_for_a_hand_stamp(edition_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = edition_copy(("press:", "certificates:\n  seal: none\npress:"))
    out = tmp_path / "out"
    generate.generate(path, out, only=["certificates"])
    with pikepdf.open(out / "certificates.pdf") as doc:
        names = list(doc.pages[0].Resources.XObject.keys())
    assert len(names) == 1  # the design layer only: no seal stamped over the text
    assert "二〇二四年十一月五日" in squash(pdftotext(out / "certificates.pdf"))


def test_qr_code_carries_the_serial(
    edition_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    loaded = edition.load(MINIMAL)
    settings = loaded.settings
    qr = settings.certificate.qr.model_copy(update={"enabled": True, "text": "证书 {serial}"})
    cert_cfg = settings.certificate.model_copy(update={"qr": qr})
    loaded = dataclasses.replace(
        loaded, settings=dataclasses.replace(settings, certificate=cert_cfg)
    )
    env = templating.environment(page.TEMPLATES)
    assets = pdf.Assets(roots=[page.TEMPLATES])
    html = page.text_html(loaded, env, certificate.build(loaded)[:1], assets, stock.Plan())
    assert 'class="qr"' in html
    import segno

    expected = io.BytesIO()
    segno.make("证书 QYB-2024-3-A01", error="m").save(
        expected, kind="svg", border=0, xmldecl=False, unit="mm"
    )
    assert assets.memory["qr-0.svg"] == expected.getvalue()


def test_certificate_pdfs_are_valid(minimal_out: Path) -> None:
    for path in [*minimal_out.rglob("*.pdf")]:
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (path, result.stdout)


def test_a_fit_estimate_too_optimistic_is_caught_after_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Layout, not the estimate, has the last word: texts that still overflow are shrunk again."""
    from docgen import fit

    monkeypatch.setattr(fit, "SAFETY", 1.25)  # the estimate now thinks a quarter more fits a line
    loaded = with_activity(("健康促进与人文关怀" * 30)[:120])
    estimated = certificate.build(loaded)[0].texts["body"].size_pt
    document, [cert] = laid_out(loaded)
    assert cert.texts["body"].size_pt < estimated
    for box in document.pages[0]._page_box.descendants():  # type: ignore[attr-defined]
        if box.element_tag == "p" and box.element.get("class").startswith("body "):
            lines = [c for c in box.children if type(c).__name__ == "LineBox"]
            assert len(lines) <= cert.texts["body"].frame.lines_at(cert.texts["body"].size_pt)
            assert sum(line.height for line in lines) <= box.height + 0.5


def test_other_paper_sizes(tmp_path: Path) -> None:
    loaded = edition.load(MINIMAL)
    s = loaded.settings
    page_cfg = s.certificate.page.model_copy(update={"width_mm": 285, "height_mm": 210})
    settings = dataclasses.replace(
        s, certificate=s.certificate.model_copy(update={"page": page_cfg})
    )
    from docgen.artifacts import Run
    from docgen.outputs import certificates

    (tmp_path / "s").mkdir()
    run = Run(dataclasses.replace(loaded, settings=settings), tmp_path / "s")
    one = next(a for a in certificates.render(run) if a.name.startswith("certificates/"))
    with pikepdf.open(io.BytesIO(one.data or b"")) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
    assert box[2] == pytest.approx(285 * 72 / 25.4, abs=0.1)


def test_a_low_resolution_raster_seal_is_pointed_out(tmp_path: Path) -> None:
    from PIL import Image

    from .test_config_paths import docgen_home, name_in

    home = docgen_home(tmp_path / "home")
    Image.new("RGBA", (200, 200), (200, 0, 0, 255)).save(home / "config" / "seal.png")
    where = name_in(home, "certificate-seal", "seal.png")
    loaded = edition.load(MINIMAL)
    settings = config.resolve(loaded.edition, loaded.doc, home)
    [warning] = list(certificate.image_warnings(dataclasses.replace(loaded, settings=settings)))
    assert not warning.is_error
    assert str(warning).split(f"{home}/", 1)[1].startswith(where)  # at the line naming it
    assert warning.message.startswith(
        "seal.png 只有 200 像素宽，印在证书上 34 mm 宽时约 149 dpi，低于印刷需要的 300 dpi"
    )
    assert list(certificate.image_warnings(edition.load(MINIMAL))) == []  # the SVG sample artwork


def test_batch_files_are_the_same_when_made_from_many_chunks(
    tmp_path: Path, sample_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big runs build certificates.pdf, the print file and the proof from chunk files; the proof
    reads each group's thumbnails from the chunk files it spans. Chunks of 5 and one-page proof
    groups make every proof page span chunk boundaries: what a person sees must not change."""
    from PIL import Image, ImageChops

    from docgen import proof
    from docgen.outputs import certificate_batch

    monkeypatch.setattr(certificate_batch, "CHUNK", 5)
    monkeypatch.setattr(proof, "GROUP", 1)
    monkeypatch.setattr(proof, "MAX_PNGS", 3)
    out = tmp_path / "chunked"
    generate.generate(SAMPLE, out, only=["certificates"])
    for name in ("certificates.pdf", "print/certificates-print.pdf", "certificates-proof.pdf"):
        assert pdftotext(out / name) == pdftotext(sample_out / name), name
        with pikepdf.open(out / name) as merged, pikepdf.open(sample_out / name) as whole:
            assert dict(merged.docinfo) == dict(whole.docinfo), name  # title, author, dates
            assert merged.Root.get("/Lang") == whole.Root.get("/Lang"), name
    with pikepdf.open(out / "certificates.pdf") as merged:
        assert merged.Root.Lang == "zh-CN"  # the first chunk's catalogue is kept
    with pikepdf.open(out / "certificates-proof.pdf") as chunked:
        assert len(chunked.pages) == 2  # 24 certificates, 12 to a page
    for png in sorted(out.glob("certificates-proof-*.png")):
        ours, whole = Image.open(png), Image.open(sample_out / png.name)
        assert ours.size == whole.size
        assert ImageChops.difference(ours.convert("RGB"), whole.convert("RGB")).getbbox() is None
    for single in (sample_out / "certificates").glob("*.pdf"):
        assert (out / "certificates" / single.name).read_bytes() == single.read_bytes()
