"""Photos through a whole run: a bad photo stops it at its YAML line with nothing written; a huge
phone photo goes through; no EXIF or GPS survives into any output."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from docgen import generate
from docgen.errors import DocgenError

from .test_photos import png_declaring


def cut_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "照片文件是空的"),
        (b"GIF89a not really", "不是可识别的照片"),
        (cut_jpeg(), "照片文件不完整或已损坏"),
        (png_declaring(40_000, 40_000), "疑似损坏或恶意文件，已拒绝"),
    ],
    ids=["zero-byte", "renamed", "truncated", "gigapixel-bomb"],
)
def test_a_bad_photo_stops_the_run_at_its_line_and_nothing_is_written(
    edition_copy: Callable[..., Path], tmp_path: Path, content: bytes, message: str
) -> None:
    path = edition_copy()
    (path.parent / "photos" / "meeting.jpg").write_bytes(content)
    out = tmp_path / "out"
    with pytest.raises(DocgenError) as info:
        generate.generate(path, out)
    [problem] = info.value.problems
    assert (
        str(problem)
        .split("edition.yaml:", 1)[1]
        .startswith("23:13: photos[0].files[0]: meeting.jpg：")
    )
    assert message in problem.message
    assert not out.exists()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (39.0, 59.0, 0.0), 3: "E", 4: (116.0, 18.0, 0.0)}
    return exif


def test_a_200_megapixel_phone_photo_is_processed(
    edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    """Pillow refuses above 179 MP by default; JPEG decodes at 1/8 scale through draft()."""
    path = edition_copy()
    Image.new("L", (16_384, 12_288), 128).save(path.parent / "photos" / "meeting.jpg", quality=60)
    generate.generate(path, tmp_path / "out", only=["press"])
    assert (tmp_path / "out" / "press-release.pdf").stat().st_size > 0


def embedded_images(folder: Path, tmp: Path) -> list[Image.Image]:
    """Every image docgen wrote: extracted from the PDFs, the .docx media, the web folder."""
    pdf = str(folder / "press-release.pdf")
    subprocess.run(["pdfimages", "-all", pdf, str(tmp / "img")], check=True)
    blobs = [p.read_bytes() for p in sorted(tmp.glob("img-*"))]
    with zipfile.ZipFile(folder / "report.docx") as docx:
        blobs += [docx.read(n) for n in docx.namelist() if n.startswith("word/media/")]
    blobs += [p.read_bytes() for p in (folder / "press-release" / "images").iterdir()]
    return [Image.open(io.BytesIO(blob)) for blob in blobs]


def test_no_exif_or_gps_left_in_any_output(
    edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    path = edition_copy()
    Image.new("RGB", (800, 600), (120, 90, 60)).save(
        path.parent / "photos" / "meeting.jpg", exif=gps_exif()
    )
    out = tmp_path / "out"
    generate.generate(path, out, only=["press", "report"])
    images = embedded_images(out, tmp_path)
    assert len(images) == 3
    for image in images:
        assert not image.getexif(), image
        assert image.size == (600, 800) or image.size[1] > image.size[0]  # EXIF 6 applied: upright
