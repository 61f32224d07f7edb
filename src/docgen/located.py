"""Validate read YAML against a model and turn every pydantic error into a located Chinese problem."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import MAX_PROBLEMS, DocgenError, Location, Problem, quote
from .source import Document, FieldPath, field_name

M = TypeVar("M", bound=BaseModel)

_CUSTOM = {
    "date_format": "日期应写作 YYYY-MM-DD，如 2025-12-10",
    "headcount": "人数应写作 70、70人 或 70余人",
    "schema_version": "不支持的格式版本；本程序支持 schema_version: 1",
}

_SIMPLE = {
    "missing": "缺少必填项",
    "string_too_short": "不能为空",
    "string_type": "这里应是一段文字",
    "model_type": "这里应是一组“键: 值”（另起一行并缩进），而不是一段文字",
    "model_attributes_type": "这里应是一组“键: 值”（另起一行并缩进），而不是一段文字",
    "dict_type": "这里应是一组“键: 值”（另起一行并缩进）",
    "list_type": "这里应是一个列表（每项另起一行，以“- ”开头）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "int_parsing_size": "数字位数太多",
    "finite_number": "应为一个数（不能是 inf 或 nan）",
    "float_parsing": "应为一个数，如 12.5",
    "float_type": "应为一个数，如 12.5",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "日期应写作 YYYY-MM-DD，如 2025-12-10",
    "date_from_datetime_parsing": "日期应写作 YYYY-MM-DD，如 2025-12-10",
    "date_type": "日期应写作 YYYY-MM-DD，如 2025-12-10",
    "string_pattern_mismatch": "格式不对",
}


def validate(model: type[M], doc: Document) -> M:
    """Validate ``doc.data`` as ``model``; raise DocgenError listing every problem, located."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise DocgenError(*problems(model, doc, exc)) from None


LOCATED = 10 * MAX_PROBLEMS
"""pydantic errors located and sorted; past these, each further error is only counted."""


def problems(
    model: type[BaseModel], doc: Document, exc: ValidationError
) -> tuple[list[Problem], int]:
    """The first MAX_PROBLEMS distinct problems in file order, and how many more there were.

    pydantic reports in model and data order, which is nearly file order; only its first LOCATED
    errors are located and sorted, and messages are made only for those listed. A message may
    cost a difflib search (an unknown key): 100,000 unknown keys must not cost 100,000 searches.
    """
    errors = exc.errors(include_url=False)
    placed = sorted((_place(doc, err) for err in errors[:LOCATED]), key=lambda item: item[:2])
    found: dict[tuple[FieldPath, str], Problem] = {}
    left: set[FieldPath] = set()
    for _, _, path, location, err in placed:
        if len(found) < MAX_PROBLEMS:
            message = _message(model, path, err)
            found.setdefault((path, message), Problem(location, field_name(path), message))
        else:
            left.add(path)
    left -= {path for path, _ in found}
    return list(found.values()), len(left) + len(errors[LOCATED:])


def _place(doc: Document, err: ErrorDetails) -> tuple[int, int, FieldPath, Location, ErrorDetails]:
    path = _clean_loc(err["loc"], doc.data)
    location = doc.locate_key(path) if err["type"] == "extra_forbidden" else doc.locate(path)
    return location.line or 0, location.column or 0, path, location, err


def _clean_loc(loc: tuple[int | str, ...], data: Any) -> FieldPath:
    # pydantic adds the name of a function validator or union branch to loc; keep only data keys.
    # A key the document really has is kept even if it looks like a branch tag: fuzz/edition.py
    # found that a misspelt key such as `introduction:` or `str:` was dropped, and the message
    # for it then crashed (IndexError) instead of naming the key.
    path: list[int | str] = []
    for part in loc:
        present = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        )
        if present or isinstance(part, int) or not _is_branch_tag(part):
            path.append(part)
            data = data[part] if present else None
    return tuple(path)


def _is_branch_tag(part: str) -> bool:
    return part.startswith(("function-", "str", "int", "list[", "tagged-union[")) or part in {
        "Headcount",
    }


def _message(model: type[BaseModel], path: FieldPath, err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        code = str(ctx.get("error", ""))
        return _CUSTOM.get(code, f"取值无效：{code}")
    if kind == "extra_forbidden":
        return _unknown_key(model, path)
    if kind == "too_short":
        return f"至少要有 {ctx.get('min_length', 1)} 项"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"只能是以下之一：{'、'.join(choices)}"
    if kind in _SIMPLE:
        return _with_input(_SIMPLE[kind], err)
    return f"取值无效（{err['msg']}）"


def _with_input(message: str, err: ErrorDetails) -> str:
    value = err.get("input")
    if isinstance(value, str) and err["type"] not in ("string_too_short", "missing"):
        return f"{message}，这里写的是“{quote(value)}”"
    return message


def _unknown_key(model: type[BaseModel], path: FieldPath) -> str:
    owner = model_at(model, path[:-1])
    key = quote(str(path[-1]))
    if owner is None:
        return f"没有“{key}”这一项"
    allowed = list(owner.model_fields)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"，是不是“{close[0]}”？" if close else "。"
    return f"没有“{key}”这一项{hint}这里可以写：{'、'.join(allowed)}"


def model_at(model: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path`` (following lists and optionals)."""
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            current = info.annotation if info else None
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = options[0] if len(options) == 1 else tp
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp
