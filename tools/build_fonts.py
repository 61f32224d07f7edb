"""Rebuild the bundled fonts in src/docgen/defaults/fonts/ from Debian's font packages (a developer tool, not run by docgen).

    apt-get download fonts-noto-cjk fonts-lxgw-wenkai
    for d in fonts-*.deb; do dpkg -x "$d" debs; done
    .venv/bin/python tools/build_fonts.py debs/usr/share/fonts

Noto CJK ships as .ttc collections holding the JP, KR, SC, TC and HK faces over one 65,535-glyph
set. docgen uses no .ttc at run time: this script takes the SC face out of each collection and
subsets it to the Latin and CJK ranges, dropping the `locl` and `aalt` features whose closure would
keep every other region's glyph variants (that halves the files). LXGW WenKai is copied unchanged:
its licence reserves the font name, and a subset would be a modified version.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parents[1] / "src" / "docgen" / "defaults" / "fonts"

# (Debian path below usr/share/fonts, face index in the collection, output file)
NOTO = [
    ("opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "NotoSerifCJKsc-Regular.otf"),
    ("opentype/noto/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "NotoSerifCJKsc-Bold.otf"),
    ("opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "NotoSansCJKsc-Regular.otf"),
]
COPIED = [("truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", "LXGWWenKai-Regular.ttf")]

RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A/B
    (0x02B0, 0x02FF),  # spacing modifiers
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x2000, 0x206F),  # General Punctuation (— … • ‘ ’ “ ”)
    (0x2070, 0x20CF),  # super/subscripts, currency
    (0x2100, 0x21FF),  # letterlike, number forms (Ⅰ Ⅱ), arrows
    (0x2200, 0x23FF),  # maths, technical
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x26FF),  # box drawing, shapes, symbols (○ ● ★)
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x33FF),  # CJK symbols and punctuation, kana, bopomofo, enclosed CJK, compatibility
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small forms (﹒)
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def sc_face(collection: Path, family: str) -> TTFont:
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{family} not found in {collection}")


def features(font: TTFont) -> list[str]:
    tags = set()
    for table in ("GSUB", "GPOS"):
        if table in font:
            tags |= {rec.FeatureTag for rec in font[table].table.FeatureList.FeatureRecord}
    return sorted(tags - {"locl", "aalt"})


def build_noto(src_root: Path, rel: str, family: str, out_name: str) -> None:
    font = sc_face(src_root / rel, family)
    options = subset.Options()
    options.layout_features = features(font)
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # print output: hinting only matters on screens at small sizes
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    font.save(str(OUT / out_name))
    print(f"{out_name}: {(OUT / out_name).stat().st_size / 1e6:.1f} MB")


def main(src_root: Path) -> None:
    for rel, family, out_name in NOTO:
        build_noto(src_root, rel, family, out_name)
    for rel, out_name in COPIED:
        shutil.copyfile(src_root / rel, OUT / out_name)
        print(f"{out_name}: copied unchanged")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
