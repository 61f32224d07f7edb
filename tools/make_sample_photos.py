"""Draw the placeholder photos of the sample edition (a developer tool).

    .venv/bin/python tools/make_sample_photos.py

The 21st edition's real photos are not ours to ship, and photos of named people must never be
faked, so each photo of editions/quanyibei-21/photos is a flat drawing made here: a scene in
simple shapes (no faces), marked 示例照片 with its caption's subject. Each keeps the awkward form
the file had as a stand-in (pixel size, JPEG/PNG, colour mode, EXIF orientation, quality), and a
fine grain brings its size near what a camera file of that size weighs: the photo tests and the
speed benchmark decode these bytes. The output depends only on this file and the pinned Pillow.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "editions" / "quanyibei-21"
FONT = next(p for p in ROOT.rglob("NotoSansCJKsc-Regular.otf") if ".venv" not in p.parts)
NO_CAPTION = "评选会现场"
"""What a photo without a caption shows (the meeting, placed after the story's opening)."""

WALL, FLOOR, BANNER = (233, 228, 218), (214, 206, 192), (176, 72, 60)
SCREEN, SCREEN_LIT = (82, 104, 124), (214, 226, 234)
CLOTH, WOOD, GOLD = (150, 58, 52), (166, 124, 88), (204, 164, 58)
SUITS = [(62, 74, 97), (96, 108, 124), (78, 94, 84), (120, 96, 88)]
HEAD = (196, 172, 150)


@dataclass(frozen=True)
class Spec:
    """One file as it must stay: what it shows and the form it arrives in."""

    name: str
    scene: str
    size: tuple[int, int]
    """Stored pixel size (before EXIF orientation)."""
    mode: str
    quality: int
    bytes: int
    """The stand-in's file size; the grain is tuned to land near it."""
    orientation: int = 1


SPECS = [
    Spec("01-meeting.jpg", "meeting", (4032, 3024), "RGB", 90, 2_546_879),
    Spec("02-presenter.jpg", "presenter", (1920, 1280), "RGB", 88, 534_220),
    Spec("03-presenter.jpg", "presenter", (1920, 1290), "RGB", 88, 484_525),
    Spec("04-judge-comment.jpg", "comment", (4032, 3024), "RGB", 90, 2_579_877, orientation=6),
    Spec("05-judge-comment.jpg", "comment", (1600, 1067), "CMYK", 90, 1_442_172),
    Spec("06-results.png", "results", (1400, 1400), "RGBA", 0, 4_254_770),
    Spec("07-award-jingpin.jpg", "trophy", (2400, 1600), "RGB", 85, 738_330),
    Spec("08-award-youxiu.jpg", "plaques", (2400, 1660), "RGB", 85, 831_100),
    Spec("09-award-youxiu.jpg", "plaques", (1800, 1200), "RGB", 85, 348_861),
]


class Canvas:
    """Drawing in fractions of the picture: x and y from 0 to 1, sizes in fractions of height."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("RGB", size, WALL)
        self.draw = ImageDraw.Draw(self.image)
        self.w, self.h = size

    def box(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: tuple[int, ...],
        round_: float = 0.012,
    ) -> None:
        xy = (x0 * self.w, y0 * self.h, x1 * self.w, y1 * self.h)
        self.draw.rounded_rectangle(xy, int(round_ * self.h), fill=fill)

    def person(self, x: float, y: float, s: float, suit: int, seated: bool = False) -> None:
        """A figure with its feet (or, seated, its waist) at (x, y); ``s`` is its height."""
        half = 0.17 * s * self.h / self.w
        top = y - (0.62 if seated else 0.72) * s
        self.box(x - half, top, x + half, y, SUITS[suit % len(SUITS)], round_=0.12 * s)
        cx, collar = x * self.w, 0.05 * s * self.h
        points = [(cx - collar, top * self.h), (cx + collar, top * self.h)]
        self.draw.polygon([*points, (cx, top * self.h + collar * 2.2)], fill=(240, 240, 236))
        r, cy = 0.1 * s * self.h, (top - 0.1 * s) * self.h
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=HEAD)

    def backdrop(self) -> None:
        self.box(-0.01, 0.72, 1.01, 1.01, FLOOR)
        self.box(0.06, 0.06, 0.94, 0.2, BANNER)
        self.box(0.1, 0.115, 0.9, 0.145, (214, 130, 112))

    def screen(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.box(x0, y0, x1, y1, SCREEN)
        pad = 0.04 * (x1 - x0)
        self.box(x0 + pad, y0 + pad * 1.5, x1 - pad, y1 - pad * 1.5, SCREEN_LIT)
        for i, height in enumerate((0.35, 0.6, 0.45, 0.8)):
            left = x0 + pad * 2 + i * (x1 - x0 - pad * 4) / 4
            top = y1 - pad * 2.5 - height * (y1 - y0 - pad * 5)
            self.box(left, top, left + (x1 - x0) / 8, y1 - pad * 2.5, (120, 150, 176))

    def trophy(self, x: float, y: float, s: float) -> None:
        cx, top, size = x * self.w, y * self.h, s * self.h
        self.draw.pieslice((cx - size, top - size, cx + size, top + size), 0, 180, fill=GOLD)
        self.draw.rectangle(
            (cx - size * 0.15, top + size, cx + size * 0.15, top + size * 1.5), fill=GOLD
        )
        self.draw.rectangle(
            (cx - size * 0.6, top + size * 1.5, cx + size * 0.6, top + size * 1.8), fill=GOLD
        )


def meeting(c: Canvas) -> None:
    c.backdrop()
    c.screen(0.3, 0.24, 0.7, 0.52)
    c.box(0.05, 0.56, 0.45, 0.66, CLOTH)
    for i in range(3):
        c.person(0.12 + i * 0.12, 0.58, 0.22, i, seated=True)
    for row, y in enumerate((0.86, 0.97, 1.08)):
        for i in range(7):
            c.person(0.06 + i * 0.148 + row * 0.03, y, 0.3, i + row, seated=True)


def presenter(c: Canvas) -> None:
    c.backdrop()
    c.screen(0.08, 0.25, 0.6, 0.68)
    c.person(0.72, 0.86, 0.5, 0)
    c.box(0.78, 0.58, 0.9, 0.86, WOOD)


def comment(c: Canvas) -> None:
    c.backdrop()
    c.screen(0.15, 0.24, 0.85, 0.48)
    c.person(0.5, 0.7, 0.32, 1, seated=True)
    c.box(0.08, 0.66, 0.92, 0.8, CLOTH)
    c.box(0.56, 0.6, 0.575, 0.67, (60, 60, 60))
    c.box(0.3, 0.63, 0.44, 0.67, (245, 245, 240))


def results(c: Canvas) -> None:
    c.backdrop()
    c.screen(0.2, 0.24, 0.8, 0.56)
    c.person(0.5, 0.88, 0.46, 2)
    c.box(0.4, 0.64, 0.6, 0.9, WOOD)


def trophy(c: Canvas) -> None:
    c.backdrop()
    for i, x in enumerate((0.2, 0.4, 0.6, 0.8)):
        c.person(x, 0.9, 0.56, i)
        c.trophy(x + 0.04, 0.5, 0.045)


def plaques(c: Canvas) -> None:
    c.backdrop()
    for i, x in enumerate((0.16, 0.32, 0.48, 0.64, 0.8)):
        c.person(x, 0.9, 0.56, i + 1)
        c.box(x - 0.04, 0.52, x + 0.04, 0.64, GOLD)
        c.box(x - 0.03, 0.535, x + 0.03, 0.625, (120, 52, 40))


SCENES = {f.__name__: f for f in (meeting, presenter, comment, results, trophy, plaques)}


def label(image: Image.Image, subject: str) -> None:
    """示例照片 and the subject on a light panel at the top."""
    w, h = image.size
    big, small = int(min(w, h) * 0.11), int(min(w, h) * 0.045)
    title = ImageFont.truetype(str(FONT), big)
    caption = ImageFont.truetype(str(FONT), small)
    note = "占位插图，不是现场照片"
    panel_w = max(title.getlength("示例照片"), caption.getlength(subject)) + small * 2
    top = h * 0.045  # over the banner: the scene below stays in view
    panel = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(panel)
    box = (w / 2 - panel_w / 2, top, w / 2 + panel_w / 2, top + big + small * 4.2)
    draw.rounded_rectangle(box, radius=small, fill=(255, 255, 255, 232))
    draw.text((w / 2, top + small * 0.6), "示例照片", font=title, fill=(150, 40, 32), anchor="mt")
    draw.text(
        (w / 2, top + big + small * 1.2), subject, font=caption, fill=(40, 40, 40), anchor="mt"
    )
    draw.text(
        (w / 2, top + big + small * 2.7), note, font=caption, fill=(110, 110, 110), anchor="mt"
    )
    image.paste(Image.alpha_composite(image.convert("RGBA"), panel).convert("RGB"))


def drawing(spec: Spec, subject: str) -> Image.Image:
    """The picture upright, then turned so that the EXIF orientation turns it back."""
    upright = spec.size[::-1] if spec.orientation in (5, 6, 7, 8) else spec.size
    canvas = Canvas(upright)
    SCENES[spec.scene](canvas)
    label(canvas.image, subject)
    turned = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    return (
        canvas.image.transpose(turned[spec.orientation]) if spec.orientation != 1 else canvas.image
    )


def grained(image: Image.Image, amount: int, seed: str) -> Image.Image:
    """``image`` with an even, fine grain of up to ±``amount`` levels (the same for every run)."""
    rng = random.Random(seed)  # noqa: S311 - a grain, repeatable on purpose, not a secret
    bands = [
        Image.frombytes("L", image.size, rng.randbytes(image.width * image.height)) for _ in "RGB"
    ]
    table = [128 + round((v - 128) * amount / 128) for v in range(256)]
    noise = Image.merge("RGB", [b.point(table) for b in bands])
    return ImageChops.add(image, noise, scale=1.0, offset=-128)


def encoded(spec: Spec, image: Image.Image) -> bytes:
    out = io.BytesIO()
    if spec.name.endswith(".png"):
        image.convert(spec.mode).save(out, "PNG")
        return out.getvalue()
    extra = {}
    if spec.orientation != 1:  # the stand-ins carried EXIF only where it mattered: orientation
        exif = Image.Exif()
        exif.update({271: "SamplePhone", 272: "Model X", 274: spec.orientation})
        extra["exif"] = exif.tobytes()
    image.convert(spec.mode).save(out, "JPEG", quality=spec.quality, **extra)
    return out.getvalue()


def make(spec: Spec, subject: str) -> bytes:
    """The file's bytes, the grain chosen (by halving) to land nearest the stand-in's size."""
    clean = drawing(spec, subject)
    low, high, best = 0, 96, b""
    while low <= high:
        amount = (low + high) // 2
        data = encoded(spec, grained(clean, amount, spec.name))
        if not best or abs(len(data) - spec.bytes) < abs(len(best) - spec.bytes):
            best = data
        low, high = (amount + 1, high) if len(data) < spec.bytes else (low, amount - 1)
    return best


def subjects() -> dict[str, str]:
    """Each photo file's caption in the sample edition."""
    data = yaml.safe_load((EDITION / "edition.yaml").read_text(encoding="utf-8"))
    return {
        Path(f).name: g.get("caption") or NO_CAPTION for g in data["photos"] for f in g["files"]
    }


def main() -> None:
    captions = subjects()
    for spec in SPECS:
        data = make(spec, captions[spec.name])
        (EDITION / "photos" / spec.name).write_bytes(data)
        print(f"{spec.name}: {len(data):,} bytes (stand-in had {spec.bytes:,})")


if __name__ == "__main__":
    main()
