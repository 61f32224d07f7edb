"""Building plain data from YAML parser events: strictly, within caps, every value's place kept.

PyYAML's loaders apply YAML 1.1 implicit typing (``NO`` → False, ``010`` → 8), let a duplicate
key silently win, expand alias bombs, and compose a node tree recursively (the C composer crashes
on deep nesting). Here the parser's events (yamlevents) become dicts, lists and each scalar's
exact text in one loop with its own stack. It refuses aliases, anchors, tags, merge keys and a
second document where they occur, and counts depth and values as they arrive: hostile input
stops at a cap, not after the work.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from . import yamlevents
from .cjkfold import fold_cjk
from .errors import Collector, DocgenError, Location, Problem, quote

MAX_DEPTH = 40
MAX_NODES = 100_000
"""Values (keys, texts, lists and mappings) a file may hold. A winner is at most 9 (its mapping,
4 keys, 4 texts): any edition of 10,000 winners fits, and bench/certificates.py's has 50,000.
Reading costs ~2.5 µs a value (~0.25 s at the cap) where PyYAML's own loader took ~25 µs."""
ALLOWED_TAGS = (
    None,
    "!",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
)

ALIAS = "不支持 YAML 锚点和别名（& 和 *），请直接写出内容"

FieldPath = tuple[str | int, ...]


class Span(NamedTuple):
    """Where a value was written: 1-based line and column, and how its scalar was quoted."""

    line: int
    column: int
    style: str | None = None


class _Frame:
    """The file itself: holds the one top-level value. Subclasses: a mapping or list being built.
    ``keep`` is False inside what is thrown away (the value of a duplicate key, a key that is
    not text): that is parsed and counted, but neither stored, located nor checked."""

    wants_key = False
    is_key = False

    def __init__(self, path: FieldPath = (), keep: bool = True) -> None:
        self.path, self.keep = path, keep
        self.value: Any = None

    def next_path(self) -> FieldPath | None:
        """The path of the value that comes next, or None when it is thrown away."""
        return self.path if self.keep else None

    def put(self, value: Any) -> None:
        self.value = value


class _List(_Frame):
    def __init__(self, path: FieldPath, keep: bool) -> None:
        super().__init__(path, keep)
        self.value: list[Any] = []

    def next_path(self) -> FieldPath | None:
        return (*self.path, len(self.value)) if self.keep else None

    def put(self, value: Any) -> None:
        self.value.append(value)


class _Map(_Frame):
    def __init__(self, path: FieldPath, keep: bool) -> None:
        super().__init__(path, keep)
        self.value: dict[str, Any] = {}
        self.wants_key = True
        self.key: str | None = None  # the key whose value comes next; None: throw it away
        self.first_line: dict[str, int] = {}

    def next_path(self) -> FieldPath | None:
        return (*self.path, self.key) if self.key is not None else None

    def put(self, value: Any) -> None:
        if self.key is not None:
            self.value[self.key] = value
        self.wants_key = True


class Builder:
    """Consumes the events of one file. The result: ``data``, the ``keys`` and ``values`` with
    their spans, and ``strings``, every kept string value with its path (for content checks)."""

    def __init__(self, path: Path, lines: list[str], problems: Collector) -> None:
        self.path, self.lines, self.problems = path, lines, problems
        self.keys: dict[FieldPath, Span] = {}
        self.values: dict[FieldPath, Span] = {}
        self.strings: list[tuple[FieldPath, str]] = []
        self.stack: list[_Frame] = [_Frame()]
        self.nodes = self.documents = 0

    @property
    def data(self) -> Any:
        return self.stack[0].value

    def build(self, events: Iterator[Event]) -> None:
        handlers: dict[type[Event], Callable[[Any], None]] = {
            ScalarEvent: self._scalar,
            MappingStartEvent: self._open,
            SequenceStartEvent: self._open,
            MappingEndEvent: self._close,
            SequenceEndEvent: self._close,
            AliasEvent: self._alias,
            DocumentStartEvent: self._document,
        }
        for event in events:
            if handler := handlers.get(type(event)):
                handler(event)

    def _admit(self, event: ScalarEvent | CollectionStartEvent) -> None:
        """Count every value, and refuse what is over a cap or not plain YAML, before it costs
        anything. (Kept to one test on the way through: it runs for every value.)"""
        self.nodes += 1
        if self.nodes > MAX_NODES or event.anchor or event.tag not in ALLOWED_TAGS:
            self._refuse(event, _why_not(event, self.nodes))

    def _scalar(self, event: ScalarEvent) -> None:
        self._admit(event)
        top = self.stack[-1]
        if isinstance(top, _Map) and top.wants_key:
            self._key(top, event)
            return
        path = top.next_path()
        if path is None:
            top.put(event.value)
            return
        self.values[path] = Span(*_position(event), event.style)
        if event.style is None and event.value == "":
            top.put(None)  # `key:` with nothing after it means "not given"
            return
        value = fold_cjk(event, self.lines) if _multiline(event) else event.value
        self.strings.append((path, value))
        top.put(value)

    def _key(self, top: _Map, event: ScalarEvent) -> None:
        key, (line, column) = event.value, _position(event)
        top.wants_key, top.key = False, None
        if not top.keep:
            return
        if key == "<<":
            self._problem(event, (), "不支持合并键 <<，请直接写出内容")
        elif key in top.first_line:
            first = top.first_line[key]
            why = f"键“{quote(key)}”重复：第 {first} 行和第 {line} 行都写了它，请删去一个"
            self._problem(event, top.path, why)
        else:
            top.first_line[key] = line
            self.keys[(*top.path, key)] = Span(line, column)
            top.key = key

    def _open(self, event: CollectionStartEvent) -> None:
        self._admit(event)
        new = _Map if isinstance(event, MappingStartEvent) else _List
        top = self.stack[-1]
        if isinstance(top, _Map) and top.wants_key:
            if top.keep:
                self._problem(event, (), "键必须是简单的文字")
            top.wants_key, top.key = False, None
            self.stack.append(new(top.path, keep=False))
            self.stack[-1].is_key = True  # thrown away, and so is the value after it
        elif (path := top.next_path()) is None:
            self.stack.append(new(top.path, keep=False))
        else:
            self.values[path] = Span(*_position(event))
            self.stack.append(new(path, keep=True))
        if len(self.stack) > MAX_DEPTH + 1:
            self._refuse(event, f"嵌套超过 {MAX_DEPTH} 层，请检查缩进")

    def _close(self, _event: CollectionEndEvent) -> None:
        done = self.stack.pop()
        if not done.is_key:
            self.stack[-1].put(done.value)

    def _alias(self, event: NodeEvent) -> None:
        self._refuse(event, ALIAS)

    def _document(self, event: DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            self._refuse(event, "文件里有多个 YAML 文档（---），只能有一个")

    def _problem(self, event: Event, path: FieldPath, message: str) -> None:
        where = Location(self.path, *_position(event))
        self.problems.add(Problem, where, field_name(path), message)

    def _refuse(self, event: Event, message: str) -> None:
        raise DocgenError([Problem(Location(self.path, *_position(event)), "", message)])


def build(path: Path, text: str, lines: list[str], problems: Collector) -> Builder:
    """Build the data of ``text`` (the file at ``path``, split into ``lines``); problems that
    leave it usable go to ``problems``, anything else raises DocgenError located at its line."""
    builder = Builder(path, lines, problems)
    with _collector_paused():
        builder.build(yamlevents.events(path, text, lines))
    return builder


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Building makes a few objects a value and no reference cycles; left on, Python's cycle
    collector walks the whole heap again and again as they pile up (a quarter of the build's
    time, more in a big heap). Nothing built here needs it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def field_name(path: FieldPath) -> str:
    """``("awards", 0, "winners", 3, "unit")`` → ``awards[0].winners[3].unit``."""
    text = ""
    for part in path:
        text += (
            f"[{part}]" if isinstance(part, int) else (f".{quote(part)}" if text else quote(part))
        )
    return text


def _why_not(event: ScalarEvent | CollectionStartEvent, nodes: int) -> str:
    if nodes > MAX_NODES:
        return f"内容过多：超过 {MAX_NODES} 项，不像是一届评选的数据；请检查是否误粘贴了大量内容"
    if event.anchor:
        return ALIAS
    return f"不支持 YAML 标签 {quote(str(event.tag), 60)}，请去掉以 ! 开头的标记"


def _multiline(event: Event) -> bool:
    start, end = event.start_mark, event.end_mark
    return start is not None and end is not None and end.line > start.line


def _position(event: Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
