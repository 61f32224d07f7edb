"""Hostile YAML costs little: refused (exit 1) with a located message, in bounded CPU, memory and
output, and a real edition of 10,000 winners still loads.

Each refusal runs ``docgen check`` in a child on the sample cut down to 2 winners and 1 photo
(tests/bounded.py), where a refused input costs about 0.9 s and 98 MB. A FIFO blocks rather than
spins, so the CPU rlimit cannot catch it: there the failure bound is the child's timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen import edition, errors, source, yamlbuild

from .bounded import Run, docgen, small_sample
from .conftest import ROOT

KB = 1024
MB = 1024 * KB


def check_with(tmp_path: Path, appended: str) -> Run:
    """``docgen check`` on the small sample with ``appended`` added at the end of its YAML."""
    path = small_sample(tmp_path / "edition")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(appended)
    return docgen("check", path, cwd=tmp_path)


def last_lines(run: Run, n: int) -> list[str]:
    return run.err.strip().splitlines()[-n:]


def test_a_megabyte_of_list_items_stops_at_the_value_cap(tmp_path: Path) -> None:
    """Was 6.4 s and 356 MB: PyYAML's pure-Python scanner (~25 µs a value) read every item."""
    run = check_with(tmp_path, "extra:\n" + "- a\n" * (MB // 4))
    run.assert_refused_cheaply()
    assert last_lines(run, 2) == [
        "edition/edition.yaml:99936:3: 内容过多：超过 100000 项，不像是一届评选的数据；"
        "请检查是否误粘贴了大量内容",
        "发现 1 个错误；没有生成任何文件。",
    ]


def test_a_15_mb_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """Was 84 s and 4 GB."""
    run = check_with(tmp_path, "extra:\n" + "- a\n" * (15 * MB // 4))
    run.assert_refused_cheaply()
    assert "edition/edition.yaml: YAML 文件有 15.0 MB，超过上限 4.0 MB，已拒绝" in run.err


def test_500000_duplicate_keys_print_a_few_lines(tmp_path: Path) -> None:
    """Was 69 MB of messages, a line per duplicate."""
    run = check_with(tmp_path, "extra:\n" + "  k: v\n" * 500_000)
    run.assert_refused_cheaply()
    assert len(run.text.encode()) < 1 * KB
    assert "内容过多：超过 100000 项" in run.err


def test_40000_duplicate_keys_list_the_first_100_and_count_the_rest(tmp_path: Path) -> None:
    run = check_with(tmp_path, "extra:\n" + "  k: v\n" * 40_000)
    run.assert_refused_cheaply()
    assert len(run.text.encode()) < 20 * KB
    lines = run.err.strip().splitlines()
    assert len(lines) == errors.MAX_PROBLEMS + 2
    assert lines[:2] == [
        "edition/edition.yaml:61:1: extra: 没有“extra”这一项。这里可以写：schema_version、organiser、"
        "series、number、year、meeting、story、photos、awards、press、report、certificates",
        "edition/edition.yaml:63:3: extra: 键“k”重复：第 62 行和第 63 行都写了它，请删去一个",
    ]
    assert lines[-2:] == ["还有 39900 个问题未列出", "发现 40000 个错误；没有生成任何文件。"]


def test_40000_unknown_keys_list_100_without_a_search_for_each(tmp_path: Path) -> None:
    """Each unknown key gets a difflib "did you mean"; only the 100 listed may pay for one."""
    run = check_with(tmp_path, "".join(f"k{i}: v\n" for i in range(40_000)))
    run.assert_refused_cheaply()
    assert last_lines(run, 2) == [
        "还有 39900 个问题未列出",
        "发现 40000 个错误；没有生成任何文件。",
    ]


def test_a_nesting_bomb_is_refused_at_depth_40(tmp_path: Path) -> None:
    """PyYAML's C composer segfaults at ~30,000 levels; docgen must exit 1 with a message."""
    run = check_with(tmp_path, "extra: " + "[" * 100_000 + "]" * 100_000 + "\n")
    run.assert_refused_cheaply()
    assert "嵌套超过 40 层，请检查缩进" in run.err


def test_long_values_are_cut_where_a_message_quotes_them(tmp_path: Path) -> None:
    """A 3 MB value where a number belongs, and many long scalars: one short message."""
    path = small_sample(tmp_path / "edition")
    text = path.read_text(encoding="utf-8").replace("year: 2025", "year: " + "9" * 3_000_000)
    path.write_text(text + "extra:\n" + ("- " + "长" * 10_000 + "\n") * 10, encoding="utf-8")
    run = docgen("check", path, cwd=tmp_path)
    run.assert_refused_cheaply()
    assert len(run.text.encode()) < 1 * KB
    assert f"year: 数字位数太多，这里写的是“{'9' * 30}…（共 3000000 个字符）”" in run.err


def test_an_edition_argument_with_a_300_byte_name_is_located(tmp_path: Path) -> None:
    """Was a traceback (OSError: File name too long) from the argument parser's is_file()."""
    long = "届" * 100  # 300 bytes in UTF-8
    for argument in (f"{long}/edition.yaml", long, f"x/{long}"):
        run = docgen("check", argument, cwd=tmp_path)
        run.assert_refused_cheaply()
        assert f"文件名或文件夹名“{'届' * 20}…”有 300 字节，超过上限 255 字节，请改短" in run.err


def run_with_timeout(*args: str | Path, env: dict[str, str] | None = None) -> str:
    """``docgen ARGS`` in a child that must finish within 60 s (a blocked read would not)."""
    result = subprocess.run(
        [sys.executable, "-m", "docgen", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_fifo_as_edition_yaml_is_refused_without_waiting(tmp_path: Path) -> None:
    """Was a hang: open() on a FIFO waits for a writer."""
    os.mkfifo(tmp_path / "edition.yaml")
    expected = "edition.yaml: 这是一个管道（FIFO），不是普通文件，已拒绝读取"
    assert expected in run_with_timeout("check", tmp_path / "edition.yaml")
    assert expected in run_with_timeout("check", tmp_path)  # the folder stands for its edition.yaml


def test_a_fifo_as_a_config_yaml_is_refused_without_waiting(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(ROOT / "config", home / "config")
    (home / "config" / "branding.yaml").unlink()
    os.mkfifo(home / "config" / "branding.yaml")
    edition_yaml = small_sample(tmp_path / "edition")
    stderr = run_with_timeout("check", edition_yaml, env={"DOCGEN_HOME": str(home)})
    assert "branding.yaml: 这是一个管道（FIFO），不是普通文件，已拒绝读取" in stderr


def winners_edition(folder: Path, every_field: bool) -> Path:
    """bench/certificates.py's 10,000-winner edition (1.24 MB), optionally with every optional
    winner field filled (the most values per winner a real edition has)."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.certificates import make_edition
    finally:
        sys.path.remove(str(ROOT))
    path = make_edition(10_000, folder)
    if every_field:
        lines = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            lines.append(line)
            if line.lstrip().startswith("activity:"):
                indent = line[: len(line) - len(line.lstrip())]
                lines += [f"{indent}certificate_activity: 活动{n}", f"{indent}serial: S{n:06d}"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("every_field", [False, True], ids=["bench", "every-field"])
def test_an_edition_of_10000_winners_still_loads(
    tmp_path: Path, every_field: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured, not asserted (the machine may be busy): ~1.2 s and 75 MB before libyaml."""
    path = winners_edition(tmp_path, every_field)
    start = time.process_time()
    doc = source.read(path)
    spent = time.process_time() - start
    values = len(doc.values) + len(doc.keys)
    assert doc.problems == []
    assert values < yamlbuild.MAX_NODES
    loaded = edition.load(path)
    assert sum(len(a.winners) for a in loaded.edition.awards) == 10_000
    with capsys.disabled():
        size = path.stat().st_size / MB
        print(f"\n10,000 winners ({size:.2f} MB, {values} values): source.read {spent:.2f} s CPU")
