"""Size bounds on what one template expression may build, where Jinja's sandbox has none.

The sandbox stops attribute tricks, and bounds only ``range()``. One short expression can still
ask for a gigabyte in a fraction of a second: ``'x' * 10**9``, ``'x'.ljust(10**9)``,
``'%*s'|format(10**9, '')``, ``'{:>1000000000}'.format('')``, ``lipsum(10**5)``, a tower of
``**`` (seconds of CPU), ``range(100000)|join(long)``. Each check here runs *before* the
operation, on its arguments alone. Loops that grow a value step by step are not bounded here.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable
from typing import Any

import jinja2.filters
from jinja2.exceptions import SecurityError

MAX_REPEAT = 100_000
"""Longest string or list ``*`` may build, and the largest width or count any string function
may be given (padding, indent, batch)."""
MAX_TEXT = 1_000_000
"""Longest string one join or replace may build."""
MAX_POWER = 64
MAX_INT_BITS = 4096
"""Integers past this (about 1,200 digits) are not something a document prints."""
MAX_JSON_INDENT = 16
PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
TOO_BIG = "模板要生成的内容过大（{what}）"


def _refuse(what: str) -> SecurityError:
    return SecurityError(TOO_BIG.format(what=what))


def bound(value: Any, limit: int = MAX_REPEAT, what: str = "宽度或个数") -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limit:
        raise _refuse(f"{what} {value} 超过上限 {limit}")


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def power(left: Any, right: Any) -> None:
    """``**``: a small exponent, and a result of bounded size (10**64**64… is seconds of CPU)."""
    if not (isinstance(right, int) and abs(right) <= MAX_POWER):
        raise _refuse(f"指数 {right!r} 超过上限 {MAX_POWER}")
    if right > 0 and _int_bits(left) * right > MAX_INT_BITS:
        raise _refuse("整数过大")


def times(left: Any, right: Any) -> None:
    """``*``: a repeated string or list stays under MAX_REPEAT, a product of integers bounded."""
    for seq, count in ((left, right), (right, left)):
        repeats = isinstance(seq, (str, list, tuple)) and isinstance(count, int)
        if repeats and len(seq) * count > MAX_REPEAT:
            raise _refuse(f"重复 {count} 次，超过上限 {MAX_REPEAT} 个字符")
    if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
        raise _refuse("整数过大")


def plus(left: Any, right: Any) -> None:
    sequences = isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple))
    if sequences and len(left) + len(right) > MAX_TEXT:
        raise _refuse(f"拼接后超过 {MAX_TEXT} 个字符")


def percent(fmt: Any) -> None:
    """printf-style widths and precisions (``%`` and ``|format``): literal, and not too big."""
    if not isinstance(fmt, str):
        return
    for match in _PERCENT.finditer(fmt):
        for field in match.groups():
            if field == "*":
                raise _refuse("格式中的 * 宽度")
            bound(int(field) if field else None)


def braces(fmt: str) -> None:
    """str.format widths and precisions: literal (no nested ``{}``), and not too big."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format itself reports the broken format
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise _refuse("格式说明中嵌套的 {}")
        for number in re.findall(r"\d+", spec or ""):
            bound(int(number))


def joined(separator: str, items: list[Any]) -> None:
    size = len(separator) * max(len(items) - 1, 0) + sum(len(str(i)) for i in items)
    if size > MAX_TEXT:
        raise _refuse(f"连接后有 {size} 个字符，超过上限 {MAX_TEXT}")


def replaced(text: str, old: Any, new: Any, count: Any = -1) -> None:
    old, new = str(old), str(new)
    hits = len(text) + 1 if not old else len(text) // len(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    if len(text) + hits * max(len(new) - len(old), 0) > MAX_TEXT:
        raise _refuse(f"替换后超过 {MAX_TEXT} 个字符")


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Checks for a call from template code; returns the arguments to call with (a generator
    given to str.join is read into a list first, to measure it)."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format in a function
    text = getattr(method, "__self__", None)
    if not isinstance(text, str):
        return args
    name = getattr(method, "__name__", "")
    if name in ("format", "format_map"):
        braces(text)
    elif name in PADDING:
        for value in (*args, *kwargs.values()):
            bound(value)
    elif name == "join" and args:
        args = (list(args[0]), *args[1:])
        joined(text, args[0])
    elif name == "replace" and len(args) >= 2:
        replaced(text, *args[:3])
    return args


def _indent(s: Any, width: Any = 4, *rest: Any, **kwargs: Any) -> None:
    if isinstance(width, str) and len(width) * (str(s).count("\n") + 1) > MAX_TEXT:
        raise _refuse(f"缩进后超过 {MAX_TEXT} 个字符")
    bound(width)


def _join(value: Any, d: Any = "", *rest: Any, **kwargs: Any) -> None:
    joined(str(d), value)


def _nth(position: int, name: str, limit: int = MAX_REPEAT) -> Callable[..., None]:
    def check(*args: Any, **kwargs: Any) -> None:
        bound(args[position] if len(args) > position else kwargs.get(name), limit)

    return check


CHECKS: dict[str, Callable[..., None]] = {
    "center": _nth(1, "width"),
    "indent": _indent,
    "format": lambda value, *args, **kwargs: percent(value),
    "join": _join,
    "replace": lambda s, old, new, count=None, **kw: replaced(str(s), old, new, count),
    "batch": _nth(1, "linecount"),
    "slice": _nth(1, "slices"),
    "tojson": _nth(1, "indent", MAX_JSON_INDENT),
}
"""Jinja's built-in filters that can build a big value from small arguments, and their checks."""


def guarded_filters() -> dict[str, Callable[..., Any]]:
    """Jinja's built-in filters in CHECKS, each checking its arguments before it runs."""
    return {name: _guard(jinja2.filters.FILTERS[name], check) for name, check in CHECKS.items()}


def _guard(original: Callable[..., Any], check: Callable[..., None]) -> Callable[..., Any]:
    # functools.wraps copies jinja_pass_arg: Jinja still hands the filter its eval context first.
    skip = 1 if hasattr(original, "jinja_pass_arg") else 0

    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if check is _join:  # a generator is read once into a list, to be measured, then joined
            args = (*args[:skip], list(args[skip]), *args[skip + 1 :])
        check(*args[skip:], **kwargs)
        return original(*args, **kwargs)

    return guarded
