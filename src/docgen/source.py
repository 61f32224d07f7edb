"""Strict YAML reading: every scalar stays the text that was typed, and every value keeps its line.

PyYAML's usual loaders apply YAML 1.1 implicit typing (``NO`` → False, ``010`` → 8, ``1:20`` → 80,
dates parsed), let a duplicate key silently win, expand alias bombs and (the C loader) crash on deep
nesting. Here the node tree is composed by the pure-Python composer with no implicit resolvers,
aliases, anchors, tags and merge keys are refused, nesting and size are capped before anything
expensive, and the data is built by hand so that each value's position is remembered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import DocgenError, Location, Problem

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 40
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

FieldPath = tuple[str | int, ...]

# Characters XML 1.0 cannot carry (Word and HTML would drop or choke on them), plus bidi controls.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
_FULLWIDTH_COLON_KEY = re.compile(r"^\s*[a-z_][a-z0-9_]*\s*：")


@dataclass(frozen=True)
class Span:
    """Where a value was written: 1-based line and column, and how its scalar was quoted."""

    line: int
    column: int
    style: str | None = None


@dataclass
class Document:
    """A YAML file read strictly: plain data plus the position of every key and value."""

    path: Path
    data: Any
    keys: dict[FieldPath, Span] = field(default_factory=dict)
    values: dict[FieldPath, Span] = field(default_factory=dict)
    raw_lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading that did not stop it (e.g. a duplicate key: the first wins)."""

    def locate(self, path: FieldPath) -> Location:
        """Position of the value at ``path``, else its key, else the nearest enclosing value."""
        for probe in _prefixes(path):
            span = self.values.get(probe) or self.keys.get(probe)
            if span:
                return Location(self.path, span.line, span.column)
        return Location(self.path)

    def locate_key(self, path: FieldPath) -> Location:
        span = self.keys.get(path)
        return Location(self.path, span.line, span.column) if span else self.locate(path)

    def locate_char(self, path: FieldPath, index: int) -> Location:
        """Position of character ``index`` of the string at ``path``, exact for the usual styles."""
        span = self.values.get(path)
        text = _value_at(self.data, path)
        if span is None or not isinstance(text, str):
            return self.locate(path)
        if span.style in (None, "'") and "\n" not in text[:index]:
            return Location(self.path, span.line, span.column + index + (1 if span.style else 0))
        if span.style in ("|", ">"):
            return self._locate_in_block(span, text, index)
        return Location(self.path, span.line, span.column)

    def _locate_in_block(self, span: Span, text: str, index: int) -> Location:
        """Walk the block's source lines (after the `|` or `>` line) to the character's line."""
        consumed, previous = 0, ""
        for number in range(span.line + 1, len(self.raw_lines) + 1):
            raw = self.raw_lines[number - 1]
            piece = raw.strip()
            if previous and piece:
                joined = span.style == ">" and _wide(previous[-1]) and _wide(piece[0])
                consumed += 0 if joined else 1
            if piece and index < consumed + len(piece):
                indent = len(raw) - len(raw.lstrip(" "))
                return Location(self.path, number, indent + index - consumed + 1)
            consumed += len(piece)
            previous = piece or previous
        return Location(self.path, span.line, span.column)


def field_name(path: FieldPath) -> str:
    """``("awards", 0, "winners", 3, "unit")`` → ``awards[0].winners[3].unit``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read(path: Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and compose a YAML file.

    Raises DocgenError when the file cannot be read as YAML at all; problems that leave the data
    usable (duplicate keys, forbidden characters) are collected in ``Document.problems`` so that
    the caller can report them together with every schema error.
    """
    text = _decode(path, _read_capped(path, max_bytes))
    root = _compose(path, text)
    builder = _Builder(path, text.splitlines())
    data = builder.build(root, ()) if root is not None else None
    doc = Document(path, data, builder.keys, builder.values, text.splitlines())
    doc.problems = builder.problems + list(_content_problems(doc))
    return doc


def read_strict(path: Path) -> Document:
    """Like read(), but any problem at all is raised."""
    doc = read(path)
    if doc.problems:
        raise DocgenError(doc.problems)
    return doc


def _read_capped(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise DocgenError([Problem(Location(path), "", "文件不存在")]) from None
    except IsADirectoryError:
        raise DocgenError([Problem(Location(path), "", "这是一个文件夹，不是 YAML 文件")]) from None
    except OSError as exc:
        raise DocgenError([Problem(Location(path), "", f"无法读取文件：{exc.strerror}")]) from None
    if len(raw) > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise DocgenError(
            [Problem(Location(path), "", f"文件超过 {limit} MB，不像是一届评选的数据")]
        )
    return raw


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = "文件是 UTF-16 编码，请在编辑器中“另存为”UTF-8 编码"
        raise DocgenError([Problem(Location(path, 1), "", hint)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "文件不是 UTF-8 编码（可能是 GBK/ANSI），请在编辑器中“另存为”UTF-8 编码"
        raise DocgenError([Problem(Location(path, line), "", hint)]) from None


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """PyYAML's pure-Python pipeline with no implicit typing; aliases and deep nesting refused."""

    def __init__(self, stream: str, path: Path) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.docgen_path = path
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            _raise_at(
                self.docgen_path,
                event.start_mark,
                "不支持 YAML 锚点和别名（& 和 *），请直接写出内容",
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", STR_TAG, SEQ_TAG, MAP_TAG):
            _raise_at(
                self.docgen_path, event.start_mark, f"不支持 YAML 标签 {tag}，请去掉以 ! 开头的标记"
            )
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                _raise_at(
                    self.docgen_path, event.start_mark, f"嵌套超过 {MAX_DEPTH} 层，请检查缩进"
                )
        node = super().compose_node(parent, index)
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self.depth -= 1
        return node


def _compose(path: Path, text: str) -> Node | None:
    loader = None
    try:
        loader = _StrictLoader(text, path)  # the reader already checks characters here
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        _raise_at(path, mark, _translate(exc))
    except yaml.reader.ReaderError as exc:
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        line = text[: exc.position].count("\n") + 1
        msg = f"文件中有不可见的控制字符 U+{ord(char):04X}，请删除它"
        raise DocgenError([Problem(Location(path, line), "", msg)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return None  # unreachable: _raise_at always raises


def _raise_at(path: Path, mark: Any, message: str) -> None:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    raise DocgenError([Problem(Location(path, line, col), "", message)])


_YAML_MESSAGES = [
    ("found character '\\t'", "发现制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
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
    ("found duplicate anchor", "锚点重复"),
    ("but found another document", "文件里有多个 YAML 文档（---），只能有一个"),
    ("expected the node content", "缺少内容：这里应该有一个值"),
    (
        "found character that cannot start any token",
        "这里有一个不能作为开头的字符（如 @ 或 `），请给整个值加引号",
    ),
]


def _translate(exc: yaml.MarkedYAMLError) -> str:
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, chinese in _YAML_MESSAGES:
        if needle in text:
            return chinese
    return f"YAML 格式错误（{(exc.problem or exc.context or '').strip()}）"


class _Builder:
    """Turns the node tree into dicts/lists/strings, recording positions and problems."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.keys: dict[FieldPath, Span] = {}
        self.values: dict[FieldPath, Span] = {}
        self.problems: list[Problem] = []

    def build(self, node: Node, path: FieldPath) -> Any:
        mark = node.start_mark
        style = node.style if isinstance(node, ScalarNode) else None
        self.values[path] = Span(mark.line + 1, mark.column + 1, style)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode) and node.style is None and node.value == "":
            return None  # `key:` with nothing after it means "not given"
        return _fold_cjk(node, self.lines) if isinstance(node, ScalarNode) else node.value

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            line = key_node.start_mark.line + 1
            if key in first_line:
                self._problem(
                    key_node,
                    path,
                    f"键“{key}”重复：第 {first_line[key]} 行和第 {line} 行都写了它，请删去一个",
                )
                continue
            first_line[key] = line
            self.keys[(*path, key)] = Span(line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _key(self, node: Node) -> str | None:
        if not isinstance(node, ScalarNode):
            self._problem(node, (), "键必须是简单的文字")
            return None
        if node.value == "<<":
            self._problem(node, (), "不支持合并键 <<，请直接写出内容")
            return None
        return str(node.value)

    def _problem(self, node: Node, path: FieldPath, message: str) -> None:
        loc = Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)
        self.problems.append(Problem(loc, field_name(path), message))


def _fold_cjk(node: ScalarNode, lines: list[str]) -> str:
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
        joined += ("" if _wide(joined[-1]) and _wide(piece[0]) else " ") + piece
    return joined + value[len(body) :]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _content_problems(doc: Document) -> Iterator[Problem]:
    """Characters and IME slips that YAML accepts but that would print wrong."""
    for path, text in iter_strings(doc.data):
        if match := _FORBIDDEN.search(text):
            char = match.group()
            name = unicodedata.name(char, "控制字符")
            msg = f"含有不可打印的字符 U+{ord(char):04X}（{name}），请删除它"
            yield Problem(doc.locate_char(path, match.start()), field_name(path), msg)
        if _FULLWIDTH_COLON_KEY.match(text) and doc.values[path].style is None:
            msg = "这里用了全角冒号“：”；键名后面应是半角冒号加空格（“: ”）"
            yield Problem(doc.locate(path), field_name(path), msg)
    for path in doc.keys:
        key = path[-1]
        if isinstance(key, str) and key[:1] in ("\u3000", "\u00a0"):
            msg = "键名前有全角空格（U+3000）或不换行空格；YAML 缩进只能用半角空格"
            yield Problem(doc.locate_key(path), field_name(path), msg)


def iter_strings(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string value in the data, with its path (keys are not included)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _prefixes(path: FieldPath) -> Iterator[FieldPath]:
    for end in range(len(path), -1, -1):
        yield path[:end]
