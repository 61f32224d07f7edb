"""The edition format: the sample reproduces the published story; bad editions get exact messages."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import config, edition, schema
from docgen.errors import DocgenError

from .conftest import MINIMAL, NEWS, ROOT, SAMPLE

TOO_LONG = "文件名或文件夹名“照照照照照照照照照照照照照照照照照照照照…”有"


def problems(path: Path) -> list[str]:
    """Every reported problem, with the path up to the edition folder cut off."""
    with pytest.raises(DocgenError) as info:
        edition.load(path)
    return [str(p).split("edition.yaml:", 1)[1] for p in info.value.problems]


def test_sample_edition_loads_with_the_facts_of_the_story() -> None:
    loaded = edition.load(SAMPLE)
    e = loaded.edition
    assert (e.ordinal, e.year, e.series.name) == ("第二十一届", 2025, "权益杯")
    assert (e.meeting.date.isoformat(), e.meeting.part_of_day, e.meeting.host.name) == (
        "2025-12-10",
        "下午",
        "董惠华",
    )
    assert (e.meeting.participating_units, str(e.meeting.attendance), e.meeting.presenters) == (
        14,
        "70余人",
        23,
    )
    assert [(g.name, g.title) for g in e.meeting.judges.guests] == [
        ("武慧媛", "医学部党委宣传部副部长"),
        ("杨永", "人事处副处长"),
    ]
    assert [(a.name, len(a.winners)) for a in e.awards] == [("精品活动奖", 10), ("优秀活动奖", 14)]
    assert sum(len(g.files) for g in e.photos) == 9
    assert loaded.serials()[:2] == ["QYB-2025-21-J01", "QYB-2025-21-J02"]
    assert loaded.serials()[10] == "QYB-2025-21-Y01"


def story_rows() -> list[list[tuple[str, str]]]:
    """The two award tables of the published story, cell by cell."""
    text = NEWS.read_text(encoding="utf-8")
    tiers = []
    for block in text.split("序号\n\n单位\n\n活动内容\n\n")[1:]:
        cells, rows = block.split("\n\n"), []
        while len(cells) >= 3 and cells[0].strip().isdigit():
            rows.append((cells[1], cells[2].split("\n")[0]))
            cells = cells[3:]
        tiers.append(rows)
    return tiers


def test_sample_winners_are_exactly_the_story_tables() -> None:
    e = edition.load(SAMPLE).edition
    assert [[(w.unit, w.activity) for w in a.winners] for a in e.awards] == story_rows()


def test_sample_texts_and_captions_appear_verbatim_in_the_story() -> None:
    e = edition.load(SAMPLE).edition
    news = NEWS.read_text(encoding="utf-8")
    texts = [
        e.story.features,
        e.story.comments_note,
        e.story.results_note,
        e.story.closing,
        e.press.title,
    ]
    texts += [c.text for c in e.story.comments]
    texts += [g.caption for g in e.photos if g.caption]
    for text in texts:
        assert text and text in news, text
    assert [g.caption for g in e.photos].count(None) == 1  # the first photo has no caption


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        pytest.param(
            [("number: 3", "number: 三")],
            ["7:9: number: 应为整数，这里写的是“三”"],
            id="not-an-integer",
        ),
        pytest.param(
            [("number: 3", "numbr: 3")],
            [
                "2:1: number: 缺少必填项",
                "7:1: numbr: 没有“numbr”这一项，是不是“number”？这里可以写：schema_version、organiser、series、"
                "number、year、meeting、story、photos、awards、press、report、certificates",
            ],
            id="misspelt-key",
        ),
        pytest.param(
            [("date: 2024-11-05", "date: 2024/11/05")],
            ["10:9: meeting.date: 日期应写作 YYYY-MM-DD，如 2025-12-10"],
            id="date-format",
        ),
        pytest.param(
            [("attendance: 12人", "attendance: 约十二人")],
            ["15:15: meeting.attendance: 人数应写作 70、70人 或 70余人"],
            id="headcount",
        ),
        pytest.param(
            [("part_of_day: 上午", "part_of_day: 早上")],
            ["11:16: meeting.part_of_day: 只能是以下之一：上午、中午、下午、晚上、全天"],
            id="choice",
        ),
        pytest.param(
            [("schema_version: 1", "schema_version: 2")],
            ["2:17: schema_version: 不支持的格式版本；本程序支持 schema_version: 1"],
            id="schema-version",
        ),
        pytest.param(
            [("participating_units: 2", "participating_units: 0")],
            ["14:24: meeting.participating_units: 不能小于 1"],
            id="range",
        ),
        pytest.param(
            [
                (
                    "    code: B\n    winners:\n      - unit: 乙单位工会\n        activity: 读书会\n",
                    "    code: B\n    winners: []\n",
                )
            ],
            ["32:14: awards[1].winners: 至少要有 1 项"],
            id="empty-tier",
        ),
        pytest.param(
            [
                (
                    "      - unit: 乙单位工会\n        activity: 读书会",
                    "      - unit: 甲单位工会\n        activity: 健康走",
                )
            ],
            ["33:9: awards[1].winners[0]: 与第 28 行的获奖项目重复（同一单位、同一活动名称）"],
            id="duplicate-winner",
        ),
        pytest.param(
            [("photos/meeting.jpg", "photos/missing.jpg")],
            ["23:13: photos[0].files[0]: 找不到照片文件 photos/missing.jpg（应在本届文件夹中）"],
            id="missing-photo",
        ),
        pytest.param(
            [("photos/meeting.jpg", "../secret.jpg")],
            ["23:13: photos[0].files[0]: 路径不能包含“..”：照片必须放在本届文件夹之内"],
            id="photo-outside",
        ),
        pytest.param(
            [("photos/meeting.jpg", "/etc/passwd")],
            [
                "23:13: photos[0].files[0]: 请写相对于本届文件夹的路径（如 photos/01.jpg），不能写绝对路径"
            ],
            id="photo-absolute",
        ),
        pytest.param(
            [("photos/meeting.jpg", "http://example.com/a.jpg")],
            ["23:13: photos[0].files[0]: 照片只能是本届文件夹中的文件，不能是网址"],
            id="photo-url",
        ),
        pytest.param(
            [("  title: 测试", "  title: ''\n  titel: 测试")],
            [
                "36:10: press.title: 不能为空",
                "37:3: press.titel: 没有“titel”这一项，是不是“title”？这里可以写：title、column、published",
            ],
            id="empty-and-typo",
        ),
        pytest.param(
            [("    name: 张三", "    name: 张三\n    name: 李四")],
            ["14:5: meeting.host: 键“name”重复：第 13 行和第 14 行都写了它，请删去一个"],
            id="duplicate-key",
        ),
        pytest.param(
            [("    code: A", "    code: 甲")],
            ["26:11: awards[0].code: 格式不对，这里写的是“甲”"],
            id="award-code",
        ),
        pytest.param(
            [("photos/meeting.jpg", f"photos/{'照' * 90}.jpg")],
            [f"23:13: photos[0].files[0]: {TOO_LONG} 274 字节，超过上限 255 字节，请改短"],
            id="photo-name-over-255-bytes",
        ),
        pytest.param(
            [("photos/meeting.jpg", f"{'照' * 90}/meeting.jpg")],
            [f"23:13: photos[0].files[0]: {TOO_LONG} 270 字节，超过上限 255 字节，请改短"],
            id="photo-folder-over-255-bytes",
        ),
        pytest.param(
            [("press:", f"certificates:\n  seal: {'照' * 90}.png\npress:")],
            [f"36:9: certificates.seal: {TOO_LONG} 274 字节，超过上限 255 字节，请改短"],
            id="seal-name-over-255-bytes",
        ),
    ],
)
def test_invalid_editions_get_exact_located_messages(
    edition_copy: Callable[..., Path], replacements: list[tuple[str, str]], expected: list[str]
) -> None:
    path = edition_copy(*replacements)
    got = problems(path)
    assert [re.sub(r"（应在 .* 中）", "（应在本届文件夹中）", m) for m in got] == expected


def test_every_problem_is_reported_in_one_run(edition_copy: Callable[..., Path]) -> None:
    path = edition_copy(
        ("number: 3", "number: x"),
        ("date: 2024-11-05", "date: 5/11/2024"),
        ("photos/meeting.jpg", "photos/nope.jpg"),
        ("    name: 张三", "    name: 张三\n    name: 李四"),
    )
    assert len(problems(path)) == 4


def test_long_values_are_cut_where_messages_quote_them(edition_copy: Callable[..., Path]) -> None:
    """A message quotes at most 30 characters of what was typed, and says how long it was."""
    key, photo = "键" * 1000, "photos/" + "照/" * 100 + "1.jpg"
    path = edition_copy(
        ("  part_of_day: 上午", f"  part_of_day: 上午\n  {key}: x"),
        ("photos/meeting.jpg", photo),
        ("    code: A", "    code: " + "甲" * 500),
    )
    cut_key = f"{'键' * 30}…（共 1000 个字符）"
    assert [re.sub(r"（应在 .* 中）", "（应在本届文件夹中）", m) for m in problems(path)] == [
        f"12:3: meeting.{cut_key}: 没有“{cut_key}”这一项。这里可以写：date、part_of_day、"
        "venue、host、participating_units、attendee_roles、attendance、presenters、judges",
        f"24:13: photos[0].files[0]: 找不到照片文件 photos/{'照/' * 11}照…（共 212 个字符）（应在本届文件夹中）",
        f"27:11: awards[0].code: 格式不对，这里写的是“{'甲' * 30}…（共 500 个字符）”",
    ]


def test_photos_past_the_cap_are_refused_without_looking_each_up(
    edition_copy: Callable[..., Path],
) -> None:
    """50,000 photo names cost ~4 s of disk look-ups before the cap (~80 µs each)."""
    names = ", ".join(f"photos/{i}.jpg" for i in range(edition.MAX_PHOTOS + 1))
    path = edition_copy(("files: [photos/meeting.jpg]", f"files: [{names}]"))
    assert problems(path) == [
        "21:3: photos: 照片太多：共 1001 张，上限 1000 张；请只列出报告和新闻稿要用的照片"
    ]


def test_symlink_out_of_the_edition_folder_is_refused(
    edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes((MINIMAL.parent / "photos" / "meeting.jpg").read_bytes())
    path = edition_copy(("photos/meeting.jpg", "photos/link.jpg"))
    (path.parent / "photos" / "link.jpg").symlink_to(outside)
    assert problems(path) == [
        "23:13: photos[0].files[0]: 这个文件（或它的链接目标）在本届文件夹之外，不能使用"
    ]


def test_pinned_serials_must_stay_unique(edition_copy: Callable[..., Path]) -> None:
    path = edition_copy(
        ("        activity: 健康走", "        activity: 健康走\n        serial: QYB-2024-3-B01")
    )
    assert problems(path) == [
        "34:9: awards[1].winners[0]: 证书编号 QYB-2024-3-B01 重复；请在 serial 中为其中一个指定不同的编号"
    ]


def test_committed_json_schemas_match_the_models() -> None:
    for name in schema.MODELS:
        committed = json.loads(
            (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        )
        assert committed == schema.json_schema(name), (
            f"schema/{name}.schema.json is stale: run `make schema`"
        )


def test_sample_points_editors_at_the_schema() -> None:
    first = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/edition.schema.json"


def test_every_model_field_has_a_description() -> None:
    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert "description" in prop, name
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema.json_schema("edition"))


def test_a_seal_name_too_long_in_certificate_yaml_gets_a_message(tmp_path: Path) -> None:
    """Before: config's seal check asked the disk about the name and raised ENAMETOOLONG."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    yaml = tmp_path / "config" / "certificate.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("seal: sample", f"seal: {'照' * 90}.png"),
        encoding="utf-8",
    )
    loaded = edition.load(MINIMAL)
    with pytest.raises(DocgenError) as info:
        config.resolve(loaded.edition, loaded.doc, tmp_path)
    [problem] = info.value.problems
    assert problem.location.file == yaml
    assert problem.message == f"{TOO_LONG} 274 字节，超过上限 255 字节，请改短"
