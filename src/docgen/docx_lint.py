"""Lint of a Word template against the report data: tags Word broke, Jinja syntax, fields the data
lacks, report fields the template leaves out, and a strict dry run with every optional field set."""

from __future__ import annotations

import difflib
import re
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import jinja2
from jinja2 import nodes
from PIL import Image
from pydantic import BaseModel

from . import docx_render, plain, render_worker, templating
from .docx_template import Source, Template, preflight, read
from .edition import Loaded
from .errors import DocgenError, Location, Problem, Severity, quote
from .model import STORY_PARTS, Edition

__all__ = ["examine", "filled", "filled_edition", "lint", "preflight"]

Shape = tuple[Any, str]
"""A value of the filled context and its path, such as ``awards[].winners[].unit``."""
UNKNOWN: Shape = (None, "")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
STRAY = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
FULL_WIDTH = re.compile(r"[{｛][{｛%％]|[}｝%％][}｝]")
PAIRS = {"{{": "}}", "{%": "%}", "{#": "#}", "}}": "{{", "%}": "{%", "#}": "{#"}
KEEPS_ITEMS = {"sort", "reverse", "list", "unique", "selectattr", "rejectattr"}
"""Filters whose result holds the items of the list filtered, so a loop over it is still followed."""
TOO_DEEP = (
    "模板语法错误：标签一层套一层太深（{% if %}、{% for %} 或括号嵌套了几百层）："
    "请检查是否漏写了 {% endif %} 或 {% endfor %}"
)
SAMPLES: dict[Any, Any] = {str: "示例文字", int: 1, bool: True, date: date(2025, 12, 10)}

# What the meeting report is for: if the office deletes one of these from the Word template, that
# part of the report silently disappears, so each must be printed somewhere (any one of the
# alternatives will do). Left out on purpose: press.* (the news release's own fields), the forms
# only other outputs print (edition.number, award titles, serials, certificate activity names),
# headings.* (section numbers, which the office may type by hand) and who spoke (the report prints
# what was said). Document properties do not count: nobody reads them as part of the report.
PARTS = dict(
    zip(STORY_PARTS, ("会议概况", "活动特点", "评委点评", "评选结果", "结语"), strict=True)
)
REPORTED: dict[str, tuple[str, ...]] = {
    "报告标题": ("report.title",),
    "会议时间": ("meeting.when", "meeting.date"),
    "会议地点": ("meeting.venue",),
    "主持人": ("meeting.host",),
    "参评单位数": ("meeting.units",),
    "参会人员": ("meeting.attendee_roles",),
    "参会人数": ("meeting.attendance",),
    "汇报人数": ("meeting.presenters",),
    "评委": ("meeting.judges", "meeting.judge_members"),
    "特邀嘉宾评委": ("meeting.guests",),
    "本届活动特点": ("story.features",),
    "评委点评": ("story.comments[].text",),
    "点评之后的补充": ("story.comments_note",),
    "评选结果": ("story.results",),
    "结果之后的补充": ("story.results_note",),
    "结语": ("story.closing",),
    "奖项名称": ("awards[].name", "awards[].title"),
    "获奖单位": ("awards[].winners[].unit",),
    "获奖活动": ("awards[].winners[].activity", "awards[].winners[].certificate_activity"),
    "落款单位": ("signature.organiser", "organiser.name"),
    "落款日期": ("signature.date",),
    **{f"{name}之后的照片": (f"figures.{part}[].images[]",) for part, name in PARTS.items()},
    **{f"{name}之后的照片说明": (f"figures.{part}[].caption",) for part, name in PARTS.items()},
}


def lint(path: Path, context: docx_render.Context) -> list[Problem]:
    """Every problem of the Word template at ``path`` (the pre-flight first), errors then warnings.
    All but the pre-flight runs in the render worker: reading a template is work too."""
    problems = preflight(path)
    if problems:
        return problems
    plain.check(context.values, path.name)
    try:
        return render_worker.run(path, examine, path, context)
    except DocgenError as exc:
        return list(exc.problems)


def examine(path: Path, context: docx_render.Context) -> list[Problem]:
    """lint's work on a template that passed the pre-flight, in this process."""
    try:
        template = read(path)
    except DocgenError as exc:
        return list(exc.problems)
    ctx = context.values
    found = [
        (where, message) for where, joined, raw in template.texts for message in slips(joined, raw)
    ]
    fields = Fields(ctx, templating.environment().globals)
    for source in template.sources:
        _check(source, fields, found)
    problems = [Problem(Location(path), where, message) for where, message in dict.fromkeys(found)]
    return problems or _dry_run(path, template, context) or unused(path, fields.printed)


def slips(joined: str, raw: str) -> Iterator[str]:
    """Tags in one paragraph docxtpl cannot read as meant (``joined``: after its own run-joining)."""
    for found in FULL_WIDTH.finditer(joined):
        if set(found[0]) & set("｛｝％"):
            yield f"“{quote(found[0])}”是全角字符：标签的括号和 % 必须是半角（英文）字符，请切换到英文输入法重新输入"
    rest = TAG.sub("", joined)
    if stray := STRAY.search(rest):
        if stray[0].startswith("{"):
            shown, rule = rest[stray.start() :][:24], "标签必须在同一段里写完，括号之间不能有空格"
        else:
            shown, rule = rest[: stray.end()][-24:], "括号之间不能有空格，也不能少写一个"
        yield f"“{shown}”中的 {stray[0]} 没有对应的 {PAIRS[stray[0]]}：{rule}"
    for tag in TAG.findall(raw):
        if not tag.startswith("{#") and (quotes := "".join(sorted(set(tag) & set("“”‘’")))):
            yield f"标签 {quote(tag, 60)} 里有中文引号 {quotes}（Word 自动更正造成的）：标签里请用英文引号 \" 或 '，要印出的中文引号请写在标签外面"


def _check(source: Source, fields: Fields, found: list[tuple[str, str]]) -> None:
    """Syntax, then fields, of one source; a syntax error where a slip was found is the same slip."""
    try:
        tree = templating.environment().parse(source.text)
        found += [(source.place(line), message) for line, message in fields.check(tree, source)]
    except jinja2.TemplateSyntaxError as exc:
        if not any(where.startswith(source.label) for where, _ in found):
            found.append(syntax_problem(exc, source))
    except RecursionError:  # Jinja's parser, and Fields, recurse once per level of nesting
        found.append((source.label, TOO_DEEP))


def syntax_problem(exc: jinja2.TemplateSyntaxError, source: Source) -> tuple[str, str]:
    text = exc.message or ""
    block = re.search(r"needs to be closed is '(\w+)'", text)
    tag = re.match(r"(?:Encountered unknown tag|No (filter|test) named) '(\w+)'", text)
    if text.startswith("Unexpected end of template") and block:  # Jinja points at the last line
        return (
            source.label,
            f"模板语法错误：{source.label}里有没有结束的 {block[1]}：缺少 {{% end{block[1]} %}}",
        )
    if tag and tag[1]:
        why = f"没有名为 {tag[2]} 的{'过滤器' if tag[1] == 'filter' else '测试'}（是不是拼错了？）"
    elif tag and block and tag[2].startswith("end"):
        why = f"{{% {tag[2]} %}} 与前面的 {block[1]} 不配对：{block[1]} 应以 {{% end{block[1]} %}} 结束"
    elif tag and tag[2].startswith("end"):
        why = f"多出的 {{% {tag[2]} %}}：前面没有与之配对的 {{% {tag[2][3:]} %}}"
    else:
        why = (
            f"不认识的标签 {{% {tag[2]} %}}（是不是拼错了？）" if tag else f"标签写法有误（{text}）"
        )
    return source.place(exc.lineno), f"模板语法错误：{why}"


class Fields:
    """Follows attribute chains through loops and {% set %} against the filled context."""

    def __init__(self, ctx: dict[str, Any], known: Any) -> None:
        self.ctx, self.known = ctx, set(known)
        self.printed: set[str] = set()
        """Paths printed (``{{ }}``, not only tested by ``{% if %}``) in the report's visible parts."""
        self.found: list[tuple[int, str]] = []
        self.visible = True

    def check(self, tree: nodes.Template, source: Source) -> list[tuple[int, str]]:
        """(line, message) for each field the data does not have."""
        self.found, self.visible = [], source.part != "core"
        self._visit(tree, {}, False)
        return self.found

    def _visit(self, node: nodes.Node, scope: dict[str, Shape], printing: bool) -> None:
        if isinstance(node, nodes.For):
            inner = {**scope, "loop": UNKNOWN}
            value, path = self._shape(node.iter, scope, False)
            item = (value[0], f"{path}[]") if isinstance(value, list) and value else UNKNOWN
            self._bind(node.target, item, inner)
            for child in [*node.body, *([node.test] if node.test else [])]:
                self._visit(child, inner, False)
            for child in node.else_:
                self._visit(child, scope, False)
        elif isinstance(node, nodes.Assign):
            self._bind(node.target, self._shape(node.node, scope, False), scope)
        elif isinstance(node, nodes.Expr):
            self._shape(node, scope, printing)
        else:
            if isinstance(node, nodes.Macro):
                scope[node.name] = UNKNOWN
            for child in node.iter_child_nodes():
                self._visit(child, scope, printing or isinstance(node, nodes.Output))

    def _bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        for name in target.find_all(nodes.Name):  # unpacked (for k, v in ...): not followed
            scope[name.name] = UNKNOWN

    def _shape(self, node: nodes.Node, scope: dict[str, Shape], printing: bool) -> Shape:
        """The shape of an expression, checking each attribute step on the way."""
        if isinstance(node, nodes.Name):
            return self._name(node, scope, printing)
        if isinstance(node, nodes.Filter) and node.name in KEEPS_ITEMS and node.node is not None:
            for child in [*node.args, *node.kwargs]:
                self._visit(child, scope, False)
            return self._shape(node.node, scope, printing)  # the same items, re-ordered or fewer
        key = _key(node)
        if key is None:  # a call, arithmetic, any other filter: the result is not followed
            for child in node.iter_child_nodes():
                self._visit(child, scope, printing)
            return UNKNOWN
        value, path = self._shape(node.node, scope, printing)  # type: ignore[attr-defined]
        if isinstance(value, dict) and key not in value:
            self._missing(node, key, list(value))
        elif isinstance(value, dict):
            return self._use((value[key], f"{path}.{key}"), printing)
        elif isinstance(value, list) and isinstance(key, int) and value:
            return self._use((value[0], f"{path}[]"), printing)
        return UNKNOWN

    def _name(self, node: nodes.Name, scope: dict[str, Shape], printing: bool) -> Shape:
        if node.ctx != "load":  # bound by with, macro or call arguments: not followed
            scope[node.name] = UNKNOWN
        elif node.name in scope:
            return self._use(scope[node.name], printing)
        elif node.name in self.ctx:
            return self._use((self.ctx[node.name], node.name), printing)
        elif node.name not in self.known:
            self._missing(node, node.name, list(self.ctx))
        return UNKNOWN

    def _use(self, shape: Shape, printing: bool) -> Shape:
        if printing and self.visible and shape[1]:
            self.printed.add(shape[1])
        return shape

    def _missing(self, node: nodes.Node, key: Any, keys: list[str]) -> None:
        owner = _written(node.node) if isinstance(node, (nodes.Getattr, nodes.Getitem)) else ""
        guess = difflib.get_close_matches(str(key), keys, 1)
        hint = f"（是不是 {owner + '.' if owner else ''}{guess[0]}？）" if guess else ""
        where = f"{owner} 下" if owner else "数据中"
        message = (
            f"模板用到了数据中没有的字段 {_written(node)}{hint}。{where}可用的有：{'、'.join(keys)}"
        )
        self.found.append((node.lineno, message))


def _key(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value
    return None


def _written(node: nodes.Node) -> str:
    """The field as the template writes it: ``w.unit``, ``figures['intro']``."""
    if isinstance(node, nodes.Name):
        return node.name
    if (key := _key(node)) is None:
        return "…"
    return _written(node.node) + (f".{key}" if isinstance(node, nodes.Getattr) else f"[{key!r}]")  # type: ignore[attr-defined]


def unused(path: Path, printed: set[str]) -> list[Problem]:
    """A warning for each part of the report that no visible part of the template prints."""
    problems = []
    for label, paths in REPORTED.items():
        if not any(used == p or used.startswith(p + ".") for p in paths for used in printed):
            why = f"模板中没有印出“{label}”（{' 或 '.join(paths)}）：这部分内容不会出现在报告中"
            problems.append(
                Problem(Location(path), "", f"{why}。如果是误删，请把它加回模板", Severity.WARNING)
            )
    return problems


def _dry_run(path: Path, template: Template, context: docx_render.Context) -> list[Problem]:
    """docxtpl's own render, as in outputs/report.py, for what the static checks cannot follow
    (filters, calls, types). It stops at the first failure."""
    try:
        docx_render.render(template.docx, context)
    except Exception as exc:  # a template's failure is the template's, as in report.render_docx
        source = _failed_in(template, exc)
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return [Problem(Location(path), *syntax_problem(exc, source))]
        message = templating.template_error(exc, path).problems[0].message
        lines = [
            n
            for frame, n in traceback.walk_tb(exc.__traceback__)
            if frame.f_code.co_filename == "<template>"
        ]
        return [Problem(Location(path), source.place(lines[-1] if lines else None), message)]
    return []


def _failed_in(template: Template, exc: BaseException) -> Source:
    """The source docxtpl was rendering (document properties do not set current_rendering_part)."""
    if any(
        f.f_code.co_name == "render_properties" for f, _ in traceback.walk_tb(exc.__traceback__)
    ):
        return Source("文档属性", "core", "")
    part = template.docx.current_rendering_part
    return next((s for s in template.sources if s.part is part), template.sources[0])


# --- an edition with every optional field and list filled, built from the schema ------------------


def filled_edition() -> Edition:
    """Every optional field set and every list one item long, so every template branch runs; a list
    of items with a choice (a photo group's place) gets one item per choice."""
    edition: Edition = _fill(Edition)
    return edition


def _fill(kind: Any, choice: int = 0) -> Any:
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Annotated, Union, UnionType):
        return _fill(next(a for a in args if a is not type(None)), choice)
    if origin is Literal:
        return args[choice % len(args)]
    if origin is list:
        return [_fill(args[0], i) for i in range(max([1, *map(len, _literals(args[0]))]))]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind.model_construct(
            **{n: _fill(f.annotation, choice) for n, f in kind.model_fields.items()}
        )
    return SAMPLES[kind]


def _literals(kind: Any) -> list[tuple[Any, ...]]:
    """The choices of each Literal field of a model (through Optional and Annotated)."""
    if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
        return []
    found = []
    for field in kind.model_fields.values():
        annotation = field.annotation
        while get_origin(annotation) in (Annotated, Union, UnionType):
            annotation = get_args(annotation)[0]
        found += [get_args(annotation)] if get_origin(annotation) is Literal else []
    return found


@contextmanager
def filled(loaded: Loaded) -> Iterator[Loaded]:
    """``loaded``'s settings with the filled edition; its photos are one small sample image."""
    with tempfile.TemporaryDirectory(prefix="docgen-lint-") as folder:
        Image.new("RGB", (40, 30), "white").save(Path(folder) / SAMPLES[str], "PNG")
        yield Loaded(filled_edition(), loaded.doc, Path(folder), loaded.settings)
