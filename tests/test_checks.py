"""Pre-render checks: glyph coverage (errors) and typography (warnings, text printed as written)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import checks, edition, generate
from docgen.errors import DocgenError

from .conftest import SAMPLE


def test_character_no_bundled_font_has_is_a_located_error(
    edition_copy: Callable[..., Path],
) -> None:
    path = edition_copy(("        activity: 读书会", "        activity: 读书会𪛖"))
    with pytest.raises(DocgenError) as info:
        generate.check(path)
    [problem] = info.value.problems
    assert (
        str(problem)
        .split("edition.yaml:", 1)[1]
        .startswith(
            "34:22: awards[1].winners[0].activity: 字符 U+2A6D6 𪛖（CJK UNIFIED IDEOGRAPH-2A6D6） 无法印出：内置字体中没有这个字"
        )
    )


def test_emoji_is_rejected(edition_copy: Callable[..., Path]) -> None:
    path = edition_copy(("    name: 张三", "    name: 张三🎉"))
    with pytest.raises(DocgenError, match="U\\+1F389"):
        generate.check(path)


def test_extension_a_and_rare_characters_are_covered(edition_copy: Callable[..., Path]) -> None:
    path = edition_copy(("    name: 张三", "    name: 欧阳䶮龘〇"))
    generate.check(path)


def warnings_for(text: str) -> list[str]:
    return [message for _, message in checks.typography(text)]


def test_half_width_punctuation_in_chinese_is_one_warning_per_field() -> None:
    [message] = warnings_for("主题设计紧扣时代,深度融合:第一;第二?")
    assert (
        message
        == "中文里有 4 处半角标点「,:;?」（第一处在「时代,深度」），中文应使用全角「，：；？」"
    )


def test_half_width_punctuation_next_to_latin_is_fine() -> None:
    assert warnings_for("AI+营养 (EAP) a,b") == []
    assert warnings_for("心理健康关爱计划(EAP)") == [
        "中文里有 1 处半角标点「(」（第一处在「计划(EA」），中文应使用全角「（」"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("传承百十薪火,赋能后勤新程”主题系列活动", "「”」没有与之配对的「“」"),
        ("《春望", "「《」没有与之配对的「》」"),
        ("（甲（乙）", "「（」没有与之配对的「）」"),
    ],
)
def test_unbalanced_pairs(text: str, message: str) -> None:
    assert message in warnings_for(text)


def test_runs_of_spaces_and_nbsp() -> None:
    assert warnings_for("赋能成长 \u00a0 共筑卓越")[0].startswith("有连续空格或不换行空格（·⍽·")
    assert warnings_for("探寻传统非遗之旅 激扬文化") == []


def test_sample_edition_warnings_point_at_the_story_s_slips() -> None:
    loaded = edition.load(SAMPLE)
    found = [str(p) for p in checks.run(loaded)]
    assert all("警告：" in f for f in found)  # warnings only: the sample generates
    joined = "\n".join(found)
    assert "story.features: 警告：中文里有 11 处半角标点" in joined
    assert "awards[1].winners[10].activity: 警告：「”」没有与之配对的「“」" in joined
    assert "awards[0].winners[2].activity: 警告：有连续空格或不换行空格" in joined
    assert "awards[0].winners[1].activity: 警告：中文里有 1 处半角标点「(」" in joined
