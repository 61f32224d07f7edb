"""Printing on preprinted stock (套打): texts only, at calibrated positions; the calibration sheet;
the stock scan in the proof and never in a print file."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from docgen import calibrate, config, edition, generate, stock
from docgen.artifacts import Options, Run
from docgen.home import Home, find_home
from docgen.outputs import certificates

from .conftest import MINIMAL, pdftotext, squash
from .test_config_paths import docgen_home, name_in


def test_correction_from_two_measured_crosses() -> None:
    profile = stock.PrinterProfile(
        page_width_mm=297,
        page_height_mm=210,
        crosses=stock.Crosses(a_x=21.5, a_y=20.8, b_x=279.27, b_y=190.8),
    )
    fix = stock.correction(profile)
    assert fix.scale_x == pytest.approx((279.27 - 21.5) / 257)
    assert fix.scale_y == pytest.approx(1.0)
    # What must print at a cross is placed where the printer then puts it on the cross.
    for x, y in ((20, 20), (277, 190), (148.5, 105)):
        px, py = fix.place(x, y)
        assert fix.offset_x + fix.scale_x * px == pytest.approx(x)
        assert fix.offset_y + fix.scale_y * py == pytest.approx(y)


def test_the_shipped_example_profile_loads() -> None:
    fix = stock.correction(stock.load_profile(find_home(), "example"))
    assert fix.offset_x == pytest.approx(1.44, abs=0.01) and fix.offset_y == pytest.approx(0.8)


def word_boxes(path: Path, page: int = 1) -> dict[str, tuple[float, float]]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        m[3]: (float(m[1]), float(m[2]))
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', xml)
    }


@pytest.fixture(scope="module")
def blank_and_stock(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("stock")
    generate.generate(MINIMAL, base / "blank", only=["certificates"])
    generate.generate(
        MINIMAL,
        base / "stock",
        only=["certificates"],
        options=Options(stock="preprinted", printer="example"),
    )
    return base / "blank", base / "stock"


def test_preprinted_prints_only_the_texts_shifted_by_the_printer_correction(
    blank_and_stock: tuple[Path, Path],
) -> None:
    blank, on_stock = blank_and_stock
    text = squash(pdftotext(on_stock / "certificates.pdf"))
    assert "甲单位工会" in text and "一等奖" in text and "二〇二四年十一月五日" in text
    assert "荣誉证书" not in text  # the title is preprinted on the stock
    with pikepdf.open(on_stock / "certificates.pdf") as doc:
        assert "/DocgenOver0" not in doc.pages[0].Resources.XObject  # no seal on stock
    fix = stock.correction(stock.load_profile(find_home(), "example"))
    before, after = (
        word_boxes(blank / "certificates.pdf"),
        word_boxes(on_stock / "certificates.pdf"),
    )
    word = next(w for w in before if w.startswith("甲单位工会"))
    expected = fix.place(before[word][0] * 25.4 / 72, before[word][1] * 25.4 / 72)
    assert after[word][0] * 25.4 / 72 == pytest.approx(expected[0], abs=0.3)
    assert after[word][1] * 25.4 / 72 == pytest.approx(expected[1], abs=0.3)


def test_no_print_shop_file_for_stock(blank_and_stock: tuple[Path, Path]) -> None:
    blank, on_stock = blank_and_stock
    assert (blank / "print" / "certificates-print.pdf").is_file()
    assert not (on_stock / "print").exists()


def scan_run(tmp_path: Path) -> Run:
    """A run of the minimal edition's certificates on preprinted stock with a scan of the blank
    stock (config/stock-scan.jpg in an office folder under ``tmp_path``)."""
    home = docgen_home(tmp_path / "home")
    scan = home / "config" / "stock-scan.jpg"
    Image.new("RGB", (1188, 840), (250, 240, 215)).save(scan, quality=90)
    name_in(home, "stock.scan", "stock-scan.jpg")
    loaded = edition.load(MINIMAL)
    s = config.resolve(loaded.edition, loaded.doc, Home(home))
    stock_cfg = s.certificate.stock.model_copy(update={"mode": "preprinted"})
    cert_cfg = s.certificate.model_copy(update={"stock": stock_cfg})
    settings = dataclasses.replace(s, certificate=cert_cfg)
    (tmp_path / "scratch").mkdir()
    return Run(dataclasses.replace(loaded, settings=settings), tmp_path / "scratch")


def test_proof_shows_the_scan_but_no_print_file_contains_it(tmp_path: Path) -> None:
    run = scan_run(tmp_path)
    s = run.loaded.settings
    plan = stock.plan(s.home, s.certificate.stock, scan=s.scan)
    assert plan.scan is not None
    assert plan.scan.data == s.home.file("config/stock-scan.jpg").read_bytes()
    artifacts = {a.name: a for a in certificates.render(run)}
    proof = artifacts["certificates-proof.pdf"].source
    assert proof is not None
    images = subprocess.run(
        ["pdfimages", "-list", str(proof)], capture_output=True, text=True
    ).stdout
    assert " 1188 " in images  # the scan is in the proof
    for name in ("certificates.pdf", "certificates/1-甲单位工会-一等奖.pdf"):
        art = artifacts[name]
        path = art.source or (tmp_path / "one.pdf")
        if art.data is not None:
            path.write_bytes(art.data)
        listing = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, text=True
        ).stdout
        assert " 1188 " not in listing, name


def test_calibration_sheet_has_rulers_and_crosses(tmp_path: Path) -> None:
    page = config.load_certificate_defaults().page
    data = calibrate.sheet(find_home(), page)
    path = tmp_path / "cal.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
        assert box[2] == pytest.approx(297 * 72 / 25.4, abs=0.1) and box[3] == pytest.approx(
            210 * 72 / 25.4, abs=0.1
        )
    text = squash(pdftotext(path))
    assert "十字A（应在20,20mm）" in text and "十字B（应在277,190mm）" in text
    assert "config/printers/打印机名.yaml" in text
    for mark in ("10", "100", "280"):
        assert mark in pdftotext(path)
    corrected = calibrate.sheet(find_home(), page, "example")
    assert corrected != data and b"DocgenPage" in corrected


def test_calibrate_command(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "docgen", "calibrate", "-o", str(tmp_path / "c.pdf")],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "docgen",
            "calibrate",
            "--printer",
            "nope",
            "-o",
            str(tmp_path / "d.pdf"),
        ],
        capture_output=True,
        text=True,
    )
    # A usage error (exit 2) naming the option, the file and the printers there are.
    assert missing.returncode == 2, missing.stderr
    assert "参数 --printer：config/printers/nope.yaml：文件不存在；已有的打印机：example" in (
        missing.stderr
    )
