"""serial_pattern: a strict grammar checked where the pattern is written, so `docgen check` never
crashes on it and no width can ask for gigabytes of padding."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import config, edition, serials
from docgen.errors import DocgenError

from .bounded import docgen, small_sample
from .conftest import ROOT

KNOWN = "可用 {year} {number} {award} {rank}，如 {rank:02d}"
NOT_A_WIDTH = "无法识别：数字只能指定位数，如 {rank:02d}（补零到 2 位）"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{award:d}", "编号格式中的 {award:d}：奖项代码是文字，不能指定格式；请写 {award}"),
        ("{award:3}", "编号格式中的 {award:3}：奖项代码是文字，不能指定格式；请写 {award}"),
        ("{rank:999999999}", "编号格式中的 {rank:999999999} 位数太大：最多 10 位，如 {rank:04d}"),
        ("{rank:011d}", "编号格式中的 {rank:011d} 位数太大：最多 10 位，如 {rank:04d}"),
        (
            "{rank:" + "9" * 5000 + "}",
            "编号格式中的 {rank:999999999999999…} 位数太大：最多 10 位，如 {rank:04d}",
        ),
        ("{rank!r}", f"编号格式中的 {{rank!r}} 无法识别；{KNOWN}"),
        ("{award.__class__}", f"编号格式中的 {{award.__class__}} 无法识别；{KNOWN}"),
        ("{award[0]}", f"编号格式中的 {{award[0]}} 无法识别；{KNOWN}"),
        ("{0}", f"编号格式中的 {{0}} 无法识别；{KNOWN}"),
        ("{}", f"编号格式中的 {{}} 无法识别；{KNOWN}"),
        ("{rank:>{year}}", f"编号格式中有不成对的“{{”；占位符写作 {{rank}} 这样，{KNOWN}"),
        ("A-{rank}}", f"编号格式中有不成对的“}}”；占位符写作 {{rank}} 这样，{KNOWN}"),
        ("{rank:>5}", f"编号格式中的 {{rank:>5}} {NOT_A_WIDTH}"),
        ("{rank:x}", f"编号格式中的 {{rank:x}} {NOT_A_WIDTH}"),
        ("{rank:,d}", f"编号格式中的 {{rank:,d}} {NOT_A_WIDTH}"),
    ],
)
def test_bad_patterns_get_one_located_message_in_edition_yaml(
    edition_copy: Callable[..., Path], pattern: str, message: str
) -> None:
    path = edition_copy(("press:", f"certificates:\n  serial_pattern: '{pattern}'\npress:"))
    with pytest.raises(DocgenError) as info:
        edition.load(path)
    [problem] = info.value.problems
    assert str(problem).split("edition.yaml:", 1)[1] == (
        f"36:19: certificates.serial_pattern: 取值无效：{message}"
    )


def test_a_bad_default_pattern_is_located_in_certificate_yaml(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    yaml = tmp_path / "config" / "certificate.yaml"
    text = yaml.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("serial_pattern:"))
    yaml.write_text(
        text.replace("serial_pattern:", "serial_pattern: '{award:d}'\n#", 1), encoding="utf-8"
    )
    with pytest.raises(DocgenError) as info:
        config.load_certificate_defaults(tmp_path)
    [problem] = info.value.problems
    assert problem.location.file == yaml and problem.location.line == line
    assert problem.field == "serial_pattern" and "{award:d}" in problem.message


@pytest.mark.parametrize(
    "spec", ["", "d", "0", "2", "02", "02d", "3d", "010", "10d", "010d", "00", "0d"]
)
def test_every_allowed_spec_fills_as_python_would(spec: str) -> None:
    pattern = f"X{{rank:{spec}}}-{{award}}" if spec else "X{rank}-{award}"
    assert serials.problem(pattern) is None
    for rank in (1, 7, 12345, 10**12):
        assert serials.fill(pattern, rank=rank, award="J") == f"X{rank:{spec}}-J"


@pytest.mark.parametrize("pattern", ["{rank:999999999}", "{award:d}"])
def test_check_refuses_a_bad_pattern_cheaply_without_a_traceback(
    tmp_path: Path, pattern: str
) -> None:
    """Before: {rank:999999999} ran out a 120 s CPU limit at 4 GB building a 1 GB serial, and
    {award:d} ended `docgen check` with a ValueError traceback from format()."""
    path = small_sample(tmp_path / "edition")
    with path.open("a", encoding="utf-8") as f:
        f.write(f"certificates:\n  serial_pattern: '{pattern}'\n")
    run = docgen("check", path)
    run.assert_refused_cheaply()
    assert "certificates.serial_pattern: 取值无效：编号格式中的" in run.text
