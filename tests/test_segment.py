"""Segments a line may not split: the cases issue 12 saw broken, the splits jieba and BudouX
make on these very strings, numbers, quotations, Latin words and the edition's names."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen import edition
from docgen.breaks import edition_names
from docgen.segment import CLOSING, OPENING, breaks, segments

from .conftest import SAMPLE

NAMES = edition_names(edition.load(SAMPLE).edition)


def unbroken(text: str, part: str, names: list[str] = NAMES, longest: int | None = None) -> bool:
    """``part`` occurs in ``text`` and no break falls inside any occurrence."""
    cuts = breaks(text, names, longest)
    starts = [i for i in range(len(text)) if text.startswith(part, i)]
    return bool(starts) and not any(s < c < s + len(part) for s in starts for c in cuts)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # the press headline (BudouX: 评|选圆|满|结束; jieba: 第二|十一届)
        (
            "医学部工会系统第二十一届“权益杯”精品活动评选圆满结束",
            ["第二十一届", "“权益杯”", "精品", "评选", "圆满结束"],
        ),
        ("关于医学部工会系统第二十一届“权益杯”精品活动评选情况的报告", ["精品活动", "报告"]),
        # certificate bodies: 第|二十一届, 第二|十一届, 第二十一|届, 精|品活动, 在医|学部, 助|力, 荣|获
        (
            "在医学部工会系统第二十一届“权益杯”精品活动评选中荣获",
            ["医学部", "第二十一届", "精品活动", "荣获"],
        ),
        ("“基础讲堂”助力教职工全面发展", ["助力", "“基础讲堂”"]),
        # table cells: …分工|会, …生物样本|库, 系列活|动
        ("第三医院运动医学科分工会", ["分工会"]),
        ("临床护理巴林特小组系列活动", ["活动"]),
        (
            "2025年12月10日下午，14家单位70余人参加，23位汇报人",
            ["2025年12月10日", "14家", "70余人", "23位"],
        ),
        ("二〇二五年十二月十日", ["二〇二五年十二月十日"]),
        ("医务人员心理健康关爱计划(EAP)", ["(EAP)"]),
        ("关爱职工健康,智享‘AI+营养’新生活", ["‘AI+营养’", "AI+", "健康,"]),
        ("COVID-19防控与A-101报告厅", ["COVID-19", "A-101"]),
        ("北京大学肿瘤医院工会 2025 年度爱国主义教育", ["2025 年度"]),
        ("屈原《离骚》歌未尽", ["《离骚》"]),
        ("医学部党委宣传部副部长武慧媛点评", ["武慧媛"]),
        ("医学部工会常务副主席陈斌斌宣布结果", ["陈斌斌"]),
    ],
)
def test_issue_12_strings_stay_whole(text: str, parts: list[str]) -> None:
    for part in parts:
        assert unbroken(text, part), (part, segments(text, NAMES))


def test_exact_segments_of_the_headline() -> None:
    assert segments("医学部工会系统第二十一届“权益杯”精品活动评选圆满结束", NAMES) == [
        "医学部工会系统",
        "第二十一届",
        "“权益杯”",
        "精品活动评选",
        "圆满结束",
    ]


@pytest.mark.parametrize("unit", [u for u in NAMES if u.endswith(("工会", "小组"))])
def test_every_unit_of_the_sample_is_one_segment(unit: str) -> None:
    assert segments(f"授予{unit}荣誉称号", NAMES)[:2] == ["授予", unit]


def test_a_name_longer_than_the_line_breaks_only_between_its_words() -> None:
    unit = "肿瘤医院胃肠转化及生物样本库联合小组"
    assert segments(unit, NAMES) == [unit]
    parts = segments(unit, NAMES, longest=8)
    assert len(parts) > 1 and "".join(parts) == unit
    assert unbroken(unit, "样本库", longest=8) and unbroken(unit, "肿瘤医院", longest=8)


def test_a_long_quotation_breaks_between_its_words() -> None:
    text = "“屈原《离骚》歌未尽,杜甫《春望》东方白”"
    assert len(segments(text)) > 3
    assert unbroken(text, "《离骚》", []) and unbroken(text, "《春望》", [])


def test_punctuation_stays_with_its_word() -> None:
    text = "“权益杯”活动是医学部工会系统的特色活动,兼具展示交流（和学习）提升的双重价值。"
    for part in segments(text, NAMES):
        assert part[0] not in CLOSING and part[-1] not in OPENING, part


def test_names_are_the_edition_s_own() -> None:
    assert {"武慧媛", "王志强", "董惠华", "权益杯", "精品活动奖", "医学部工会"} <= set(NAMES)
    assert unbroken("欧阳䶮主持", "欧阳䶮", ["欧阳䶮"])


def test_same_result_in_a_fresh_process_whatever_ran_before() -> None:
    text = "医学部党委宣传部副部长武慧媛点评，王志强认为活动开辟了新思路"
    segments(text, ["武慧媛", "开辟了新"])  # another edition's names must leave no trace
    here = segments(text)
    code = f"from docgen.segment import segments; print('|'.join(segments({text!r})))"
    fresh = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert fresh == "|".join(here)


def test_the_dictionary_loads_only_when_text_is_segmented() -> None:
    code = "import sys, docgen.segment, docgen.breaks; print('rjieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("医学部工会第二十一届权益杯精品活动评选圆满结束荣获〇一二年月日余人家位"),
        st.sampled_from("“”‘’《》（）()，。、：；！？… -—+AIEP0123456789\n"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=60,
)


@given(text=TEXT, names=st.lists(st.text(min_size=1, max_size=6), max_size=3))
def test_segments_join_back_to_the_text(text: str, names: list[str]) -> None:
    parts = segments(text, names)
    assert "".join(parts) == text
    assert all(parts) or text == ""
    cuts = breaks(text, names)
    assert cuts == sorted(set(cuts)) and all(0 < c < len(text) for c in cuts)


@given(text=TEXT, name=st.text(alphabet="医学部工会权益杯精品活动", min_size=2, max_size=6))
def test_a_declared_name_is_never_split(text: str, name: str) -> None:
    text = text + name + text
    assert unbroken(text, name, [name])
