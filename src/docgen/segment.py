"""Where a line of Chinese may break: the text cut into segments (words, numbers with their
classifiers, short quotations, Latin words, the edition's own names) that no break may split.

A segmenter alone gets these strings wrong (jieba: 第二|十一届; BudouX: 评|选圆|满|结束), so
the dictionary segmenter only *proposes* break positions, and rules take positions away: a break
is allowed only where the segmenter sees a word boundary AND no rule glues the two sides. Rules
never add a break, so a rule can only make a segment longer, never cut a word in two.

The segmenter is rjieba (jieba's dictionary and HMM in Rust): its dictionary loads once per
process on first use (~0.25 s CPU, ~33 MB), against ~1.8 s and ~90 MB for pure-Python jieba.
The edition's names are glue spans, not words added to rjieba's process-wide dictionary, so a
result never depends on which edition ran before in the same process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from types import ModuleType

HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{HAN}]+")
_ALNUM = "A-Za-z0-9\uff21-\uff3a\uff41-\uff5a\uff10-\uff19"
LATIN = re.compile(f"[{_ALNUM}]+(?:[-.'’&/·][{_ALNUM}]+)*\\+*")
"""A Latin word, acronym or number: EAP, AI+, COVID-19, A-101, 1.5."""

_CN_DIGITS = "〇零一二三四五六七八九十百千万亿两"
_NUM = f"(?:[0-9０-９]+(?:[.,:：][0-9０-９]+)*|[{_CN_DIGITS}]+)"
_UNIT = "届名位家人次期个项条章节批轮季号年月日时点分秒岁周天份件篇场支队户元页%％"
NUMBER = re.compile(f"第{_NUM}(?:[余多]?[{_UNIT}])?|(?:{_NUM}[ \u00a0]?[余多]?[{_UNIT}])+")
"""A number with its classifier: 第二十一届, 2025年12月10日, 二〇二五年十二月十日, 70余人, 14家."""

QUOTE_PAIRS = [
    (pair[0], pair[1]) for pair in ("“”", "‘’", "《》", "「」", "『』", "〈〉", "【】", '""')
]
QUOTE_MAX = 10
"""Quoted text up to this many characters stays whole (“权益杯”); longer quotes are phrases
and break between their words."""
_QUOTES = [
    re.compile(f"{re.escape(a)}[^{re.escape(a + b)}\n]{{1,{QUOTE_MAX}}}{re.escape(b)}")
    for a, b in QUOTE_PAIRS
]

CLOSING = set("，。、；：？！）》」』】〕〉〗”’…,.;:?!)]}%％·・")
"""Never starts a line (禁则): joins the segment before it."""
OPENING = set("（《「『【〔〈〖“‘([{")
"""Never ends a line: joins the segment after it."""

PARTICLES = set("的地得了着过们吗呢吧啊")
"""Single-character words that never start a line."""
FREE = set("和与及或并而在为对把被从向于以将由让给跟同也都就又再还已")
"""Single-character words that stand alone: a line may break on either side of them."""
PREFIXES = set("第各每本该某全总副非首") | set(_CN_DIGITS)
"""Single characters that belong to the word after them (三|病区 → 三病区)."""
MERGE_MAX = 8
"""A lone character joins a neighbour only while the result stays this short (and no longer
than the line)."""


def segments(text: str, names: Iterable[str] = (), longest: int | None = None) -> list[str]:
    """``text`` cut into the pieces a line break must not split; joined they give ``text`` back.

    ``names``: the edition's own names (units, people, series, tiers), each kept whole.
    ``longest``: the line's length in characters; a name or quotation longer than that cannot
    fit on one line, so it is not kept whole (it breaks between its own words instead).
    """
    cuts = [0, *breaks(text, names, longest), len(text)]
    return [text[a:b] for a, b in pairwise(cuts)]


def breaks(text: str, names: Iterable[str] = (), longest: int | None = None) -> list[int]:
    """Offsets 0 < i < len(text) where a line may break (between text[i-1] and text[i])."""
    allowed = _word_edges(text)
    for start, end in _glued(text, names, longest):
        allowed.difference_update(range(start + 1, end))
    allowed = {i for i in allowed if _punctuation_allows(text, i)}
    return _join_lone_characters(text, sorted(allowed), min(MERGE_MAX, longest or MERGE_MAX))


@cache
def _rjieba() -> ModuleType:
    import rjieba  # its dictionary takes ~0.25 s to load: only when first needed

    return rjieba


def _word_edges(text: str) -> set[int]:
    """Every position, except inside a Latin word and inside a word of a run of Chinese."""
    edges = set(range(1, len(text)))
    for match in LATIN.finditer(text):
        edges.difference_update(range(match.start() + 1, match.end()))
    for run in _HAN_RUN.finditer(text):
        edges.difference_update(range(run.start() + 1, run.end()))
        at = run.start()
        for word in _rjieba().cut(run.group(), hmm=True):
            at += len(word)
            edges.add(at)
    edges.discard(len(text))
    return edges


def _glued(text: str, names: Iterable[str], longest: int | None) -> list[tuple[int, int]]:
    spans = [m.span() for m in NUMBER.finditer(text)]
    spans += [m.span() for pattern in _QUOTES for m in pattern.finditer(text)]
    spans += [span for name in set(names) if len(name) > 1 for span in _occurrences(text, name)]
    return [(a, b) for a, b in spans if longest is None or _reach(text, a, b) <= longest]


def _reach(text: str, start: int, end: int) -> int:
    """Length of text[start:end] with the punctuation that will cling to it (禁则)."""
    while start > 0 and text[start - 1] in OPENING:
        start -= 1
    while end < len(text) and text[end] in CLOSING:
        end += 1
    return end - start


def _occurrences(text: str, name: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(name)
    while at >= 0:
        spans.append((at, at + len(name)))
        at = text.find(name, at + 1)
    return spans


def _punctuation_allows(text: str, i: int) -> bool:
    before, after = text[i - 1], text[i]
    if after in CLOSING or before in OPENING or after.isspace():
        return False
    return not (before == after and before in "—…")  # —— and …… are one mark each


def _join_lone_characters(text: str, cuts: list[int], limit: int) -> list[int]:
    """Take away the break on one side of a lone Chinese character the segmenter left over, so
    it stays with the word it belongs to (生物|样本|库 → 生物|样本库, 促成|长 → 促成长)."""
    bounds = [0, *cuts, len(text)]
    k = 1
    while k < len(bounds):
        char = text[bounds[k - 1] : bounds[k]].rstrip("".join(CLOSING))
        lone = len(char) == 1 and _HAN_RUN.match(char)
        side = _side(char, text, bounds, k, limit) if lone else 0
        if side < 0:
            del bounds[k - 1]
        elif side > 0:
            del bounds[k]
        else:
            k += 1
    return bounds[1:-1]


def _side(char: str, text: str, bounds: list[int], k: int, limit: int) -> int:
    """-1: join the segment before; +1: join the segment after; 0: stay alone."""
    before = text[bounds[k - 2] : bounds[k - 1]] if k >= 2 else ""
    after = text[bounds[k] : bounds[k + 1]] if k + 1 < len(bounds) else ""
    if char in PARTICLES and before:
        return -1
    if char in FREE:
        return 0
    if char in PREFIXES:
        return 1 if _is_word(after) and len(after) < limit else 0
    if _is_word(before) and len(before) < limit:
        return -1
    return 1 if _is_word(after) and len(after) < limit else 0


def _is_word(segment: str) -> bool:
    """A segment that starts and ends with a letter or a Chinese character."""
    return bool(segment) and segment[0].isalnum() and segment[-1].isalnum()
