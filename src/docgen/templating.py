"""The one Jinja environment kind every template renders in: sandboxed, strict, autoescaping,
with the Chinese formatting filters registered in one place."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import jinja2.bccache
from jinja2.exceptions import SecurityError
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from . import plain, render_worker, template_limits, zh
from .errors import DocgenError, Location, Problem


def keep_together(text: str, chars: int = 2) -> Markup:
    """Escape ``text`` and bind its last ``chars`` characters (plus closing punctuation) into one
    unbreakable span, so a paragraph never ends with one character alone on its last line."""
    cut, seen = len(text), 0
    while cut > 0 and seen < chars:
        cut -= 1
        seen += 0 if unicodedata.category(text[cut]).startswith("P") else 1
    return (
        escape(text[:cut]) + Markup('<span class="keep">') + escape(text[cut:]) + Markup("</span>")
    )


FILTERS: dict[str, Callable[..., Any]] = {
    "keep_together": keep_together,
    "numeral": zh.numeral,
    "edition_ordinal": zh.edition_ordinal,
    "date_arabic": zh.date_arabic,
    "date_characters": zh.date_characters,
    "enumerate_cn": zh.enumerate_cn,
}


class Environment(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment that allows only the attributes and calls plain.py lists
    (Jinja's own refuses only ``_`` names and changes to containers), and bounds what one
    expression may build (template_limits.py): ``*``, ``**``, ``+``, ``%``, string methods and
    some filters.

    Intercepting the operators also stops Jinja from folding ``'x' * 10**9`` at compile time,
    which the plain sandbox does (seconds and hundreds of MB before any check could run).
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    BINOPS: ClassVar[dict[str, Callable[[Any, Any], None]]] = {
        "**": template_limits.power,
        "*": template_limits.times,
        "+": template_limits.plus,
        "%": lambda left, right: template_limits.percent(left),
    }

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        if op in self.BINOPS:
            self.BINOPS[op](left, right)
            return self.binop_table[op](left, right)
        return super().call_binop(context, op, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return super().is_safe_attribute(obj, attr, value) and plain.attribute_allowed(obj, attr)

    def is_safe_callable(self, obj: Any) -> bool:
        return super().is_safe_callable(obj) and plain.callable_allowed(obj)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja hands format_map out before asking is_safe_attribute; plain.py does not allow it.
        if getattr(value, "__name__", None) == "format_map":
            return None
        return super().wrap_str_format(value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        # Jinja returns an undefined that fails only when printed, so in a chain such as
        # cycler|attr('__init__')|attr('__globals__') the next step reports "undefined" instead
        # of "blocked". Refusing at once names what was blocked.
        kind = type(obj).__name__
        raise SecurityError(f"access to attribute {attribute!r} of {kind!r} object is unsafe.")

    def call(
        __self,  # Jinja's own signature: the dunder names never clash with a call's kwargs
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        args = template_limits.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


class Compiled(jinja2.BytecodeCache):
    """Templates compiled in render workers, kept in this process: a worker compiles a template
    once and hands the bytecode back with its result, so later workers (forks of this process)
    load it instead of compiling it again (~20 ms each; 10,000 certificates render ~400 times)."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:  # the bucket checks the source's checksum: edits recompile
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


def environment(folder: Path | Sequence[Path] | None = None) -> Environment:
    """A strict, autoescaping sandbox; with ``folder``, templates load from there (from a list of
    folders, from the first that has the template: the office's copy, then the default)."""
    folders = [folder] if isinstance(folder, Path) else list(folder or [])
    env = Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]) if folders else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=Compiled(),
    )
    env.filters.update(template_limits.guarded_filters())
    env.filters.update(FILTERS)
    # lipsum(n, min, max) writes n random paragraphs: no template needs it, and it is unbounded.
    env.globals.pop("lipsum", None)
    return env


def render(env: Environment, name: str, context: dict[str, Any]) -> str:
    """Render a file template in the render worker; template mistakes, and a template that runs
    too long or builds too much, become located DocgenErrors."""
    plain.check(context, name)
    path = _template_path(env, name)
    text, compiled = render_worker.run(path, _render, env, name, context, path)
    _cache(env).codes.update(compiled)
    return text


def _render(
    env: Environment, name: str, context: dict[str, Any], path: Path
) -> tuple[str, dict[str, bytes]]:
    """The rendered text, and the bytecode of templates compiled for it (in the render worker)."""
    known = dict(_cache(env).codes)
    try:
        text = env.get_template(name).render(context)
    except Exception as exc:
        raise template_error(exc, path) from None
    return text, {k: v for k, v in _cache(env).codes.items() if known.get(k) != v}


def _cache(env: Environment) -> Compiled:
    assert isinstance(env.bytecode_cache, Compiled)  # noqa: S101 - made by environment()
    return env.bytecode_cache


def _template_path(env: Environment, name: str) -> Path:
    loader = env.loader
    if isinstance(loader, jinja2.FileSystemLoader):
        paths = [Path(folder) / name for folder in loader.searchpath]
        return next((path for path in paths if path.is_file()), paths[0])
    return Path(name)


def template_error(exc: BaseException, path: Path, part: str = "") -> DocgenError:
    """A Chinese, located message for any Jinja failure in the template at ``path``."""
    line = getattr(exc, "lineno", None) or _runtime_line(exc, path)
    where = f"{part}: " if part else ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"模板语法错误：{exc.message}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"模板用到了数据中没有的字段：{exc.message}"
    elif isinstance(exc, SecurityError) or _is_range_limit(exc):
        message = f"模板中有不安全的写法，已阻止：{_security_message(exc)}"
    elif isinstance(exc, (MemoryError, render_worker.Overrun)):
        message = render_worker.TOO_BIG if isinstance(exc, MemoryError) else render_worker.TOO_SLOW
    else:
        message = f"模板出错：{type(exc).__name__}: {exc}"
    return DocgenError([Problem(Location(path, line), "", where + message)])


_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute '(.+?)' of '(.+?)' object is unsafe")
_NOT_CALLABLE = " is not safely callable"


def _is_range_limit(exc: BaseException) -> bool:
    return isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc)


def _security_message(exc: BaseException) -> str:
    """Jinja's sandbox speaks English; staff read Chinese (docgen's own limits already do)."""
    text = str(exc)
    if match := _UNSAFE_ATTRIBUTE.search(text):
        return f"不允许访问 {match[2]} 对象的属性 {match[1]}：模板只能读取数据中的字段"
    if text.endswith(_NOT_CALLABLE):
        return f"不允许调用 {text.removesuffix(_NOT_CALLABLE)}"
    if _is_range_limit(exc):
        return f"range() 最多只能生成 {MAX_RANGE} 个数"
    return text


def _runtime_line(exc: BaseException, path: Path) -> int | None:
    """Line in the template where a runtime error happened (from Jinja's rewritten traceback)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (str(path), path.name, "<template>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
