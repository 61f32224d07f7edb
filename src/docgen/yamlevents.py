"""YAML text to parser events: libyaml when PyYAML has it, and every parse error located in Chinese.

libyaml (in every PyYAML wheel, Windows included) parses ~30 times faster than PyYAML's pure-Python
scanner (~2 µs against ~60 µs a value on this machine). Only its parser is used: no composer, no
constructor, so nothing is typed, expanded or built here, and its stack cannot overflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import yaml
from yaml.events import Event, ScalarEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from .errors import DocgenError, Location, Problem, quote


class PurePython(Reader, Scanner, Parser):
    """PyYAML's own parser: the same events, ~30 times slower. Used where libyaml is missing."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


class _Events(Protocol):
    def get_event(self) -> Event | None: ...
    def dispose(self) -> None: ...


try:
    from yaml._yaml import CParser as _CParser

    PARSER: Callable[[str], _Events] = _CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    PARSER = PurePython


def events(path: Path, text: str, lines: list[str]) -> Iterator[Event]:
    """The events of ``text`` (the file at ``path``, split into ``lines``); a parse error raises
    DocgenError located at its line and column."""
    _refuse_unprintable(path, text)
    parser = PARSER(text)
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, ScalarEvent):
                event.style = event.style or None  # plain: libyaml says "", PyYAML None
            yield event
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise DocgenError([Problem(where, "", _translate(exc, lines))]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - characters were checked above
        raise DocgenError(
            [Problem(Location(path), "", f"YAML 格式错误（{quote(str(exc))}）")]
        ) from None
    finally:
        parser.dispose()


# What YAML itself cannot hold (C0 controls but tab and line breaks, DEL, C1 but NEL, surrogates,
# U+FFFE/U+FFFF): found here with line and column, before the parser would stop at it.
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _refuse_unprintable(path: Path, text: str) -> None:
    if match := _UNPRINTABLE.search(text):
        at = match.start()
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        why = f"文件中有不可见的控制字符 U+{ord(match.group()):04X}，请删除它"
        raise DocgenError([Problem(Location(path, line, column), "", why)])


_YAML_MESSAGES = [
    (
        "mapping values are not allowed",
        "这里不能出现“键: 值”：检查这一行的缩进；若值中含有“: ”，请给整个值加引号",
    ),
    ("could not find expected ':'", "缺少冒号：键和值之间要用半角冒号加空格（“: ”）"),
    ("expected <block end>", "缩进不一致：这一行的缩进与上文对不齐"),
    ("did not find expected key", "缩进不一致或缺少冒号：这一行不像是上文的一个键"),
    ("did not find expected '-'", "缩进不一致：列表项应以“- ”开头并与上一项对齐"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    (
        "found unknown escape character",
        "双引号内有未知的转义（反斜杠 \\）；不需要转义时请改用单引号或不加引号",
    ),
    ("expected a comment or a line break", "引号后面多了内容：一个值只能有一对引号包住全部内容"),
    ("expected the node content", "缺少内容：这里应该有一个值"),
    ("cannot start any token", "这里有一个不能作为开头的字符（如 @ 或 `），请给整个值加引号"),
]
_TAB = "发现制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"


def _translate(exc: yaml.MarkedYAMLError, lines: list[str]) -> str:
    mark = exc.problem_mark
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if mark is not None and line[mark.column : mark.column + 1] == "\t":
        return _TAB  # libyaml does not name the character, PyYAML does: look at the text
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, chinese in _YAML_MESSAGES:
        if needle in text:
            return chinese
    return f"YAML 格式错误（{quote((exc.problem or exc.context or '').strip())}）"
