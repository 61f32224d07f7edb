"""Line breaks between words for the renderers: text marked so WeasyPrint, Chromium and
LibreOffice break only between segments (segment.py), and titles cut into balanced lines.

Two markings, both checked in WeasyPrint 70 and Chromium (tests/test_wordbreaks.py):
- ``words_html``: each segment in ``<span class="keep">`` (white-space: nowrap, already in every
  docgen stylesheet) with ``<wbr>`` between them. The text a reader copies or searches is the text.
  WeasyPrint's default stylesheet turns ``<wbr>`` into U+200B; pages laid out with docgen's minimal
  stylesheet (pdf.MINIMAL_UA) need its ``wbr::before { content: "\\200B" }`` rule.
- ``mark_breaks``: plain text, U+2060 WORD JOINER between the characters of a segment and U+200B
  ZERO WIDTH SPACE between segments: for text that is not HTML. Both are default-ignorable: drawn
  as nothing, and absent from the PDF's extracted text.
CSS ``word-break: keep-all`` would be the obvious tool, but WeasyPrint 70 does not implement it
(it accepts only normal and break-all), so it cannot serve the PDF.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from .model import Edition
from .segment import CLOSING, segments

WORD_JOINER = "\u2060"
ZERO_WIDTH_SPACE = "\u200b"
PHRASE_ENDS = set("，、；：。！？") | {"的", "关于", "和", "与", "及"}
"""A title line may end after these (GB/T 9704 7.3.3: break at a phrase boundary)."""
PHRASE_BONUS = 0.5
"""How much squared length difference, in em², a phrase boundary is worth."""

Measure = Callable[[str], float]


def em(text: str) -> float:
    """Width in em, roughly: Chinese, full-width and (in Chinese fonts) “”‘’ 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def edition_names(e: Edition) -> list[str]:
    """The names an edition declares, each kept whole on a line: units, people, the organiser,
    the series, the tiers."""
    people = [e.meeting.host, *e.meeting.judges.members, *e.meeting.judges.guests]
    people += [c.speaker for c in e.story.comments]
    names = [p.name for p in people] + [e.series.name, e.series.kind, e.series.scope]
    names += [e.organiser.name, e.organiser.short_name] if e.organiser else []
    for award in e.awards:
        names += [award.name, award.short_name or ""] + [w.unit for w in award.winners]
    return sorted({n for n in names if n})


def units(
    text: str, names: Iterable[str] = (), longest: int | None = None, tail: int = 0
) -> list[str]:
    """The segments of ``text``; with ``tail``, the last ones joined until the last holds at
    least ``tail`` characters, so a paragraph never ends on a line of fewer (…中|荣获 → …中荣获)."""
    parts = segments(text, names, longest)
    while len(parts) > 1 and len(parts[-1].strip("".join(CLOSING))) < tail:
        if longest is not None and len(parts[-2] + parts[-1]) > longest:
            break  # the line is too narrow to carry that many characters together
        parts[-2:] = [parts[-2] + parts[-1]]
    return parts


def mark_breaks(
    text: str, names: Iterable[str] = (), longest: int | None = None, tail: int = 0
) -> str:
    """``text`` with WORD JOINERs inside segments and ZERO WIDTH SPACEs between them."""
    parts = units(text, names, longest, tail)
    return ZERO_WIDTH_SPACE.join(WORD_JOINER.join(part) for part in parts)


def words_html(
    text: str, names: Iterable[str] = (), longest: int | None = None, tail: int = 0
) -> Markup:
    """``text`` escaped, each segment of two or more characters in a nowrap span, ``<wbr>``
    between segments."""
    parts = units(text, names, longest, tail)
    spans = [escape(p) if len(p) < 2 else Markup('<span class="keep">%s</span>') % p for p in parts]
    return Markup("<wbr>").join(spans)


def balance(
    text: str,
    width: float,
    names: Iterable[str] = (),
    lines: int | None = None,
    measure: Measure = em,
) -> list[str]:
    """A title cut between segments into the fewest lines of at most ``width`` (or exactly
    ``lines``), their lengths as even as the segments allow, preferring phrase boundaries."""
    parts = segments(text, names, longest=max(1, math.floor(width)))
    widths = [measure(p) for p in parts]
    fewest = max(1, math.ceil(sum(widths) / width))
    for count in [lines] if lines else range(fewest, len(parts) + 1):
        cuts = _best_cuts(parts, widths, width, count, _balanced(sum(widths) / count))
        if cuts is not None:
            return _join(parts, cuts)
    return ["".join(parts)]  # one segment wider than the line: it overflows, it is not cut


def fill(
    text: str,
    width: float,
    names: Iterable[str] = (),
    indent: float = 0.0,
    last: int = 3,
    measure: Measure = em,
) -> list[str]:
    """A paragraph cut between segments into lines of at most ``width`` (the first ``indent``
    shorter), as full as possible, the last line at least ``last`` characters long."""
    parts = segments(text, names, longest=max(1, math.floor(width - indent)))
    widths = [measure(p) for p in parts]
    widths[0] += indent
    fewest = max(1, math.ceil(sum(widths) / width))
    for count in range(fewest, len(parts) + 1):
        cuts = _best_cuts(parts, widths, width, count, _full(width, parts, last))
        if cuts is not None:
            return _join(parts, cuts)
    return ["".join(parts)]


Cost = Callable[[int, int, float, bool], float]
"""Cost of one line made of parts[i:j], ``used`` em wide, ``final`` if it is the last line."""


def _balanced(target: float) -> Cost:
    def cost(i: int, j: int, used: float, final: bool) -> float:
        return (used - target) ** 2 - (0.01 * used if final else 0.0)  # ties: a longer last line

    return cost


def _full(width: float, parts: list[str], last: int) -> Cost:
    def cost(i: int, j: int, used: float, final: bool) -> float:
        if final:
            return 0.0 if len("".join(parts[i:j]).strip("".join(CLOSING))) >= last else math.inf
        return (width - used) ** 2

    return cost


def _best_cuts(
    parts: list[str], widths: list[float], width: float, count: int, cost: Cost
) -> list[int] | None:
    """Where to end each of ``count`` lines (indices into parts) at the least total cost:
    dynamic programming over (lines so far, parts so far)."""
    n = len(parts)
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, 0)}
    for line in range(1, count + 1):
        for j in range(line, n + 1):
            options = [
                (
                    best[line - 1, i][0]
                    + _line_cost(parts, widths, width, i, j, line == count, cost),
                    i,
                )
                for i in range(line - 1, j)
                if (line - 1, i) in best
            ]
            options = [o for o in options if o[0] < math.inf]
            if options:
                best[line, j] = min(options)
    if (count, n) not in best:
        return None
    cuts, j = [], n
    for line in range(count, 0, -1):
        cuts.append(j)
        j = best[line, j][1]
    return cuts[::-1]


def _line_cost(
    parts: list[str], widths: list[float], width: float, i: int, j: int, final: bool, cost: Cost
) -> float:
    used = sum(widths[i:j])
    if used > width + 1e-9 or (final and j != len(parts)):
        return math.inf
    bonus = 0.0 if final or not _phrase_end(parts[j - 1]) else PHRASE_BONUS
    return cost(i, j, used, final) - bonus


def _phrase_end(part: str) -> bool:
    return part[-1] in PHRASE_ENDS or any(part.endswith(w) for w in PHRASE_ENDS)


def _join(parts: list[str], cuts: list[int]) -> list[str]:
    return ["".join(parts[i:j]) for i, j in zip([0, *cuts[:-1]], cuts, strict=True)]
