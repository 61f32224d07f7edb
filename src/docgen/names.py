"""Output file names that are valid on Windows and never collide."""

from __future__ import annotations

import re
import unicodedata

from pathvalidate import sanitize_filename

from .errors import DocgenError

# Reserved ASCII characters become their full-width forms: legal on Windows and still readable.
_FULL_WIDTH = str.maketrans(
    {
        "<": "＜",
        ">": "＞",
        ":": "：",
        '"': "＂",
        "/": "／",
        "\\": "＼",
        "|": "｜",
        "?": "？",
        "*": "＊",
    }
)
MAX_PART = 60
"""Characters kept of a unit or award name: full paths must stay well under Windows' 260."""


def part(text: str) -> str:
    """One readable, Windows-safe name part from any text."""
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    text = re.sub(r"\s+", " ", text).strip()[:MAX_PART].rstrip(". ")
    return sanitize_filename(text, platform="windows", replacement_text="_") or "_"


def numbered(index: int, count: int) -> str:
    """1 of 24 → 01; 1 of 240 → 001: zero-padded to the width the count needs."""
    return str(index).zfill(len(str(count)))


def ensure_unique(names: list[str]) -> None:
    """Fail (naming both) if two names are equal once Windows folds case and normalises."""
    seen: dict[str, str] = {}
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            raise DocgenError(f"两个输出文件的名字相同：“{seen[key]}”和“{name}”")
        seen[key] = name
