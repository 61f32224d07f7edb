"""Certificate serial patterns (``serial_pattern``): the one grammar that both the check and the
filling use, so a pattern that passes the check can always be filled, quickly.

A pattern is literal text and placeholders ``{name}`` or ``{name:spec}``. The names are the four
below; a number may have a spec of an optional ``0`` (pad with zeros), a width of at most
``MAX_WIDTH`` and an optional ``d``, as in ``{rank:02d}``. The award code takes no spec. Nothing
else is accepted: the pattern never reaches ``str.format``, so attribute access, conversions and
nested fields are simply unknown text, and a width cannot ask for a gigabyte of padding.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

FIELDS = ("year", "number", "award", "rank")
"""``award`` is the award's code (text); the others are numbers."""
MAX_WIDTH = 10
"""Widest padding a number may ask for: a 10-digit serial part is already more than any office
numbers its certificates with."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NUMBER_SPEC = re.compile(r"(0?)(\d*)d?")
_KNOWN = "可用 {year} {number} {award} {rank}，如 {rank:02d}"


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a serial pattern (a Chinese message), or None."""
    for body in _PLACEHOLDER.findall(pattern):
        if why := _placeholder_problem(body):
            return why
    if stray := re.search(r"[{}]", _PLACEHOLDER.sub("", pattern)):
        return f"编号格式中有不成对的“{stray[0]}”；占位符写作 {{rank}} 这样，{_KNOWN}"
    return None


def _placeholder_problem(body: str) -> str | None:
    name, colon, spec = body.partition(":")
    shown = "{" + (body if len(body) <= 20 else body[:20] + "…") + "}"
    if name not in FIELDS:
        return f"编号格式中的 {shown} 无法识别；{_KNOWN}"
    if name == "award":
        return (
            f"编号格式中的 {shown}：奖项代码是文字，不能指定格式；请写 {{award}}" if colon else None
        )
    match = _NUMBER_SPEC.fullmatch(spec)
    if match is None:
        return f"编号格式中的 {shown} 无法识别：数字只能指定位数，如 {{{name}:02d}}（补零到 2 位）"
    if len(match[2]) > 2 or int(match[2] or 0) > MAX_WIDTH:
        return f"编号格式中的 {shown} 位数太大：最多 {MAX_WIDTH} 位，如 {{{name}:04d}}"
    return None


def _valid(value: str) -> str:
    if why := problem(value):
        raise ValueError(why)
    return value


SerialPattern = Annotated[str, StringConstraints(min_length=1), AfterValidator(_valid)]
"""The models' type for a serial pattern: checked where it is written (edition.yaml or
config/certificate.yaml), so the message has that line."""


def fill(pattern: str, **values: int | str) -> str:
    """The serial for ``values``; ``pattern`` must have passed ``problem``."""

    def one(match: re.Match[str]) -> str:
        name, _, spec = match[1].partition(":")
        return _padded(str(values[name]), spec)

    return _PLACEHOLDER.sub(one, pattern)


def _padded(text: str, spec: str) -> str:
    """What ``format(number, spec)`` gives for the specs ``problem`` allows, computed here so no
    spec is ever handed to ``format``."""
    match = _NUMBER_SPEC.fullmatch(spec)
    if not spec or match is None:
        return text
    width = int(match[2] or 0)
    return text.zfill(width) if match[1] else text.rjust(width)
