"""Decompression bombs under the pixel caps, made in milliseconds: small files whose pixels would
cost gigabytes once decoded. Each is written by hand from its format's specification, so that
making one never costs what decoding it would."""

from __future__ import annotations

import io
import struct
import zlib

# --- WebP lossless (VP8L): one colour needs zero bits per pixel -----------------------------------


class _Bits:
    """An LSB-first bit writer, as VP8L packs its fields."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, value: int, bits: int) -> None:
        self.value |= value << self.count
        self.count += bits

    def data(self) -> bytes:
        return self.value.to_bytes((self.count + 7) // 8, "little")


def webp(width: int, height: int) -> bytes:
    """A lossless WebP of one grey colour: every prefix code has a single symbol, so the pixels
    take no bits at all and the file is a few bytes whatever its size."""
    bits = _Bits()
    bits.put(0x2F, 8)  # VP8L signature
    bits.put(width - 1, 14)
    bits.put(height - 1, 14)
    bits.put(0, 1)  # no alpha
    bits.put(0, 3)  # version 0
    bits.put(0, 1)  # no transform
    bits.put(0, 1)  # no colour cache
    bits.put(0, 1)  # no meta prefix codes
    for symbol in (128, 128, 128, 255, 0):  # green, red, blue, alpha, distance
        bits.put(1, 1)  # simple code
        bits.put(0, 1)  # one symbol
        bits.put(1, 1)  # written in 8 bits
        bits.put(symbol, 8)
    return _riff(b"VP8L", bits.data())


def _riff(kind: bytes, chunk: bytes) -> bytes:
    padded = chunk + b"\0" * (len(chunk) % 2)
    body = b"WEBP" + kind + struct.pack("<I", len(chunk)) + padded
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- PNG: rows of zeros compress about 1000:1 ----------------------------------------------------


def png(width: int, height: int, colour_type: int = 6) -> bytes:
    """A black PNG (colour type 6 = RGBA), compressed row block by row block so that making it
    never holds the decoded size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\0" * (1 + width * channels)
    per_block = max(1, (1 << 20) // len(row))
    whole, rest = divmod(height, per_block)
    # Deflate blocks ended by a full flush refer to nothing before them, so one compressed block
    # of zero rows can be repeated: compressing the rows themselves would take seconds.
    body = _zeros(len(row) * per_block) * whole + (_zeros(len(row) * rest) if rest else b"")
    size = len(row) * height
    stream = b"\x78\xda" + body + b"\x03\x00" + struct.pack(">I", (size % 65521) << 16 | 1)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    )


def _zeros(count: int) -> bytes:
    """``count`` zero bytes as raw deflate blocks, ended by a full flush."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(b"\0" * count) + packer.flush(zlib.Z_FULL_FLUSH)


# --- JPEG: a scan that makes libjpeg buffer every coefficient of the image ----------------------


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">HH", marker, len(body) + 2) + body


def _huffman(table_class: int) -> bytes:
    """One Huffman table with a single one-bit code: DC "no change" or AC "end of block"."""
    return _segment(0xFFC4, bytes([table_class << 4, 1] + [0] * 15 + [0]))


def jpeg(width: int, height: int, progressive: bool = True) -> bytes:
    """A grey YCbCr 4:2:0 JPEG holding only its first scan.

    Progressive: an interleaved DC scan. Baseline: a scan of the luma alone (the colours would
    follow in later scans). Either way libjpeg must keep every DCT coefficient of the image in
    memory (2 bytes each, 1.5 per pixel), however much it is scaled down on decoding.
    """
    blocks_x, blocks_y = -(-width // 16), -(-height // 16)
    head = b"\xff\xd8" + _segment(0xFFDB, bytes([0] + [1] * 64))
    components = b"".join(bytes([i, 0x22 if i == 1 else 0x11, 0]) for i in (1, 2, 3))
    sof = 0xFFC2 if progressive else 0xFFC0
    head += _segment(sof, struct.pack(">BHHB", 8, height, width, 3) + components)
    head += _huffman(0) + _huffman(1)
    if progressive:  # DC only, every component: 6 blocks of one bit per 16×16 pixels
        scan = _segment(0xFFDA, bytes([3, 1, 0, 2, 0, 3, 0, 0, 0, 0]))
        bits = blocks_x * blocks_y * 6
    else:  # the luma alone, each block "no change" then "end of block"
        scan = _segment(0xFFDA, bytes([1, 1, 0, 0, 63, 0]))
        bits = -(-width // 8) * -(-height // 8) * 2
    return head + scan + b"\0" * (-(-bits // 8)) + b"\xff\xd9"


# --- HEIC: a grid of tiles that all point at the same few bytes ---------------------------------


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


def _full(kind: bytes, body: bytes, version: int = 0) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + body)


def _children(data: bytes) -> dict[bytes, bytes]:
    found = {}
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        found[kind] = data[offset + 8 : offset + size]
        offset += size
    return found


def heic(width: int, height: int, tile: int = 512) -> bytes:
    """A HEIC whose primary image is a grid of ``tile``-pixel tiles covering width × height, every
    tile the same encoded picture stored once (HEIF lets items share their bytes)."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (tile, tile), (128, 128, 128)).save(buffer, "HEIF", quality=10)
    top = _children(buffer.getvalue())
    meta = _children(top[b"meta"][4:])
    hvcc = _children(_children(meta[b"iprp"])[b"ipco"])[b"hvcC"]
    picture = top[b"mdat"]
    columns, rows = -(-width // tile), -(-height // tile)
    tiles = list(range(2, 2 + columns * rows))
    grid = struct.pack(">BBBBHH", 0, 0, rows - 1, columns - 1, width, height)
    infe = [_full(b"infe", struct.pack(">HH", 1, 0) + b"grid\0", 2)]
    infe += [_full(b"infe", struct.pack(">HH", i, 0) + b"hvc1\0", 2) for i in tiles]
    iinf = _full(b"iinf", struct.pack(">H", len(infe)) + b"".join(infe))
    iref = _full(
        b"iref",
        _box(
            b"dimg",
            struct.pack(">HH", 1, len(tiles)) + b"".join(struct.pack(">H", i) for i in tiles),
        ),
    )
    ipco = _box(
        b"ipco",
        _box(b"hvcC", hvcc)
        + _full(b"ispe", struct.pack(">II", tile, tile))
        + _full(b"ispe", struct.pack(">II", width, height)),
    )
    ipma_entries = struct.pack(">HB", 1, 1) + bytes([3])
    ipma_entries += b"".join(struct.pack(">HB", i, 2) + bytes([0x81, 2]) for i in tiles)
    ipma = _full(b"ipma", struct.pack(">I", 1 + len(tiles)) + ipma_entries)
    ftyp = _box(b"ftyp", b"heic\0\0\0\0mif1heic")

    def build(mdat_at: int) -> bytes:
        grid_at, picture_at = mdat_at + 8, mdat_at + 8 + len(grid)
        locations = [(1, grid_at, len(grid))] + [(i, picture_at, len(picture)) for i in tiles]
        iloc = _full(
            b"iloc",
            bytes([0x44, 0x00])
            + struct.pack(">H", len(locations))
            + b"".join(struct.pack(">HHHII", i, 0, 1, at, size) for i, at, size in locations),
        )
        meta = _full(
            b"meta",
            _full(b"hdlr", b"\0\0\0\0pict" + b"\0" * 13)
            + _full(b"pitm", struct.pack(">H", 1))
            + iloc
            + iinf
            + iref
            + _box(b"iprp", ipco + ipma),
        )
        return ftyp + meta

    head = build(0)
    head = build(len(head))
    return head + _box(b"mdat", grid + picture)
