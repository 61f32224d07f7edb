"""The command line: exit codes, Chinese messages, nothing written on errors, atomic replacement."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from docgen import cli, errors, generate
from docgen.artifacts import Artifact, Run
from docgen.errors import DocgenError, Location, Problem, Severity
from docgen.outputs import OUTPUTS

from .conftest import MINIMAL


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generate_succeeds_with_exit_0(tmp_path: Path) -> None:
    result = run_cli("generate", str(MINIMAL), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "已生成到" in result.stdout
    assert (tmp_path / "out" / "certificates.pdf").is_file()


def test_default_output_folder_is_out_slash_edition_name(tmp_path: Path) -> None:
    result = run_cli("generate", str(MINIMAL), "--only", "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "minimal" / "report.docx").is_file()


def test_input_problems_exit_1_with_located_chinese_messages_and_write_nothing(
    edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    path = edition_copy(("number: 3", "number: 三"))
    result = run_cli("generate", str(path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "edition.yaml:7:9: number: 应为整数，这里写的是“三”" in result.stderr
    assert "没有生成任何文件" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_writes_nothing_and_reports_warnings(tmp_path: Path) -> None:
    result = run_cli("check", str(MINIMAL), cwd=tmp_path)
    assert result.returncode == 0
    assert "检查通过" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate"], "缺少必需的参数：EDITION.yaml"),
        (["generate", "x.yaml", "--only", "poster"], "无效的选择：'poster'"),
        (["frobnicate"], "无效的选择：'frobnicate'"),
        ([], "缺少必需的参数：命令"),
    ],
)
def test_usage_errors_exit_2_in_chinese(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "用法：" in result.stderr


def test_an_edition_folder_stands_for_its_edition_yaml(tmp_path: Path) -> None:
    result = run_cli("generate", str(MINIMAL.parent), "--only", "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "minimal" / "report.docx").is_file()
    assert run_cli("check", str(MINIMAL.parent)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("check", str(empty))
    assert result.returncode == 1
    assert "empty: 这是一个文件夹，里面没有 edition.yaml" in result.stderr


def test_missing_edition_file_exits_1(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "nope.yaml: 文件不存在" in result.stderr


def test_help_is_chinese() -> None:
    result = run_cli("generate", "--help")
    assert result.returncode == 0
    assert "用法：docgen generate" in result.stdout
    assert "只生成其中几种" in result.stdout


def test_schema_prints_json_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    assert '"title": "Edition"' in result.stdout


def test_only_replaces_just_that_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate.generate(MINIMAL, out)
    before = snapshot(out)
    generate.generate(MINIMAL, out, only=["report"])
    after = snapshot(out)
    assert set(after) == set(before)
    assert {k for k in after if after[k] != before[k]} <= {"manifest.json", "report.docx"}


def test_a_failing_output_leaves_the_previous_folder_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate.generate(MINIMAL, out)
    before = snapshot(out)
    real = OUTPUTS["certificates"]

    def failing(run: Run) -> Iterator[Artifact]:
        for i, artifact in enumerate(real(run)):
            if i == 1:
                raise DocgenError("模拟的渲染失败")
            yield artifact

    monkeypatch.setitem(OUTPUTS, "certificates", failing)
    with pytest.raises(DocgenError, match="模拟的渲染失败"):
        generate.generate(MINIMAL, out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_main_returns_exit_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(MINIMAL)]) == 0
    assert cli.main(["check", "/nonexistent/edition.yaml"]) == 1
    with pytest.raises(SystemExit) as info:
        cli.main(["generate", "--only"])
    assert info.value.code == 2


LONG = "照" * 90  # 270 bytes of UTF-8: over the 255 a file or folder name may have


@pytest.mark.parametrize("command", ["check", "generate"])
@pytest.mark.parametrize(
    "name", [f"{LONG}/edition.yaml", LONG, f"{LONG}.yaml"], ids=["in-folder", "folder", "file"]
)
def test_an_edition_path_too_long_for_the_disk_gets_a_message(
    tmp_path: Path, command: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: asking the disk about the path raised ENAMETOOLONG, shown as a traceback."""
    assert cli.main([command, str(tmp_path / name)]) == 1
    assert "字节，超过上限 255 字节，请改短" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", str(MINIMAL), "-o", LONG], "有 270 字节，超过上限 255 字节"),
        (["calibrate", "-o", f"{LONG}.pdf"], "有 274 字节，超过上限 255 字节"),
        (["calibrate", "-o", f"{'照' * 77}.pdf"], "输出的名字有 235 字节，超过上限 231 字节"),
    ],
    ids=["generate", "calibrate", "calibrate-no-room-for-its-temporary-file"],
)
def test_an_output_name_too_long_is_a_usage_error(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    assert "参数 -o/--out：" in (err := capsys.readouterr().err) and message in err


def test_calibrate_into_a_folder_writes_calibration_pdf_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: -o naming a folder ended in IsADirectoryError (traceback)."""
    assert cli.main(["calibrate", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "calibration.pdf").read_bytes().startswith(b"%PDF")
    assert cli.main(["calibrate", "-o", f"{tmp_path / 'new'}/"]) == 0
    assert (tmp_path / "new" / "calibration.pdf").is_file()
    (tmp_path / "file").write_text("x")
    capsys.readouterr()
    assert cli.main(["calibrate", "-o", str(tmp_path / "file" / "c.pdf")]) == 1
    assert "file 是文件，不是文件夹" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # generate's -o: test_writer_folder.py has more
        cli.main(["generate", str(MINIMAL), "-o", str(tmp_path / "file" / "out")])
    assert usage.value.code == 2
    assert "file: 这是一个文件，不是文件夹" in capsys.readouterr().err


def _problems(n: int, severity: Severity) -> list[Problem]:
    return [Problem(Location(Path("e.yaml"), i + 1), "a", f"第 {i} 个", severity) for i in range(n)]


def test_a_long_list_stops_at_the_cap_and_keeps_every_error_listed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """500 typography warnings before one error: the error is listed, the rest counted."""
    found = [*_problems(500, Severity.WARNING), *_problems(1, Severity.ERROR)]

    def check(_path: Path) -> None:
        raise DocgenError(found)

    monkeypatch.setattr(generate, "check", check)
    assert cli.main(["check", "e.yaml"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == errors.MAX_PROBLEMS + 2
    assert "e.yaml:1: a: 第 0 个" in lines  # the error, though last in file order
    assert lines[-2:] == [
        "还有 401 个问题未列出",
        "发现 1 个错误，另有 500 条提示；没有生成任何文件。",
    ]


def test_check_lists_at_most_100_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(generate, "check", lambda _path: (None, _problems(150, Severity.WARNING)))
    assert cli.main(["check", "e.yaml"]) == 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == errors.MAX_PROBLEMS + 2
    assert lines[-2:] == ["还有 50 个问题未列出", "检查通过：没有错误，150 条排版提示。"]
