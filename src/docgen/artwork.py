"""Images the office names in its settings (the logo and seal in branding.yaml, the seal and the
scan of blank stock in certificate.yaml, a seal in edition.yaml): confined to config/, read once
at load with every check a photo gets, and handed to the outputs as bytes, so that what was
checked is exactly what is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths, photos, svg, userfiles
from .errors import DocgenError, Location, Problem

KINDS = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
"""What WeasyPrint is given, by the extension the file must have (pdf.MIME serves these)."""
MAX_RASTER_BYTES = 32 * userfiles.MB
MAX_RASTER_PIXELS = 20_000_000
"""A seal or logo needs well under a megapixel at 300 dpi; a scan of A3 stock at 300 dpi is
17 MP. WeasyPrint decodes a PNG whole, about 12 bytes per pixel."""


@dataclass(frozen=True)
class Wanted:
    """An image named in a settings file: the path as written, and where it was written."""

    rel: str
    where: Location
    field: str
    what: str
    """What the image is, in the messages: 标志图片, 印章图片, 证书纸扫描图."""


@dataclass(frozen=True)
class Artwork:
    """An image from config/, checked: its bytes, and its upright width in pixels (None: SVG)."""

    name: str
    data: bytes
    width_px: int | None
    where: Location
    field: str

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def load_all(
    root: Path, wanted: dict[str, Wanted | None]
) -> tuple[dict[str, Artwork], list[Problem]]:
    """Each wanted image, loaded; every problem found, located where the image was named."""
    found: dict[str, Artwork] = {}
    problems: list[Problem] = []
    for key, want in wanted.items():
        if want is None:
            continue
        try:
            found[key] = load(root, want)
        except DocgenError as exc:
            problems += [Problem(want.where, want.field, p.message) for p in exc.problems]
    return found, problems


def load(root: Path, want: Wanted) -> Artwork:
    """The image ``want`` names under ``root``/config, or a DocgenError saying why it cannot be."""
    folder = root / "config"
    example = {"标志图片": "logo.svg"}.get(want.what, "seal.png")
    if why := paths.problem(folder, want.rel, paths.in_config(want.what, example)):
        raise _refused(want, why)
    kind = KINDS.get(Path(want.rel).suffix.lower())
    if kind is None:
        raise _refused(want, f"{want.what}只能是 SVG、PNG 或 JPG 文件（看扩展名）")
    cap = svg.MAX_BYTES if kind == "SVG" else MAX_RASTER_BYTES
    data = userfiles.read(folder / want.rel, cap, want.where, want.what)
    width = _checked(data, kind, want)
    return Artwork(want.rel, data, width, want.where, want.field)


def _checked(data: bytes, kind: str, want: Wanted) -> int | None:
    if kind == "SVG":
        if why := svg.problem(data):
            raise _refused(want, why)
        return None
    try:
        found, width, height = photos.inspect(data, None)
    except photos.PhotoError as exc:
        text = str(exc)
        if text.startswith("不是可识别的照片"):  # photos lists HEIC and WebP: not for artwork
            text = f"不是可识别的 {kind} 图片：文件可能已损坏，或只是改了扩展名"
        raise _refused(want, text.replace("照片", "图片")) from None
    if found != kind:
        raise _refused(want, f"文件内容是 {found} 图片，与扩展名不符，请另存为真正的 {kind}")
    if width * height > MAX_RASTER_PIXELS:
        raise _refused(
            want,
            f"{want.what}有 {width}×{height} 像素，超过 {MAX_RASTER_PIXELS // 1_000_000} 百万像素"
            "的上限；300 dpi 已足够，请缩小后另存",
        )
    return width


def _refused(want: Wanted, message: str) -> DocgenError:
    return DocgenError([Problem(want.where, want.field, message)])
