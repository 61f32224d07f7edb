"""The line-break checker: reads back, from a PDF, the lines each given text was set in, and
reports every line break that falls inside a string that must never be split.

Independent of docgen's segmenter on purpose: the strings are the ones issue 12 quotes (words
seen broken in `make demo`, and the splits jieba and BudouX make), plus the names the edition
declares. A name may be split only where it is longer than the widest line of its text.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docgen.model import Edition

MUST_NOT_SPLIT = (
    *("第二十一届", "二十一届", "“权益杯”", "权益杯", "精品活动", "精品", "活动", "评选"),
    *("圆满结束", "圆满", "结束", "医学部", "助力", "荣获", "分工会", "样本库"),
    *("2025年12月10日", "14家", "70余人", "23位", "EAP", "AI+", "COVID-19"),
)
"""Every string issue 12 quotes as broken, split by an off-the-shelf segmenter, or never to be
split."""


@dataclass(frozen=True)
class Word:
    """One pdftotext word: text without spaces, on a page, in a box (points, y down)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def plain(text: str) -> str:
    """``text`` as compared here: no white space, no invisible format characters (U+200B…)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(pdf: Path) -> list[Word]:
    """Every word of ``pdf`` with its box, from ``pdftotext -bbox-layout``."""
    xml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = []
    for page, body in enumerate(xml.split("<page ")[1:], start=1):
        for m in _WORD.finditer(body):
            text = plain(html.unescape(m[5]))
            if text:
                found.append(Word(page, *(float(m[i]) for i in range(1, 5)), text))
    return found


def set_in(found: list[Word], text: str) -> list[list[str]]:
    """Each place ``text`` is set: its lines, top to bottom. A text not on the page fails."""
    target = plain(text)
    places = [
        lines for w in found if target.startswith(w.text) for lines in _chains(found, w, target)
    ]
    assert places, f"not found in the PDF as one block of lines: {text}"
    return places


def _chains(found: list[Word], first: Word, target: str) -> Iterator[list[str]]:
    """Continue ``first`` through the words after it on its line, then the lines below it."""
    stack = [(first, first.x0, [first.text])]
    while stack:
        word, line_x0, lines = stack.pop()
        done = "".join(lines)
        if done == target:
            yield lines
            continue
        for nxt, new_line in _next(found, word, line_x0):
            if target.startswith(done + nxt.text):
                if new_line:
                    stack.append((nxt, nxt.x0, [*lines, nxt.text]))
                else:
                    stack.append((nxt, line_x0, [*lines[:-1], lines[-1] + nxt.text]))


def _next(found: list[Word], word: Word, line_x0: float) -> Iterator[tuple[Word, bool]]:
    """Words that may follow ``word`` in one text: the next on its line, or one starting a line
    just below that lies under the line ``word`` ends (from ``line_x0`` to ``word.x1``)."""
    h = word.height
    for w in found:
        if w.page != word.page or w is word:
            continue
        if abs(w.y0 - word.y0) < h / 3 and -h / 4 <= w.x0 - word.x1 < 2 * h:
            yield w, False
        elif _just_below(w, word) and line_x0 < w.x1 and w.x0 < word.x1:
            yield w, True


def _just_below(w: Word, word: Word) -> bool:
    return 0.5 * word.height < w.y0 - word.y0 and w.y0 - word.y1 < 1.5 * word.height


def splits(lines: list[str], protected: Iterable[str], names: Iterable[str] = ()) -> list[str]:
    """Each break between ``lines`` that falls inside a protected string or a name (unless that
    name is longer than the widest line), as ``…end of line / start of next: the string``."""
    lines = [plain(line) for line in lines]
    text = "".join(lines)
    widest = max(len(line) for line in lines)
    strings = set(map(plain, protected)) | {plain(n) for n in names if len(plain(n)) <= widest}
    cuts = _cuts(lines)
    found = []
    for s in sorted(strings):
        at = text.find(s)
        while s and at >= 0:
            found += [
                f"{text[max(0, c - 8) : c]} / {text[c : c + 8]}: {s}"
                for c in cuts
                if at < c < at + len(s)
            ]
            at = text.find(s, at + 1)
    return found


def _cuts(lines: list[str]) -> list[int]:
    cuts, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        cuts.append(at)
    return cuts


def check(pdf: Path, texts: Iterable[str], names: Iterable[str] = ()) -> list[str]:
    """Every forbidden break in the texts ``texts`` as set in ``pdf`` (see ``splits``)."""
    found = words(pdf)
    names = list(names)
    return [
        problem
        for text in dict.fromkeys(texts)
        for lines in set_in(found, text)
        for problem in splits(lines, MUST_NOT_SPLIT, names)
    ]


def declared_names(e: Edition) -> list[str]:
    """The names the edition itself declares: units, people, series, organiser, tiers."""
    people = [e.meeting.host, *e.meeting.judges.members, *e.meeting.judges.guests]
    found = [p.name for p in people] + [c.speaker.name for c in e.story.comments]
    found += [e.series.name, *((e.organiser and [e.organiser.name, e.organiser.short_name]) or [])]
    found += [a.name for a in e.awards] + [w.unit for a in e.awards for w in a.winners]
    return found


def short_last_lines(lines: list[str], shortest: int = 3) -> bool:
    """True when a text of several lines ends on a line of fewer than ``shortest`` characters
    (punctuation not counted)."""
    last = "".join(c for c in lines[-1] if c.isalnum())
    return len(lines) > 1 and len(last) < shortest
