"""Chinese number and date forms: 第二十一届, 2025年12月10日, 二〇二五年十二月十日."""

from __future__ import annotations

from datetime import date

_DIGITS = "〇一二三四五六七八九"
_UNITS = ["", "十", "百", "千"]


def numeral(n: int) -> str:
    """Cardinal number in Chinese characters: 21 → 二十一, 10 → 十, 105 → 一百零五 (0 ≤ n < 10⁸)."""
    if n < 0 or n >= 10**8:
        raise ValueError(f"numeral() supports 0…99999999, got {n}")
    if n < 10:
        return "零" if n == 0 else _DIGITS[n]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        tail = "" if low == 0 else ("零" if low < 1000 else "") + numeral(low)
        return numeral(high) + "万" + tail
    text = _below_10000(n)
    return text[1:] if text.startswith("一十") else text  # 十二, not 一十二


def _below_10000(n: int) -> str:
    parts: list[str] = []
    pending_zero = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_DIGITS[digit] + _UNITS[power])
    return "".join(parts)


def edition_ordinal(n: int) -> str:
    """21 → 第二十一届."""
    return f"第{numeral(n)}届"


def date_arabic(d: date) -> str:
    """2025-12-10 → 2025年12月10日 (news and report style)."""
    return f"{d.year}年{d.month}月{d.day}日"


def date_characters(d: date) -> str:
    """2025-12-10 → 二〇二五年十二月十日 (certificate style: year digit by digit)."""
    year = "".join(_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{numeral(d.month)}月{numeral(d.day)}日"


def enumerate_cn(items: list[str]) -> str:
    """Join with the enumeration comma: [甲, 乙, 丙] → 甲、乙、丙."""
    return "、".join(items)
