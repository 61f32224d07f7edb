"""The bundled fonts: which faces exist, which chain plays each role, what they cover, and the
per-run subsets every PDF is set in.

WeasyPrint sees no font but these. Its fontconfig is pointed at an empty folder, so no system font
can ever fill a gap, and each PDF render gets @font-face rules for subsets of the bundled faces cut
to exactly the characters of that run (uharfbuzz, ~2 ms a face). Small subsets make every PDF embed
only what it prints and keep per-document cost low even without libharfbuzz-subset.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from .config import Branding
from .home import DEFAULTS

FONTS_DIR = DEFAULTS / "fonts"
"""Packaged with docgen, not the office's to edit: a font changes every document's bytes."""
CJK_QUOTES = (0x2018, 0x2019, 0x201C, 0x201D)
ROLE_NAMES = {"serif": "宋体", "sans": "黑体", "kai": "楷体"}
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))
"""Printable ASCII is in every subset: page counters and CSS-generated text need digits."""


@dataclass(frozen=True)
class Face:
    """One bundled font file."""

    path: Path
    family: str
    weight: int

    @cached_property
    def blob(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def unicodes(self) -> frozenset[int]:
        """Characters this face draws for docgen.

        Chinese text takes full-width quotation marks; a face whose curly quotes are narrow
        (Latin-style, as in LXGW WenKai) does not provide them, so the next face in the chain does.
        """
        face = hb.Face(hb.Blob(self.blob))
        font = hb.Font(face)
        narrow = {
            q
            for q in CJK_QUOTES
            if (g := font.get_nominal_glyph(q)) and font.get_glyph_h_advance(g) < 0.9 * face.upem
        }
        return frozenset(face.unicodes) - narrow

    def subset(self, chars: Iterable[int]) -> bytes:
        """This face cut down to ``chars`` (all OpenType features kept, e.g. vertical forms)."""
        face = hb.Face(hb.Blob(self.blob))
        spec = hb.SubsetInput()
        for c in chars:
            spec.unicode_set.add(c)
        spec.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()
        return bytes(hb.subset(face, spec).blob.data)


@cache
def faces(folder: Path = FONTS_DIR) -> tuple[Face, ...]:
    """Every .otf/.ttf in fonts/ (no .ttc: collections are split when the fonts are built)."""
    found = []
    for path in sorted(folder.glob("*.[ot]tf")):
        with TTFont(str(path), lazy=True) as font:
            names = font["name"]
            family = names.getDebugName(16) or names.getDebugName(1)
            found.append(Face(path, family, int(font["OS/2"].usWeightClass)))
    return tuple(found)


def families() -> set[str]:
    return {f.family for f in faces()}


@dataclass(frozen=True)
class Chain:
    """A font role (宋体/黑体/楷体) as an ordered list of families: later ones fill gaps."""

    role: str
    families: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{ROLE_NAMES.get(self.role, self.role)}（{' → '.join(self.families)}）"

    @cached_property
    def regular_faces(self) -> tuple[Face, ...]:
        by_family = {
            f.family: f for f in sorted(faces(), key=lambda f: abs(f.weight - 400), reverse=True)
        }
        return tuple(by_family[name] for name in self.families if name in by_family)

    @cached_property
    def unicodes(self) -> frozenset[int]:
        return frozenset().union(*(f.unicodes for f in self.regular_faces))

    def face_for(self, char: str) -> Face | None:
        """The face that draws ``char``: the first in the chain that has it."""
        return next((f for f in self.regular_faces if ord(char) in f.unicodes), None)

    @property
    def css(self) -> str:
        return ", ".join(f'"{name}"' for name in self.families)


def chains(branding: Branding) -> dict[str, Chain]:
    cfg = branding.fonts
    return {role: Chain(role, tuple(getattr(cfg, role))) for role in ("serif", "sans", "kai")}


def unknown_families(branding: Branding) -> list[str]:
    known = families()
    return [
        name for chain in chains(branding).values() for name in chain.families if name not in known
    ]


def uncovered(text: str, all_chains: Iterable[Chain]) -> list[tuple[int, str, Chain]]:
    """(index, character, chain) for each character some chain cannot draw (white space aside)."""
    result = []
    for i, char in enumerate(text):
        if char.isspace() and char != "\u3000":
            continue
        lacking = next((c for c in all_chains if ord(char) not in c.unicodes), None)
        if lacking is not None:
            result.append((i, char, lacking))
    return result


@dataclass(frozen=True)
class SubsetFace:
    """A bundled face cut to one run's characters, served to WeasyPrint from memory."""

    family: str
    weight: int
    data: bytes
    name: str = field(default="")

    @property
    def css(self) -> str:
        return (
            f'@font-face {{ font-family: "{self.family}"; font-weight: {self.weight}; '
            f'src: url("docgen-font:{self.name}"); }}'
        )


def subset_all(text: str) -> list[SubsetFace]:
    """Every bundled face cut to the characters of ``text`` (plus printable ASCII)."""
    wanted = {ord(c) for c in set(text) | set(ALWAYS)}
    result = []
    for face in faces():
        data = face.subset(wanted & face.unicodes)
        result.append(SubsetFace(face.family, face.weight, data, name=face.path.name))
    return result


def configure_fontconfig() -> Path:
    """Give fontconfig one font only: an empty "last resort" face.

    WeasyPrint must never see a system font, so every real face arrives through @font-face.
    fontconfig still needs one font of its own (with none, Pango crashes when a text finds no
    face); the last-resort face draws nothing but .notdef, which WeasyPrint reports and
    strict_weasyprint() turns into an error. Must run before WeasyPrint is imported.
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = cache / "docgen" / "fontconfig"
    (home / "fonts").mkdir(parents=True, exist_ok=True)
    last_resort = home / "fonts" / "docgen-last-resort.ttf"
    if not last_resort.exists():
        _write_last_resort(last_resort)
    conf = home / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{home / 'fonts'}</dir>\n  <cachedir>{home / 'cache'}</cachedir>\n"
        "</fontconfig>\n"
    )
    if not conf.exists() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


LAST_RESORT = "docgen last resort"


def _write_last_resort(path: Path) -> None:
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "space"])
    builder.setupCharacterMap({0x20: "space"})
    box = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 800), (600, 800), (600, 0)):
        (box.moveTo if x == 100 and y == 0 else box.lineTo)((x, y))
    box.closePath()
    builder.setupGlyf({".notdef": box.glyph(), "space": TTGlyphPen(None).glyph()})
    builder.setupHorizontalMetrics({".notdef": (700, 100), "space": (500, 0)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": LAST_RESORT, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    tmp = path.with_suffix(".tmp")
    builder.save(str(tmp))
    tmp.replace(path)


def fingerprint() -> str:
    """sha256 over the bundled font files, recorded in the manifest (reproducibility depends on it)."""
    digest = hashlib.sha256()
    for face in faces():
        digest.update(face.path.name.encode())
        digest.update(hashlib.sha256(face.blob).digest())
    return digest.hexdigest()
