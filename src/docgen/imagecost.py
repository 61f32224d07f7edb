"""What decoding an image will cost in memory, judged from its header before a single pixel is
decoded: a 34-byte WebP or a 17 KB HEIC can ask for gigabytes while staying under any pixel cap.

The figures are measured on Pillow 13, libwebp 1.6, libheif 1.23 and libjpeg-turbo 3 (see
docs/reliability.md, section 11); each is what the decoder holds at its peak, per pixel.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

from PIL import Image

from .userfiles import MB

MAX_DECODE_BYTES = 256 * MB
"""Memory one decode may take. A 48-megapixel HEIC (iPhone "HEIF Max") needs about 245 MB, a
200-megapixel baseline colour JPEG about 120 MB (decoded at 1/4 scale); the bombs this refuses ask
0.5–2.5 GB."""

WEBP_BYTES_PER_PIXEL = 16
"""Pillow decodes every WebP through libwebp's animation decoder: its canvas, the previous frame,
a bytes copy and the image itself (measured: 16.4 bytes per pixel)."""
HEIF_CHROMA_QUARTERS = {420: 1, 422: 2, 444: 4}
"""Quarter bytes per pixel in each colour-difference plane of a HEIC: libheif holds the YCbCr
planes beside the RGB buffer it converts them into (measured: 4.3 bytes per pixel for an 8-bit
4:2:0 RGB picture, against 3 + 1.5 here). Unknown: as 4:4:4."""
JPEG = ("JPEG", "MPO")


def bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow stores per pixel: one for 1, L and P, two for 16-bit grey, four for the rest
    (RGB too: Pillow keeps it in four bytes)."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def cost(img: Image.Image, data: bytes, full: tuple[int, int]) -> int:
    """Peak bytes decoding ``img`` will hold. A JPEG has been draft()ed already; ``full`` is its
    size before that, which its coefficient buffer (if it needs one) still has."""
    w, h = img.size
    if img.format == "WEBP":
        return w * h * WEBP_BYTES_PER_PIXEL
    if img.format == "HEIF":
        return w * h * (4 * len(img.getbands()) + _heif_plane_quarters(img)) // 4
    if img.format not in JPEG:
        return w * h * bytes_per_pixel(img.mode)
    frame = jpeg_frame(data)
    if frame is None:  # a header only Pillow understood: assume the worst JPEG can do
        return full[0] * full[1] * (bytes_per_pixel(img.mode) + 3 * 2)
    out = full if frame.lossless else img.size  # libjpeg scales DCT images only
    buffer = frame.coefficient_bytes if frame.buffered else 0
    return out[0] * out[1] * bytes_per_pixel(img.mode) + buffer


def _heif_plane_quarters(img: Image.Image) -> int:
    chroma, depth = img.info.get("chroma"), img.info.get("bit_depth")
    quarters = HEIF_CHROMA_QUARTERS.get(chroma, 4) if isinstance(chroma, int) else 4
    deep = 2 if isinstance(depth, int) and depth > 8 else 1
    return (4 + 2 * quarters) * deep


@dataclass(frozen=True)
class JpegFrame:
    """What a JPEG's frame header and first scan header say about decoding it."""

    width: int
    height: int
    sampling: tuple[tuple[int, int], ...]
    """(horizontal, vertical) sampling factor of each component."""
    progressive: bool
    lossless: bool
    first_scan: int = 0
    """How many components the first scan holds."""

    @property
    def buffered(self) -> bool:
        """libjpeg keeps every coefficient of the image when the first scan is not the whole
        picture: a progressive file, or colours sent one after another (jdinput.c), and a
        lossless file keeps every sample."""
        return self.progressive or self.lossless or self.first_scan < len(self.sampling)

    @property
    def coefficient_bytes(self) -> int:
        """Two bytes per coefficient (or lossless sample), 64 per 8×8 block of each component."""
        h_max = max(h for h, _ in self.sampling)
        v_max = max(v for _, v in self.sampling)
        total = 0
        for h, v in self.sampling:
            columns = _ceil(_ceil(self.width * h, h_max), 8)
            rows = _ceil(_ceil(self.height * v, v_max), 8)
            total += columns * rows * 64 * 2
        return total


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


_NO_LENGTH = {0x01, 0xD8, *range(0xD0, 0xD8)}
_NOT_FRAMES = {0xC4, 0xC8, 0xCC}  # Huffman tables, reserved, arithmetic conditioning
_PROGRESSIVE = {0xC2, 0xC6, 0xCA, 0xCE}
_LOSSLESS = {0xC3, 0xC7, 0xCB, 0xCF}


def jpeg_frame(data: bytes) -> JpegFrame | None:
    """The frame and first scan of a JPEG, read from its markers (None when they cannot be)."""
    frame, pos = None, 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF or marker in _NO_LENGTH:  # fill byte, or a marker with no segment
            pos += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xDA:
            return replace(frame, first_scan=body[0]) if frame and body else None
        if 0xC0 <= marker <= 0xCF and marker not in _NOT_FRAMES:
            frame = _frame(marker, body)
        pos += 2 + length
    return None


def _frame(marker: int, body: bytes) -> JpegFrame | None:
    if len(body) < 6 or len(body) < 6 + 3 * body[5]:
        return None
    height, width = struct.unpack_from(">HH", body, 1)
    factors = [body[7 + 3 * i] for i in range(body[5])]
    sampling = tuple((f >> 4 or 1, f & 15 or 1) for f in factors)
    if not sampling:
        return None
    return JpegFrame(width, height, sampling, marker in _PROGRESSIVE, marker in _LOSSLESS)
