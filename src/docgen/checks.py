"""Everything checked before rendering, beyond the schema: glyph coverage against the bundled
fonts (errors), photos that cannot be decoded (errors), and typography staff commonly get wrong
(warnings: printed as written, but pointed out)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from . import certificate, context, docx_lint, fonts, source
from .edition import Loaded, PhotoFile
from .errors import DocgenError, Location, Problem, Severity, quote
from .outputs import press, report
from .source import FieldPath, field_name

NOT_PRINTED = {"files", "code", "after", "seal", "serial_pattern", "part_of_day"}
"""Keys whose values are paths, codes or choices, never printed as text."""


def run(loaded: Loaded) -> list[Problem]:
    """Every problem found, errors and warnings, in file and line order."""
    problems = [
        *font_problems(loaded),
        *glyph_problems(loaded),
        *photo_problems(loaded),
        *typography_warnings(loaded),
        *template_problems(loaded),
        *certificate.fit_problems(loaded),
        *certificate.image_warnings(loaded),
    ]
    return sorted(
        problems, key=lambda p: (str(p.location.file), p.location.line or 0, p.location.column or 0)
    )


def template_problems(loaded: Loaded) -> list[Problem]:
    """The Word report template, linted against this edition's settings with every field filled."""
    with docx_lint.filled(loaded) as sample:
        return docx_lint.lint(report.template(loaded), report.template_context(sample))


def printed_strings(loaded: Loaded) -> Iterator[tuple[FieldPath, str]]:
    for path, text in source.iter_strings(loaded.doc.data):
        if not any(isinstance(part, str) and part in NOT_PRINTED for part in path):
            yield path, text


def font_problems(loaded: Loaded) -> Iterator[Problem]:
    where = Location(loaded.settings.home.file("config/branding.yaml"))
    for name in fonts.unknown_families(loaded.settings.branding):
        known = "、".join(sorted(fonts.families()))
        msg = f"docgen 的内置字体中没有“{quote(name)}”；可用的内置字体：{known}"
        yield Problem(where, "fonts", msg)


def glyph_problems(loaded: Loaded) -> Iterator[Problem]:
    """Characters no bundled font can draw, in the edition and in the HTML templates."""
    all_chains = list(fonts.chains(loaded.settings.branding).values())
    for path, text in printed_strings(loaded):
        for index, char, chain in _first_each(fonts.uncovered(text, all_chains)):
            yield Problem(
                loaded.doc.locate_char(path, index), field_name(path), _glyph_message(char, chain)
            )
    for template in loaded.settings.home.files("templates/html", press.TEMPLATES):
        yield from _template_glyphs(template, all_chains)


def _template_glyphs(template: Path, all_chains: list[fonts.Chain]) -> Iterator[Problem]:
    for line_no, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1):
        for index, char, chain in _first_each(fonts.uncovered(line, all_chains)):
            yield Problem(Location(template, line_no, index + 1), "", _glyph_message(char, chain))


def _first_each(found: list[tuple[int, str, fonts.Chain]]) -> list[tuple[int, str, fonts.Chain]]:
    """One report per distinct character."""
    return list({char: (i, char, chain) for i, char, chain in reversed(found)}.values())[::-1]


def _glyph_message(char: str, chain: fonts.Chain) -> str:
    name = unicodedata.name(char, "")
    return (
        f"字符 U+{ord(char):04X} {char}{f'（{name}）' if name else ''} 无法印出：内置字体中没有这个字"
        f"（{chain.label}）。请改用常用字形"
    )


def photo_problems(loaded: Loaded) -> Iterator[Problem]:
    """Decode every photo once (small), so a broken file is found before rendering starts."""
    for view in _safe_groups(loaded):
        for photo in view:
            try:
                context.prepare_photo(loaded, photo, 256)
            except DocgenError as exc:
                yield from exc.problems


def _safe_groups(loaded: Loaded) -> Iterator[list[PhotoFile]]:
    for g, group in enumerate(loaded.edition.photos):
        yield [loaded.photo(g, i) for i in range(len(group.files))]


# --- typography: warnings only; the text is printed exactly as written -------------------------

_HALF_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "〈": "〉", "【": "】", "「": "」"}
_SPACES = re.compile(r"[ \u00a0\u3000]{2,}|\u00a0")


def typography_warnings(loaded: Loaded) -> Iterator[Problem]:
    for path, text in printed_strings(loaded):
        for index, message in typography(text):
            loc = loaded.doc.locate_char(path, index)
            yield Problem(loc, field_name(path), message, Severity.WARNING)


def typography(text: str) -> list[tuple[int, str]]:
    """(index, message) for each typography slip in one text."""
    return [*_half_width(text), *_unbalanced(text), *_space_runs(text)]


def is_chinese(char: str) -> bool:
    return bool(char) and (
        unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
        or char in "“”‘’—…·"
    )


def _half_width(text: str) -> list[tuple[int, str]]:
    hits = []
    for i, char in enumerate(text):
        if char in _HALF_WIDTH:
            before, after = text[i - 1 : i].strip(), text[i + 1 : i + 2].strip()
            if is_chinese(before) or is_chinese(after):
                hits.append(i)
    if not hits:
        return []
    first = hits[0]
    sample = text[max(0, first - 2) : first + 3]
    used = "".join(dict.fromkeys(text[i] for i in hits))
    wanted = "".join(_HALF_WIDTH[c] for c in used)
    count = f"有 {len(hits)} 处" if len(hits) > 1 else "有 1 处"
    return [
        (
            first,
            f"中文里{count}半角标点「{used}」（第一处在「{sample}」），中文应使用全角「{wanted}」",
        )
    ]


def _unbalanced(text: str) -> list[tuple[int, str]]:
    closes = {v: k for k, v in _PAIRS.items()}
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if char in _PAIRS:
            stack.append((char, i))
        elif char in closes:
            if stack and stack[-1][0] == closes[char]:
                stack.pop()
            else:
                return [(i, f"「{char}」没有与之配对的「{closes[char]}」")]
    if stack:
        char, i = stack[-1]
        return [(i, f"「{char}」没有与之配对的「{_PAIRS[char]}」")]
    return []


def _space_runs(text: str) -> list[tuple[int, str]]:
    match = _SPACES.search(text)
    if not match:
        return []
    shown = quote(match.group(), 10).replace("\u00a0", "⍽").replace("\u3000", "□").replace(" ", "·")
    return [
        (
            match.start(),
            f"有连续空格或不换行空格（{shown}，⍽ 为不换行空格 U+00A0），印出来是一段空白；需要分隔时请用一个空格",
        )
    ]
