"""Strict YAML reading: text stays as typed, duplicates and tricks are refused, every value located."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import errors, source, yamlbuild, yamlevents
from docgen.errors import DocgenError


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def each_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on libyaml's parser and on PyYAML's own (used where libyaml is missing):
    the two must give the same data, positions and messages."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlevents, "PARSER", yamlevents.PurePython)


def read(tmp_path: Path, text: str | bytes) -> source.Document:
    path = tmp_path / "e.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return source.read(path)


def messages(tmp_path: Path, text: str | bytes) -> list[str]:
    try:
        doc = read(tmp_path, text)
    except DocgenError as exc:
        return [str(p).split("e.yaml:", 1)[1] for p in exc.problems]
    return [str(p).split("e.yaml:", 1)[1] for p in doc.problems]


@pytest.mark.parametrize(
    "typed",
    [
        "NO",
        "on",
        "off",
        "yes",
        "010",
        "0128",
        "013800138000",
        "1:20",
        "2024-05-01",
        "1e3",
        "~",
        "null",
        "0x1F",
        ".inf",
        "true",
    ],
)
def test_scalars_stay_the_text_that_was_typed(tmp_path: Path, typed: str) -> None:
    assert read(tmp_path, f"value: {typed}\n").data == {"value": typed}


def test_empty_value_means_not_given(tmp_path: Path) -> None:
    assert read(tmp_path, "venue:\nname: ''\n").data == {"venue": None, "name": ""}


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    text = "meeting:\n  host: 甲\n  date: 2025-01-01\n  host: 乙\n"
    assert messages(tmp_path, text) == [
        "4:3: meeting: 键“host”重复：第 2 行和第 4 行都写了它，请删去一个"
    ]
    assert read(tmp_path, text).data == {"meeting": {"host": "甲", "date": "2025-01-01"}}


def test_duplicate_key_inside_a_list_item(tmp_path: Path) -> None:
    text = "winners:\n  - unit: 甲\n    unit: 乙\n"
    assert messages(tmp_path, text) == [
        "3:5: winners[0]: 键“unit”重复：第 2 行和第 3 行都写了它，请删去一个"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: *x\n", "1:4: 不支持 YAML 锚点和别名（& 和 *），请直接写出内容"),
        (
            "a: !!python/object/apply:os.system [id]\n",
            "1:4: 不支持 YAML 标签 tag:yaml.org,2002:python/object/apply:os.system，请去掉以 ! 开头的标记",
        ),
        (
            "a: !!binary aGk=\n",
            "1:4: 不支持 YAML 标签 tag:yaml.org,2002:binary，请去掉以 ! 开头的标记",
        ),
        ("base: {x: 1}\nb:\n  <<: {x: 2}\n", "3:3: 不支持合并键 <<，请直接写出内容"),
        ("a:\n\tb: 1\n", "2:1: 发现制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
        ("a: 'unclosed\n", "2:1: 文件意外结束：引号或括号没有闭合"),
        (
            "a: b: c\n",
            "1:5: 这里不能出现“键: 值”：检查这一行的缩进；若值中含有“: ”，请给整个值加引号",
        ),
    ],
)
def test_refused_constructs_are_located(tmp_path: Path, text: str, expected: str) -> None:
    assert messages(tmp_path, text) == [expected]


def test_alias_bomb_is_refused_before_expansion(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(
            f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
    assert messages(tmp_path, "\n".join(lines) + "\n") == [
        "1:4: 不支持 YAML 锚点和别名（& 和 *），请直接写出内容"
    ]


def test_full_width_colon_after_a_key_is_pointed_out(tmp_path: Path) -> None:
    assert messages(tmp_path, "meeting:\n  host：董惠华\n") == [
        "2:3: meeting: 这里用了全角冒号“：”；键名后面应是半角冒号加空格（“: ”）"
    ]


def test_ideographic_space_indentation_is_pointed_out(tmp_path: Path) -> None:
    assert messages(tmp_path, "meeting:\n\u3000host: 董惠华\n") == [
        "2:1: \u3000host: 键名前有全角空格（U+3000）或不换行空格；YAML 缩进只能用半角空格"
    ]


def test_gbk_file_gets_a_save_as_utf8_hint(tmp_path: Path) -> None:
    assert messages(tmp_path, "unit: 肿瘤医院工会\n".encode("gbk")) == [
        "1: 文件不是 UTF-8 编码（可能是 GBK/ANSI），请在编辑器中“另存为”UTF-8 编码"
    ]


def test_utf16_file_gets_a_save_as_utf8_hint(tmp_path: Path) -> None:
    assert messages(tmp_path, "unit: 甲\n".encode("utf-16")) == [
        "1: 文件是 UTF-16 编码，请在编辑器中“另存为”UTF-8 编码"
    ]


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    assert read(tmp_path, "\ufeffunit: 甲\r\nactivity: 乙\r\n".encode()).data == {
        "unit": "甲",
        "activity": "乙",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('unit: "A\\vB"\n', "1:7: unit: 含有不可打印的字符 U+000B（控制字符），请删除它"),
        ('unit: "A\\x00"\n', "1:7: unit: 含有不可打印的字符 U+0000（控制字符），请删除它"),
        (
            "unit: A\u202eB\n",
            "1:8: unit: 含有不可打印的字符 U+202E（RIGHT-TO-LEFT OVERRIDE），请删除它",
        ),
    ],
)
def test_unprintable_characters_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert messages(tmp_path, text) == [expected]


def test_raw_control_character_in_the_file(tmp_path: Path) -> None:
    assert messages(tmp_path, "a: 1\nunit: A\x07B\n") == [
        "2:8: 文件中有不可见的控制字符 U+0007，请删除它"
    ]


def test_size_cap(tmp_path: Path) -> None:
    text = b"a: " + b"x" * (5 * 1024 * 1024) + b"\n"
    assert messages(tmp_path, text) == [" YAML 文件有 5.0 MB，超过上限 4.0 MB，已拒绝"]


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path) -> None:
    assert messages(tmp_path, "a: " + "[" * 100 + "]" * 100 + "\n") == [
        "1:43: 嵌套超过 40 层，请检查缩进"
    ]


def test_value_cap_stops_the_parse_where_it_is_crossed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list (one value) of 1,000 items under a cap of 1,000: refused at the last item, the
    value over the cap. (The real cap, 100,000, is measured in test_yaml_bounds.py.)"""
    monkeypatch.setattr(yamlbuild, "MAX_NODES", 1000)
    assert messages(tmp_path, "- a\n" * 999) == []
    assert messages(tmp_path, "- a\n" * 1000) == [
        "1000:3: 内容过多：超过 1000 项，不像是一届评选的数据；请检查是否误粘贴了大量内容"
    ]


def test_duplicate_keys_past_the_cap_are_counted_not_listed(tmp_path: Path) -> None:
    doc = read(tmp_path, "a:\n" + "  k: v\n" * 151)
    assert (len(doc.problems), doc.omitted) == (errors.MAX_PROBLEMS, 50)
    with pytest.raises(DocgenError) as info:
        source.read_strict(doc.path)
    assert str(info.value).endswith("\n还有 50 个问题未列出")


def test_long_keys_and_tags_are_cut_in_messages(tmp_path: Path) -> None:
    key = "长" * 1000  # YAML's longest simple key
    assert messages(tmp_path, f"{key}: 1\n{key}: 2\n") == [
        f"2:1: 键“{'长' * 30}…（共 1000 个字符）”重复：第 1 行和第 2 行都写了它，请删去一个"
    ]
    assert messages(tmp_path, f"a: !{'x' * 5000} 1\n") == [
        f"1:4: 不支持 YAML 标签 !{'x' * 59}…（共 5001 个字符），请去掉以 ! 开头的标记"
    ]


def test_a_second_document_is_refused_where_it_starts(tmp_path: Path) -> None:
    assert messages(tmp_path, "a: 1\n---\nb: 2\n") == [
        "2:1: 文件里有多个 YAML 文档（---），只能有一个"
    ]


def test_keys_that_are_not_text_are_refused_and_their_values_skipped(tmp_path: Path) -> None:
    doc = read(tmp_path, "? [a, b]\n: x\nc: 1\n")
    assert [str(p).split("e.yaml:", 1)[1] for p in doc.problems] == ["1:3: 键必须是简单的文字"]
    assert doc.data == {"c": "1"}


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """Every YAML docgen reads (edition.yaml, config/*.yaml, printer profiles) goes through
    source.read. A FIFO used to block it forever; the child's timeout is the failure bound."""
    fifo = tmp_path / "edition.yaml"
    os.mkfifo(fifo)
    code = "import sys; from pathlib import Path; from docgen import source; source.read(Path(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "这是一个管道（FIFO），不是普通文件，已拒绝读取" in result.stderr


def test_positions_of_keys_values_and_characters(tmp_path: Path) -> None:
    doc = read(
        tmp_path,
        "awards:\n  - name: 精品\n    winners:\n      - unit: 甲乙丙\n        note: |\n          第一行\n          第二行\n",
    )
    path = ("awards", 0, "winners", 0, "unit")
    assert (doc.locate(path).line, doc.locate(path).column) == (4, 15)
    assert doc.locate_char(path, 2).column == 17
    note = ("awards", 0, "winners", 0, "note")
    assert (doc.locate_char(note, 5).line, doc.locate_char(note, 5).column) == (7, 12)
    missing = ("awards", 0, "winners", 0, "activity")
    assert doc.locate(missing).line == 4  # a missing field points at its mapping


def test_field_names_read_like_paths() -> None:
    assert source.field_name(("awards", 0, "winners", 3, "unit")) == "awards[0].winners[3].unit"


def test_folded_chinese_lines_join_without_a_space(tmp_path: Path) -> None:
    text = "a: >-\n  第一行写到这里，\n  第二行接着写 AI\n  and English.\n"
    assert read(tmp_path, text).data == {"a": "第一行写到这里，第二行接着写 AI and English."}


def test_plain_multi_line_chinese_joins_without_a_space(tmp_path: Path) -> None:
    assert read(tmp_path, "a: 第一行\n  第二行\nb: x\n").data == {"a": "第一行第二行", "b": "x"}


def test_literal_and_paragraph_breaks_are_left_as_yaml_reads_them(tmp_path: Path) -> None:
    assert read(tmp_path, "a: |-\n  第一行\n  第二行\n").data == {"a": "第一行\n第二行"}
    assert read(tmp_path, "a: >-\n  第一段\n\n  第二段\n").data == {"a": "第一段\n第二段"}


def test_characters_in_folded_blocks_are_located_on_their_own_line(tmp_path: Path) -> None:
    doc = read(tmp_path, "a: >-\n  第一行，\n  第二行\n")
    assert doc.data["a"][6] == "行"
    loc = doc.locate_char(("a",), 6)
    assert (loc.line, loc.column) == (3, 5)
