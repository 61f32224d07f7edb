"""Folding a YAML scalar's line breaks the way Chinese wants: none between two wide characters."""

from __future__ import annotations

import unicodedata
from typing import Any, Protocol


class _Scalar(Protocol):
    value: str
    style: str | None
    start_mark: Any
    end_mark: Any


def fold_cjk(node: _Scalar, lines: list[str]) -> str:
    """A folded line break between two Chinese characters vanishes instead of becoming a space.

    YAML folds each line break of a `>` or plain multi-line scalar into a space, which is right
    for English and wrong for Chinese: a paragraph typed over several lines would print with stray
    spaces. This is the rule CSS applies to segment breaks between East Asian wide characters.
    Only the simple case is touched (one line break per space, nothing else folded), verified
    against what YAML produced; anything else is returned exactly as YAML read it.
    """
    value = str(node.value)
    start, end = node.start_mark, node.end_mark
    if node.style not in (None, ">") or end.line <= start.line:
        return value
    if node.style == ">":
        pieces = [line.strip() for line in lines[start.line + 1 : end.line + 1]]
        while pieces and not pieces[-1]:
            pieces.pop()
    else:
        pieces = [lines[start.line][start.column :].strip()]
        pieces += [line.strip() for line in lines[start.line + 1 : end.line]]
        pieces.append(lines[end.line][: end.column].strip())
    body = value.rstrip("\n")
    if not pieces or "" in pieces or " ".join(pieces) != body:
        return value
    joined = pieces[0]
    for piece in pieces[1:]:
        joined += ("" if wide(joined[-1]) and wide(piece[0]) else " ") + piece
    return joined + value[len(body) :]


def wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")
