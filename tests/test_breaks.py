"""Break marks for the renderers, and titles and paragraphs cut into lines between words."""

from __future__ import annotations

import pytest
import rjieba

from docgen.breaks import (
    WORD_JOINER,
    ZERO_WIDTH_SPACE,
    balance,
    em,
    fill,
    mark_breaks,
    units,
    words_html,
)
from docgen.segment import segments

from .test_segment import NAMES

HEADLINE = "医学部工会系统第二十一届“权益杯”精品活动评选圆满结束"
REPORT_TITLE = "关于医学部工会系统第二十一届“权益杯”精品活动评选情况的报告"
BODY = (
    "你单位申报的“‘医’路向阳从‘心’出发——医务人员心理健康关爱计划(EAP)”"
    "在医学部工会系统第二十一届“权益杯”精品活动评选中荣获"
)


def test_the_dictionary_alone_splits_what_segments_keeps() -> None:
    """Why rules sit on top of the segmenter (issue 12 measured the same on jieba)."""
    assert "十一届" in rjieba.cut(HEADLINE) and "第二十一届" in segments(HEADLINE)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        (HEADLINE, 20, ["医学部工会系统第二十一届", "“权益杯”精品活动评选圆满结束"]),
        (HEADLINE, 12, ["医学部工会系统", "第二十一届“权益杯”", "精品活动评选圆满结束"]),
        (REPORT_TITLE, 26, ["关于医学部工会系统第二十一届", "“权益杯”精品活动评选情况的报告"]),
        (REPORT_TITLE, 40, [REPORT_TITLE]),
    ],
)
def test_titles_are_balanced_between_words(text: str, width: float, lines: list[str]) -> None:
    assert balance(text, width, NAMES) == lines


@pytest.mark.parametrize("width", [8, 10, 13, 17, 22, 29])
def test_balanced_lines_fit_differ_little_and_end_at_segment_boundaries(width: float) -> None:
    for text in (HEADLINE, REPORT_TITLE, BODY):
        lines = balance(text, width, NAMES)
        assert "".join(lines) == text
        assert all(em(line) <= width for line in lines)
        lengths = [em(line) for line in lines]
        assert max(lengths) - min(lengths) <= max(map(em, segments(text, NAMES))), lines
        cut = 0
        for line in lines[:-1]:
            cut += len(line)
            assert text[:cut] in {"".join(segments(text, NAMES, width)[:k]) for k in range(40)}


def test_asking_for_more_lines_than_fewest() -> None:
    assert len(balance(HEADLINE, 30, NAMES, lines=3)) == 3


@pytest.mark.parametrize("width", [9, 11, 14, 18, 23])
def test_a_paragraph_never_ends_on_one_or_two_characters(width: float) -> None:
    lines = fill(BODY, width, NAMES, indent=2)
    assert "".join(lines) == BODY
    assert len(lines) == 1 or len(lines[-1]) >= 3, lines
    assert em(lines[0]) + 2 <= width and all(em(line) <= width for line in lines[1:])


def test_the_tail_holds_at_least_three_characters() -> None:
    assert units(BODY, NAMES, tail=3)[-1] == "精品活动评选中荣获"
    assert units("特发此证，以资鼓励。", tail=3)[-1] == "以资鼓励。"


def test_marks_are_invisible_and_only_between_or_inside_segments() -> None:
    marked = mark_breaks(HEADLINE, NAMES)
    assert marked.replace(WORD_JOINER, "").replace(ZERO_WIDTH_SPACE, "") == HEADLINE
    assert marked.split(ZERO_WIDTH_SPACE)[1] == WORD_JOINER.join("第二十一届")


def test_html_marking_escapes_and_keeps_the_text() -> None:
    html = str(words_html("智享‘AI+营养’<新>生活 & 家", NAMES))
    assert '<span class="keep">‘AI+营养’</span>' in html
    assert "&lt;" in html and "&amp;" in html and "<新>" not in html
    assert html.replace("<wbr>", "").replace('<span class="keep">', "").replace("</span>", "") == (
        "智享‘AI+营养’&lt;新&gt;生活 &amp; 家"
    )
