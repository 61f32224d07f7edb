"""Plain data, the only values template code sees, and the allow-list of what it may do with each:
which attributes and methods of which types it may use, and which objects it may call.

A context holding anything richer hands its methods to the template: docxtpl's InlineImage
carried the live DocxTemplate, whose save(), write_xml() and replace_zipname() wrote files and
read /etc/passwd. So contexts are checked before every render (``check``), and the sandbox
(templating.Environment) refuses every attribute and call that is not listed here.
"""

from __future__ import annotations

from datetime import date, datetime
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any

from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import safe_range
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

SCALARS = (str, int, float, bool, type(None), date, datetime)
"""With dict, list and tuple (of these, nested), all a context may hold. Markup is a str."""

TEXT = frozenset([
    "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "format",
    "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
    "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
    "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust",
    "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
    "title", "upper", "zfill",
])  # fmt: skip
"""str methods that return text, numbers or lists of text, with a size template_limits bounds or
the input's own. Not format_map (format does the same), translate (a table can expand every
character), encode (bytes), maketrans."""
DAY = frozenset({"year", "month", "day", "isoformat", "weekday", "isoweekday"})
LOOP = frozenset([
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
    "previtem", "nextitem", "cycle", "changed",
])  # fmt: skip
ANY_NAME = frozenset({"*"})
"""A Namespace's attributes are the template's own variables ({% set ns.total = … %}), and an
imported template's are its macros ({% import 'macros.j2' as m %})."""
ATTRIBUTES: dict[type, frozenset[str]] = {
    str: TEXT,
    Markup: TEXT | {"striptags", "unescape"},
    dict: frozenset({"keys", "values", "items", "get"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    date: DAY,
    datetime: DAY | {"hour", "minute", "second"},
    LoopContext: LOOP,
    Cycler: frozenset({"next", "reset", "current"}),
    Namespace: ANY_NAME,
    TemplateModule: ANY_NAME,
    BlockReference: frozenset({"super"}),
}
"""Of each type (exactly: no subclasses), what template code may read. Anything not listed,
every attribute of every other type included, is refused."""
CALLABLE = (safe_range, dict, Cycler, Joiner, Namespace)
"""The sandbox's globals: range (bounded), dict, cycler, joiner, namespace."""
CALLABLE_TYPES = (Macro, LoopContext, Joiner, BlockReference)
"""Objects Jinja makes that templates call: macros and caller(), loop() in a recursive loop, a
joiner, super()."""


def attribute_allowed(obj: Any, attr: str) -> bool:
    allowed = ATTRIBUTES.get(type(obj), frozenset())
    return attr in allowed or (allowed is ANY_NAME and not attr.startswith("_"))


def callable_allowed(obj: Any) -> bool:
    """A global or Jinja object from the lists above, or an allowed method of an allowed type."""
    if any(obj is allowed for allowed in CALLABLE) or type(obj) in CALLABLE_TYPES:
        return True
    if isinstance(obj, FunctionType):  # str.format, wrapped by the sandbox to format safely
        obj = obj.__dict__.get("__wrapped__")
    return isinstance(obj, (MethodType, BuiltinMethodType)) and attribute_allowed(
        obj.__self__, obj.__name__
    )


def check(value: Any, path: str = "context") -> None:
    """Raise TypeError, naming where, if ``value`` holds anything but plain data (a bug in the
    code that built the context, never the user's doing)."""
    if type(value) is dict:
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: key {key!r} is not a string")
            check(item, f"{path}.{key}")
    elif type(value) in (list, tuple):
        for index, item in enumerate(value):
            check(item, f"{path}[{index}]")
    elif type(value) not in (*SCALARS, Markup):
        raise TypeError(f"{path}: {type(value).__qualname__} is not plain data for a template")
