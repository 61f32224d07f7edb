"""The shared photo pipeline: upright, RGB, downscaled, stripped; broken files fail loud."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from docgen import photos

# An asymmetric test picture: a red block top-left on white, so any wrong turn or flip shows.
W, H = 60, 40


def picture() -> Image.Image:
    im = Image.new("RGB", (W, H), "white")
    im.paste((220, 0, 0), (0, 0, 20, 10))
    return im


def stored_with_orientation(orientation: int) -> Image.Image:
    """The picture as a camera would store it for an EXIF orientation (inverse of the transpose)."""
    inverse = {
        1: None,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }
    im = picture()
    op = inverse[orientation]
    return im.transpose(op) if op is not None else im


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(tmp_path: Path, orientation: int) -> None:
    stored = stored_with_orientation(orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, quality=95, exif=exif)
    assert ImageOps.exif_transpose(Image.open(path)).size == (W, H)  # the fixture is right
    out = photos.prepare(path, 100)
    im = Image.open(io.BytesIO(out.data))
    assert (im.width, im.height) == (W, H) == (out.width, out.height)
    assert photos.size(path) == (W, H)
    r, g, b = im.getpixel((5, 3))
    assert r > 180 and g < 80 and b < 80  # red block still top-left
    assert sum(im.getpixel((W - 5, H - 3))) > 700  # white bottom-right


def test_exif_and_gps_are_stripped(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 59.0, 0.0)}
    path = tmp_path / "gps.jpg"
    picture().save(path, exif=exif)
    out = Image.open(io.BytesIO(photos.prepare(path, 100).data))
    assert not out.getexif()
    assert "exif" not in out.info and "icc_profile" not in out.info


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("CMYK", "JPEG"), ("RGBA", "PNG"), ("P", "PNG"), ("LA", "PNG"), ("L", "PNG"), ("I;16", "PNG")],
)
def test_colour_modes_come_out_rgb(tmp_path: Path, mode: str, fmt: str) -> None:
    src = picture().convert(mode) if mode != "I;16" else picture().convert("L").convert("I;16")
    path = tmp_path / f"p.{fmt.lower()}"
    src.save(path, fmt)
    out = Image.open(io.BytesIO(photos.prepare(path, 100).data))
    assert out.mode == "RGB"
    assert out.format == "JPEG"


def test_transparent_png_is_flattened_on_white(tmp_path: Path) -> None:
    path = tmp_path / "t.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(path)
    out = Image.open(io.BytesIO(photos.prepare(path, 100).data))
    assert out.getpixel((5, 5)) == (255, 255, 255)


def test_downscaled_to_the_longest_side_asked(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(path)
    out = photos.prepare(path, 1600)
    assert (out.width, out.height) == (1600, 1200)


def test_never_upscaled(tmp_path: Path) -> None:
    path = tmp_path / "small.jpg"
    picture().save(path)
    assert (photos.prepare(path, 5000).width, photos.prepare(path, 5000).height) == (W, H)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "照片文件是空的（0 字节）"),
        (b"this is not a photo", "不是可识别的照片"),
        (png_declaring(40_000, 40_000), "疑似损坏或恶意文件，已拒绝"),
        (png_declaring(12_000, 11_000), "超过 120 百万像素的上限"),
        (b"%PDF-1.7\n", "不是可识别的照片"),
    ],
)
def test_broken_files_fail_loud(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(photos.PhotoError, match=message):
        photos.prepare(path, 100)


def test_truncated_jpeg_fails_loud_even_after_weasyprint_is_imported(tmp_path: Path) -> None:
    import weasyprint  # noqa: F401 - it sets ImageFile.LOAD_TRUNCATED_IMAGES = True globally

    path = tmp_path / "cut.jpg"
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(photos.PhotoError, match="照片文件不完整或已损坏"):
        photos.prepare(path, 100)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(photos.PhotoError, match="文件不存在"):
        photos.prepare(tmp_path / "none.jpg", 100)


def test_heic_is_read(tmp_path: Path) -> None:
    path = tmp_path / "iphone.heic"
    picture().save(path, format="HEIF")
    out = photos.prepare(path, 100)
    assert (out.width, out.height) == (W, H)


def test_which_jpegs_keep_every_coefficient_in_memory() -> None:
    """libjpeg decodes a single-scan baseline JPEG row by row (and draft() shrinks it); a
    progressive one, or one whose colours come in later scans, is held whole as coefficients,
    2 bytes each, however small it is decoded."""
    from docgen import imagecost

    from . import bombs

    def frame(**options: object) -> imagecost.JpegFrame | None:
        buffer = io.BytesIO()
        picture().save(buffer, "JPEG", **options)
        return imagecost.jpeg_frame(buffer.getvalue())

    baseline, progressive = frame(), frame(progressive=True)
    assert baseline is not None and not baseline.buffered
    assert progressive is not None and progressive.buffered
    assert progressive.coefficient_bytes == (8 * 5 + 4 * 3 * 2) * 128  # 4:2:0 blocks of 60×40
    for bomb in (bombs.jpeg(19_990, 20_000), bombs.jpeg(19_990, 20_000, progressive=False)):
        found = imagecost.jpeg_frame(bomb)
        assert found is not None and found.buffered
        assert found.coefficient_bytes > 1_100_000_000


def test_decoded_size_is_judged_before_decoding(tmp_path: Path) -> None:
    """size() (what edition.load calls) refuses a bomb from its header alone."""
    from . import bombs

    path = tmp_path / "bomb.webp"
    path.write_bytes(bombs.webp(16_383, 7_300))  # 34 bytes; 1.9 GB to decode
    with pytest.raises(photos.PhotoError, match="解码需要约 1,854 MB 内存，超过上限 256 MB"):
        photos.size(path)
