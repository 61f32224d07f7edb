"""The one Jinja environment kind every template renders in: sandboxed, strict, autoescaping,
with the Chinese formatting filters registered in one place."""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from . import zh
from .errors import DocgenError, Location, Problem

MAX_REPEAT = 100_000
"""Longest string or list a template may build with ``*`` (Jinja's sandbox bounds only range())."""
MAX_POWER = 64


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
    """ImmutableSandboxedEnvironment that also bounds ``*`` and ``**``.

    Intercepting them stops Jinja from folding ``'x' * 10**9`` at compile time, which the plain
    sandbox does (seconds and hundreds of MB before any check could run).
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            if not (isinstance(right, int) and abs(right) <= MAX_POWER):
                raise SecurityError(f"exponent {right!r} is too large for a template")
            return operator.pow(left, right)
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                repeats = isinstance(seq, (str, list, tuple)) and isinstance(count, int)
                if repeats and len(seq) * count > MAX_REPEAT:
                    raise SecurityError("repetition is too long for a template")
            return operator.mul(left, right)
        return super().call_binop(context, op, left, right)


def environment(folder: Path | None = None) -> Environment:
    """A strict, autoescaping sandbox; with ``folder``, templates load from there."""
    env = Environment(
        loader=jinja2.FileSystemLoader(str(folder)) if folder else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render(env: Environment, name: str, context: dict[str, Any]) -> str:
    """Render a file template; template mistakes become located DocgenErrors."""
    try:
        return env.get_template(name).render(context)
    except Exception as exc:
        raise template_error(exc, _template_path(env, name)) from None


def _template_path(env: Environment, name: str) -> Path:
    loader = env.loader
    if isinstance(loader, jinja2.FileSystemLoader):
        return Path(loader.searchpath[0]) / name
    return Path(name)


def template_error(exc: BaseException, path: Path, part: str = "") -> DocgenError:
    """A Chinese, located message for any Jinja failure in the template at ``path``."""
    line = getattr(exc, "lineno", None) or _runtime_line(exc, path)
    where = f"{part}: " if part else ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"模板语法错误：{exc.message}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"模板用到了数据中没有的字段：{exc.message}"
    elif isinstance(exc, SecurityError):
        message = f"模板中有不安全的写法，已阻止：{exc}"
    else:
        message = f"模板出错：{type(exc).__name__}: {exc}"
    return DocgenError([Problem(Location(path, line), "", where + message)])


def _runtime_line(exc: BaseException, path: Path) -> int | None:
    """Line in the template where a runtime error happened (from Jinja's rewritten traceback)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (str(path), path.name, "<template>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
