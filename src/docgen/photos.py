"""The one photo pipeline every output uses: read the file boundedly, judge what decoding it costs
before decoding, decode reduced, make RGB and upright, and re-encode as a plain JPEG with no
EXIF/GPS left in it."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pillow_heif
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from . import imagecost, userfiles
from .errors import DocgenError

pillow_heif.register_heif_opener()

MAX_FILE_BYTES = 80 * userfiles.MB
MAX_PIXELS_JPEG = 400_000_000
"""JPEG decodes at 1/2–1/8 scale through draft(), so a 200-megapixel phone photo is cheap."""
MAX_PIXELS_OTHER = 120_000_000
FORMATS = ("JPEG", "PNG", "HEIF", "WEBP")
MM_PER_INCH = 25.4
MASTER_PX = 2400
"""Longest side of the decoded master every output size is cut from (300 dpi over 20 cm)."""
BAND_BYTES = 4 * userfiles.MB
"""Rows are made RGB and reduced this many bytes at a time, so that besides the decoded image
only a band, its conversions and the reduced result are ever held (never a second full-size
copy)."""
BAND_COPIES = 4
"""A band as cut, as RGBA, on a white page, and its alpha: what _to_rgb holds at once."""

# Pillow refuses > 2 × 89 MP before we can look; our own per-format limits apply instead.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS_JPEG

# What Pillow's ImageOps.exif_transpose does for each EXIF orientation, applied here to the
# reduced image instead of the full-size one.
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoError(Exception):
    """A photo cannot be used; the message (Chinese) says why."""


@dataclass(frozen=True)
class Prepared:
    """A photo ready to embed: upright RGB JPEG bytes and their pixel size."""

    data: bytes
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.height / self.width


def px_for(mm: float, dpi: int = 300) -> int:
    """Pixels needed to print ``mm`` at ``dpi``."""
    return max(1, round(mm / MM_PER_INCH * dpi))


def prepare(path: Path, longest_px: int, quality: int = 82) -> Prepared:
    """The photo at ``path``, upright, RGB, at most ``longest_px`` on its longer side."""
    return _prepare(path, *_identity(path), longest_px, quality)


def size(path: Path) -> tuple[int, int]:
    """Upright pixel size (EXIF orientation applied), after checking that the photo can be
    decoded within the memory bound, without decoding it. edition.load calls this for every
    photo, so a bomb is refused before anything expensive starts."""
    return _size(path, *_identity(path))


def read(path: Path) -> bytes:
    """The bytes of the photo file: a regular file, not empty, under MAX_FILE_BYTES."""
    try:
        data = userfiles.read(path, MAX_FILE_BYTES, what="照片文件")
    except DocgenError as exc:
        raise PhotoError(exc.problems[0].message if exc.problems else exc.text) from None
    if not data:
        raise PhotoError("照片文件是空的（0 字节）")
    return data


def inspect(data: bytes, longest_px: int | None) -> tuple[str, int, int]:
    """Format and upright size of an image, refused (PhotoError) if it is not a photo Pillow
    reads, is over the pixel caps, or would take more than the memory bound to decode to
    ``longest_px`` (None: at full size)."""
    with _open(data) as img:
        w, h = img.size
        turned = _orientation(img) in (5, 6, 7, 8)
        _budget(img, data, longest_px)
        kind = img.format or ""
    return (kind, h, w) if turned else (kind, w, h)


def _identity(path: Path) -> tuple[int, int]:
    """What the caches are keyed on besides the path; a file that cannot be stat'ed gets (0, 0)
    and read() then says why."""
    try:
        info = path.stat()
    except (OSError, ValueError):
        return 0, 0
    return info.st_mtime_ns, info.st_size


@lru_cache(maxsize=256)
def _size(path: Path, _mtime: int, _size: int) -> tuple[int, int]:
    _, w, h = inspect(read(path), MASTER_PX)
    return w, h


@lru_cache(maxsize=64)
def _prepare(path: Path, mtime: int, size: int, longest_px: int, quality: int) -> Prepared:
    if longest_px > MASTER_PX:
        rgb = _decode(read(path), longest_px)
    else:
        with Image.open(io.BytesIO(_master(path, mtime, size))) as master:
            master.draft("RGB", (longest_px, longest_px))
            rgb = master.convert("RGB")
    rgb.thumbnail((longest_px, longest_px), Image.Resampling.LANCZOS)
    return Prepared(_jpeg(rgb, quality), rgb.width, rgb.height)


@lru_cache(maxsize=48)
def _master(path: Path, _mtime: int, _size: int) -> bytes:
    """The photo decoded once (upright, RGB, at most MASTER_PX), kept as a high-quality JPEG.

    Every output needs its own size of every photo; decoding a 12-megapixel original (or a 4 MB
    PNG) once instead of once per output halves a run's time, and the JPEG keeps the cache small.
    """
    rgb = _decode(read(path), MASTER_PX)
    rgb.thumbnail((MASTER_PX, MASTER_PX), Image.Resampling.LANCZOS)
    return _jpeg(rgb, 95)


@dataclass(frozen=True)
class _Rows:
    """A decoded image, handed out a band of rows at a time."""

    size: tuple[int, int]
    band: Callable[[int, int], Image.Image]


def _decode(data: bytes, longest_px: int) -> Image.Image:
    """RGB, upright, at least ``longest_px`` (if the photo has it) and at most twice that."""
    with _open(data) as img:
        orientation = _orientation(img)
        _budget(img, data, longest_px)
        if img.format == "HEIF":
            reduced = _reduced(_heif_rows(data), longest_px)
        else:
            _load(img)
            rows = _Rows(img.size, lambda top, end: img.crop((0, top, img.width, end)))
            reduced = _reduced(rows, longest_px)
    turn = _TURNS.get(orientation)
    return reduced if turn is None else reduced.transpose(turn)


def _reduced(rows: _Rows, longest_px: int) -> Image.Image:
    """Band by band: to RGB, then shrunk by the whole factor that leaves at least ``longest_px``
    for the final Lanczos step."""
    w, h = rows.size
    factor = _factor(rows.size, longest_px)
    canvas = Image.new("RGB", (-(-w // factor), -(-h // factor)), "white")
    step = factor * max(1, BAND_BYTES // (w * 4 * factor))
    for top in range(0, h, step):
        band = _to_rgb(rows.band(top, min(h, top + step)))
        canvas.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return canvas


def _factor(size: tuple[int, int], longest_px: int) -> int:
    return max(1, max(size) // longest_px)


def _heif_rows(data: bytes) -> _Rows:
    """libheif decodes into its own buffer; bands are copied out of it one at a time. (Pillow's
    plugin would copy the whole picture into a second, larger, buffer first.)"""
    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        buffer, mode, stride = memoryview(heif.data), heif.mode, heif.stride
    except (OSError, ValueError, SyntaxError, RuntimeError, EOFError) as exc:
        raise PhotoError(f"照片文件不完整或已损坏（可能下载、复制时中断）：{exc}") from None
    w = heif.size[0]

    def band(top: int, end: int) -> Image.Image:
        rows = buffer[top * stride : end * stride].tobytes()
        return Image.frombytes(mode, (w, end - top), rows, "raw", mode, stride)

    return _Rows(heif.size, band)


def _jpeg(rgb: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoError(
            "不是可识别的照片（支持 JPG、PNG、HEIC、WebP）；文件可能已损坏，或只是改了扩展名"
        ) from None
    except Image.DecompressionBombError:
        raise PhotoError("照片像素多得不合常理，疑似损坏或恶意文件，已拒绝") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"无法读取照片：{exc}") from None
    w, h = img.size
    limit = MAX_PIXELS_JPEG if img.format in imagecost.JPEG else MAX_PIXELS_OTHER
    if w * h > limit:
        img.close()
        raise PhotoError(
            f"照片有 {w}×{h} 像素，超过 {limit // 1_000_000} 百万像素的上限，疑似损坏或恶意文件，已拒绝"
        )
    return img


def cost(data: bytes, longest_px: int | None) -> int:
    """Peak bytes decoding the image in ``data`` to ``longest_px`` (None: whole) will hold."""
    with _open(data) as img:
        return _cost(img, data, longest_px)


def _cost(img: Image.Image, data: bytes, longest_px: int | None) -> int:
    """What the decoder holds (a JPEG is draft()ed to the size needed first), and beside it
    what _reduced holds: the RGB result and a band's conversions."""
    full = img.size
    if longest_px is None:
        return imagecost.cost(img, data, full)
    if img.format in imagecost.JPEG:
        img.draft("RGB", (longest_px, longest_px))
    factor = _factor(img.size, longest_px)
    result = -(-img.size[0] // factor) * -(-img.size[1] // factor) * 4
    return imagecost.cost(img, data, full) + result + BAND_COPIES * BAND_BYTES


def _budget(img: Image.Image, data: bytes, longest_px: int | None) -> None:
    """Refuse the image if decoding it would take more than imagecost.MAX_DECODE_BYTES (and
    draft a JPEG to the size needed)."""
    full = img.size
    need = _cost(img, data, longest_px)
    if need > imagecost.MAX_DECODE_BYTES:
        raise PhotoError(
            f"照片有 {full[0]}×{full[1]} 像素，解码需要约 {_mb(need)} 内存，超过上限 "
            f"{_mb(imagecost.MAX_DECODE_BYTES)}，疑似损坏或恶意文件，已拒绝。"
            "如确是照片，请缩小后另存为 JPG"
        )


def _mb(n: int) -> str:
    return f"{n / userfiles.MB:,.0f} MB"


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation, read from the header only (Pillow would decode a whole PNG to look
    for an EXIF chunk after the pixels)."""
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    try:
        value = img.getexif().get(0x0112, 1)
    except (OSError, SyntaxError, ValueError, TypeError):  # unreadable EXIF: as if none
        return 1
    return value if value in _TURNS else 1


def _load(img: Image.Image) -> None:
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES = True for the whole process when imported,
    # which would quietly fill a cut-off photo with grey. Decode strictly here, whatever it says.
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        img.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"照片文件不完整或已损坏（可能下载、复制时中断）：{exc}") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "CMYK":
        return _cmyk_to_rgb(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 257).convert("L")  # 16-bit grey → 8-bit
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return img.convert("RGB")


def _cmyk_to_rgb(img: Image.Image) -> Image.Image:
    icc = img.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(img, src, dst, outputMode="RGB") or img.convert("RGB")
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: fall back to Pillow's plain conversion
    return img.convert("RGB")
