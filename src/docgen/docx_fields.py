"""Word fields (域) and linked objects in a template's XML: the few a report needs are allowed,
every other one refused, above all those Word acts on when the report is opened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ALLOWED = frozenset(
    {
        *("PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "PAGEREF", "REF", "NOTEREF"),
        *("SEQ", "STYLEREF", "LISTNUM", "TOC", "TC", "INDEX", "XE", "HYPERLINK"),
        *("DATE", "TIME", "CREATEDATE", "SAVEDATE", "PRINTDATE", "NUMWORDS", "NUMCHARS"),
        *("TITLE", "SUBJECT", "AUTHOR", "DOCPROPERTY", "SYMBOL", "EQ", "ADVANCE", "IF", "="),
    }
)
"""Fields that only number, date, cross-refer or lay out the document itself: nothing outside
the file is read, nothing is run, nobody is asked anything. HYPERLINK only as a jump to a place
in the document (``HYPERLINK \\l "书签"``, as a table of contents writes it)."""
FETCH = "Word 打开或更新报告时会去读取外部文件或网址"
WHY = {
    **dict.fromkeys(("DDE", "DDEAUTO"), "Word 打开报告时会启动另一个程序（可被用来运行任意命令）"),
    **dict.fromkeys(("INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "IMPORT", "LINK"), FETCH),
    **dict.fromkeys(("DATABASE", "RD", "HYPERLINK"), FETCH),
    "MACROBUTTON": "双击它会运行宏",
    "PRINT": "打印时会向打印机发送命令",
    **dict.fromkeys(("ASK", "FILLIN"), "Word 更新域时会弹出对话框向读者提问"),
}
"""Why a field a report does not need is also unsafe, where it is (any other: not needed)."""
FIX = "请在 Word 中按 Alt+F9 显示域代码，删除这个域（再按 Alt+F9 恢复）"
NESTED = "\ufffd"
"""Stands, in a field's instruction, for a field nested in it: its result is only known to Word."""
WORDS = re.compile(r'"[^"]*"|[^\s"]+')
TAKE_ARGUMENT = ("\\l", "\\o", "\\t")
"""HYPERLINK's switches followed by a text: the bookmark, the tooltip, the target frame."""
NAME = re.compile(r'\s*(?:"([^"]*)"|([^\s"\\]*))')
MARKERS = ("instrText", "fldSimple", "OLEObject")
"""A part holding none of these (local names cannot be escaped) has nothing to check here."""
OLE_LINK = (
    "有链接的对象（OLE 链接）：Word 打开报告时会去读取它链接的文件，已拒绝。"
    "请在 Word 中选中这个对象，删除它，再用“选择性粘贴”粘贴为图片或表格"
)


def mentioned(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def problems(name: str, root: Any) -> list[tuple[str, str]]:
    """(part, message) for each field and linked object in ``root``, the part ``name`` parsed."""
    found = [(name, _field_problem(code)) for code in instructions(root)]
    found += [(name, OLE_LINK) for el in _elements(root) if _is_ole_link(el)]
    return [(part, message) for part, message in found if message]


def _elements(root: Any) -> Iterator[Any]:
    """Elements only: comments and processing instructions have a function for a tag."""
    return (el for el in root.iter() if isinstance(el.tag, str))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def instructions(root: Any) -> Iterator[str]:
    """Every field code, in document order: ``w:fldSimple/@w:instr``, and each complex field's
    ``w:instrText`` runs from its begin to its separate (or end) mark, joined."""
    stack: list[list[str] | None] = []  # the open fields; None once past the separate mark
    for el in _elements(root):
        kind = _local(el.tag)
        if kind == "fldSimple":
            yield _attribute(el, "instr")
        elif kind == "instrText" and stack and stack[-1] is not None:
            stack[-1].append(el.text or "")
        elif kind == "instrText":  # outside any field: judged alone, as Word might still act on it
            yield el.text or ""
        elif kind == "fldChar":
            yield from _mark(stack, _attribute(el, "fldCharType"))
    yield from ("".join(code) for code in stack if code is not None)  # never ended: judged too


def _mark(stack: list[list[str] | None], mark: str) -> Iterator[str]:
    if mark == "begin":
        if stack and stack[-1] is not None:
            stack[-1].append(NESTED)
        stack.append([])
    elif stack and mark in ("separate", "end"):
        code = stack.pop() if mark == "end" else stack[-1]
        if code is not None:
            yield "".join(code)
        if mark == "separate":
            stack[-1] = None


def field_name(code: str) -> str:
    """The field's type as Word reads it: the first word, any case, quoted or not."""
    if code.lstrip().startswith("="):
        return "="
    found = NAME.match(code)
    return (found[1] if found and found[1] is not None else found[2] if found else "").upper()


def _field_problem(code: str) -> str:
    name = field_name(code)
    if name in ALLOWED and (name != "HYPERLINK" or _in_document(code)):
        return ""
    why = WHY.get(name, "生成的报告用不到这种域")
    shown = " ".join(code.replace(NESTED, "{…}").split())[:80]
    return f"有 Word 域“{shown}”：{why}，已拒绝。{FIX}"


def _in_document(code: str) -> bool:
    """A HYPERLINK that jumps to a bookmark: ``\\l`` first, and no word that is neither a switch
    nor the argument of one (that would be an address)."""
    words = WORDS.findall(code)[1:]
    if not words or words[0].lower() != "\\l":
        return False
    takes = False
    for word in words:
        if word.startswith("\\"):
            takes = word.lower() in TAKE_ARGUMENT
        elif not takes:
            return False
        else:
            takes = False
    return True


def _is_ole_link(el: Any) -> bool:
    return _local(el.tag) == "OLEObject" and _attribute(el, "Type").lower() == "link"


def _attribute(el: Any, local: str) -> str:
    """An attribute by its local name, in whichever namespace (transitional or strict Word XML)."""
    for key, value in el.attrib.items():
        if _local(key) == local:
            return str(value)
    return ""
