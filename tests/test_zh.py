"""Chinese number and date forms."""

from __future__ import annotations

from datetime import date

import pytest

from docgen import zh


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (999, "九百九十九"),
        (1001, "一千零一"),
        (2025, "二千零二十五"),
        (10000, "一万"),
        (10001, "一万零一"),
        (120000, "十二万"),
    ],
)
def test_numeral(n: int, text: str) -> None:
    assert zh.numeral(n) == text


def test_edition_ordinal() -> None:
    assert zh.edition_ordinal(21) == "第二十一届"
    assert zh.edition_ordinal(110) == "第一百一十届"


def test_dates() -> None:
    d = date(2025, 12, 10)
    assert zh.date_arabic(d) == "2025年12月10日"
    assert zh.date_characters(d) == "二〇二五年十二月十日"
    assert zh.date_characters(date(2031, 6, 30)) == "二〇三一年六月三十日"
    assert zh.date_characters(date(2000, 1, 1)) == "二〇〇〇年一月一日"


def test_enumeration_comma() -> None:
    assert zh.enumerate_cn(["甲", "乙", "丙"]) == "甲、乙、丙"
