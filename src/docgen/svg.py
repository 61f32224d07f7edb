"""SVG artwork (a logo or seal from config/) that WeasyPrint can draw in bounded time: small,
self-contained, without entity declarations, and with a bounded number of elements once every
<use> is expanded.

WeasyPrint draws an SVG element by element in Python: about 0.3 ms per element, 0.8 ms per
element a <use> copies (10 s for 12 nested doublings, minutes for 16), and 25 MB of SVG took over
two minutes. A real logo or seal has tens to a few thousand elements.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

MAX_BYTES = 1024 * 1024
MAX_ELEMENTS = 5000
"""Elements WeasyPrint will draw, <use> copies included (about 1.5 s)."""
MAX_DEPTH = 64
HINT = "请在绘图软件中简化后另存，或改用 PNG"

_HREF = re.compile(r"(^|})href$")
_FOREIGN_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_BANNED_TEXT = {
    "<!DOCTYPE": "SVG 中有 DOCTYPE 声明（可用于实体炸弹或读取其他文件），已拒绝",
    "<!ENTITY": "SVG 中有 ENTITY 声明（可用于实体炸弹或读取其他文件），已拒绝",
    "<?xml-stylesheet": "SVG 引用了外部样式表（xml-stylesheet），已拒绝",
    "@import": "SVG 的样式中有 @import（引用外部样式表），已拒绝",
}


def problem(data: bytes) -> str | None:
    """Why ``data`` is not SVG artwork docgen will hand to WeasyPrint, or None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "SVG 文件不是 UTF-8 编码，请在绘图软件或编辑器中另存为 UTF-8"
    if found := next((why for needle, why in _BANNED_TEXT.items() if needle in text), None):
        return found
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE (refused above), so no entities
    except ET.ParseError as exc:
        return f"不是有效的 SVG 文件（第 {exc.position[0]} 行有 XML 错误），可能已损坏"
    if _local(root.tag) != "svg":
        return "不是 SVG 文件：最外层不是 <svg> 元素"
    return _reference_problem(root) or _size_problem(root)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _reference_problem(root: ET.Element) -> str | None:
    """Anything that would make WeasyPrint fetch something: only #ids inside the file are kept."""
    for element in root.iter():
        for name, value in element.attrib.items():
            if _HREF.search(name) and not value.strip().startswith("#"):
                return f"SVG 引用了文件之外的资源“{_cut(value)}”，已拒绝；请把它嵌入为图形"
            if _FOREIGN_URL.search(value):
                return f"SVG 的 {_local(name)} 引用了文件之外的资源，已拒绝"
        if _local(element.tag) == "style" and _FOREIGN_URL.search(element.text or ""):
            return "SVG 的样式引用了文件之外的资源（url(…)），已拒绝"
        if _local(element.tag) == "marker":
            return f"SVG 中有 marker（箭头等标记，会在每个顶点重复绘制）；{HINT}"
    return None


def _cut(text: str, chars: int = 40) -> str:
    return text if len(text) <= chars else text[:chars] + "…"


def _size_problem(root: ET.Element) -> str | None:
    depth = _depth(root)
    if depth > MAX_DEPTH:
        return f"SVG 的元素嵌套了 {depth} 层，超过上限 {MAX_DEPTH} 层；{HINT}"
    count = _expanded(root)
    if count is None:
        return "SVG 中的 <use> 引用了自己（循环引用），已拒绝"
    if count > MAX_ELEMENTS:
        shown = f"{count:,}" if count < _LIMIT else f"超过 {_LIMIT:,}"
        return f"SVG 展开 <use> 后有 {shown} 个元素，超过上限 {MAX_ELEMENTS:,} 个；{HINT}"
    return None


def _depth(root: ET.Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element)
    return deepest


_LIMIT = 10 * MAX_ELEMENTS
"""Counting stops here: a <use> bomb's true size can have dozens of digits."""


def _expanded(root: ET.Element) -> int | None:
    """Elements drawn, each <use> counting what it copies; None for a <use> that reaches itself.

    Iterative depth-first with memory: ``active`` is the path being expanded, so meeting one of
    its elements again is a cycle."""
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    memo: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        key = id(element)
        if finished:
            active.discard(key)
            parts = (memo[id(d)] for d in _drawn(element, ids))
            memo[key] = min(_LIMIT, 1 + sum(parts))
            continue
        if key in memo:
            continue
        active.add(key)
        stack.append((element, True))
        for dependency in _drawn(element, ids):
            if id(dependency) in active:
                return None
            if id(dependency) not in memo:
                stack.append((dependency, False))
    return memo[id(root)]


def _drawn(element: ET.Element, ids: dict[str | None, ET.Element]) -> list[ET.Element]:
    """What drawing ``element`` draws besides itself: its children, and what a <use> copies."""
    found = list(element)
    if _local(element.tag) == "use":
        href = next((v for k, v in element.attrib.items() if _HREF.search(k)), "")
        target = ids.get(href.strip()[1:])
        if target is not None:
            found.append(target)
    return found
