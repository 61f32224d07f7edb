"""Output file names that are valid on Windows and never collide."""

from __future__ import annotations

import re
import unicodedata

from pathvalidate import sanitize_filename

from .errors import DocgenError
from .userfiles import NAME_MAX

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


def certificate(index: int, count: int, unit: str, award: str) -> str:
    """``01-甲单位工会-一等奖.pdf``: never over NAME_MAX bytes, whatever the names.

    File systems cap a name in bytes (ext4: 255 bytes of UTF-8; NTFS: 255 UTF-16 units, never
    more than the UTF-8 bytes), and a Chinese character takes three or four: 60 characters of
    unit and 60 of award made a 367-byte name that writing refused. Each part gets half of what
    the number and ``.pdf`` leave."""
    number = numbered(index, count)
    budget = (NAME_MAX - len(number) - len("--.pdf")) // 2
    return f"{number}-{part(unit, budget)}-{part(award, budget)}.pdf"


def part(text: str, max_bytes: int = NAME_MAX) -> str:
    """One readable, Windows-safe name part from any text, at most MAX_PART characters and
    ``max_bytes`` bytes of UTF-8 (cut at a character, never inside one)."""
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    text = re.sub(r"\s+", " ", text).strip()[:MAX_PART]
    text = text.encode()[: max_bytes - 1].decode(errors="ignore").rstrip(". ")
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
