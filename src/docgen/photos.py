"""The one photo pipeline every output uses: decode safely, turn upright, make RGB, downscale to
what the output needs, and re-encode as a plain JPEG with no EXIF/GPS left in it."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_FILE_BYTES = 80 * 1024 * 1024
MAX_PIXELS_JPEG = 400_000_000
"""JPEG decodes at 1/2–1/8 scale through draft(), so a 200-megapixel phone photo is cheap."""
MAX_PIXELS_OTHER = 120_000_000
FORMATS = ("JPEG", "PNG", "HEIF", "WEBP")
MM_PER_INCH = 25.4
MASTER_PX = 2400
"""Longest side of the decoded master every output size is cut from (300 dpi over 20 cm)."""

# Pillow refuses > 2 × 89 MP before we can look; our own per-format limits apply instead.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS_JPEG


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
    stat = _stat(path)
    return _prepare(path, stat.st_mtime_ns, stat.st_size, longest_px, quality)


def size(path: Path) -> tuple[int, int]:
    """Upright pixel size (EXIF orientation applied) without decoding the pixels."""
    with _open(path) as img:
        w, h = img.size
        turned = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        return (h, w) if turned else (w, h)


def _stat(path: Path) -> os.stat_result:
    try:
        stat = path.stat()
    except OSError:
        raise PhotoError("找不到照片文件") from None
    if stat.st_size == 0:
        raise PhotoError("照片文件是空的（0 字节）")
    if stat.st_size > MAX_FILE_BYTES:
        raise PhotoError(f"照片文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    return stat


@lru_cache(maxsize=64)
def _prepare(path: Path, mtime: int, size: int, longest_px: int, quality: int) -> Prepared:
    if longest_px > MASTER_PX:
        rgb = _decode(path, longest_px)
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
    rgb = _decode(path, MASTER_PX)
    rgb.thumbnail((MASTER_PX, MASTER_PX), Image.Resampling.LANCZOS)
    return _jpeg(rgb, 95)


def _decode(path: Path, longest_px: int) -> Image.Image:
    with _open(path) as img:
        if img.format == "JPEG":
            img.draft("RGB", (longest_px, longest_px))
        _load(img)
        return _to_rgb(ImageOps.exif_transpose(img))


def _jpeg(rgb: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _open(path: Path) -> Image.Image:
    try:
        img = Image.open(path, formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoError(
            "不是可识别的照片（支持 JPG、PNG、HEIC、WebP）；文件可能已损坏，或只是改了扩展名"
        ) from None
    except Image.DecompressionBombError:
        raise PhotoError("照片像素多得不合常理，疑似损坏或恶意文件，已拒绝") from None
    except OSError as exc:
        raise PhotoError(f"无法读取照片：{exc}") from None
    w, h = img.size
    limit = MAX_PIXELS_JPEG if img.format == "JPEG" else MAX_PIXELS_OTHER
    if w * h > limit:
        img.close()
        raise PhotoError(
            f"照片有 {w}×{h} 像素，超过 {limit // 1_000_000} 百万像素的上限，疑似损坏或恶意文件，已拒绝"
        )
    return img


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
