"""Writes under faults: a full disk at every write, kill -9 mid-run, and outputs the user edited
or has open in Word. The previous outputs survive each of them byte for byte."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docgen import cli, disk, generate
from docgen.artifacts import Artifact, Options, Run
from docgen.errors import DocgenError, display_path
from docgen.outputs import OUTPUTS
from docgen.writer import disk_full

from .conftest import MINIMAL
from .writer_replay import Recording, assert_whole_but, copy_edition, record, replay, tree

# --- helpers ---------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args], capture_output=True, text=True, timeout=300
    )


class Faults:
    """Records the writer's system calls under ``root`` and makes one of them fail with ENOSPC.

    Patched: every call that creates or moves something on the disk (os.mkdir, os.open with
    O_CREAT, os.write, os.fsync of a file, os.rename/replace/link/symlink, disk.exchange, which
    is renameat2). A failing os.write first writes half its bytes, as a filling disk does.
    Directory fsyncs are not counted: the writer treats them as best effort by design.
    """

    def __init__(self, root: Path, fail: int | Callable[[str], bool] = 0) -> None:
        self.root = str(root)
        self.fail = fail
        self.calls: list[str] = []
        self.fds: dict[int, str] = {}

    def install(self, mp: pytest.MonkeyPatch) -> None:
        real = {n: getattr(os, n) for n in ("mkdir", "open", "write", "fsync", "close")}
        moves = {n: getattr(os, n) for n in ("rename", "replace", "link", "symlink")}

        def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
            if not Path(os.fsdecode(path)).exists():
                self.hit("mkdir", path)
            real["mkdir"](path, *args, **kwargs)

        def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & os.O_CREAT:
                self.hit("create", path)
            fd: int = real["open"](path, flags, *args, **kwargs)
            if self.ours(path):
                self.fds[fd] = os.fsdecode(path)
            return fd

        def write(fd: int, data: Any) -> int:
            if fd in self.fds:
                try:
                    self.hit("write", self.fds[fd], named=False)
                except OSError:
                    real["write"](fd, bytes(data[: len(data) // 2]))
                    raise
            n: int = real["write"](fd, data)
            return n

        def fsync(fd: int) -> None:
            if fd in self.fds and not Path(self.fds[fd]).is_dir():
                self.hit("fsync", self.fds[fd], named=False)
            real["fsync"](fd)

        def close(fd: int) -> None:
            self.fds.pop(fd, None)
            real["close"](fd)

        def move(name: str) -> Callable[..., Any]:
            def call(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
                self.hit(name, src, dst)
                return moves[name](src, dst, *args, **kwargs)

            return call

        exchange = disk.exchange

        def exchange_(a: Path, b: Path) -> bool:
            self.hit("exchange", a, b)
            return exchange(a, b)

        for name, fn in [("mkdir", mkdir), ("open", open_), ("write", write), ("fsync", fsync)]:
            mp.setattr(os, name, fn)
        mp.setattr(os, "close", close)
        for name in moves:
            mp.setattr(os, name, move(name))
        mp.setattr(disk, "exchange", exchange_)

    def ours(self, path: Any) -> bool:
        return Path(os.fsdecode(path)).absolute().is_relative_to(self.root)

    def hit(self, op: str, *paths: Any, named: bool = True) -> None:
        if not any(self.ours(p) for p in paths):
            return
        call = f"{op} {' -> '.join(self.short(p) for p in paths)}"
        self.calls.append(call)
        fail = self.fail(call) if callable(self.fail) else len(self.calls) == self.fail
        if fail:
            name = os.fsdecode(paths[-1]) if named else None
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)

    def short(self, path: Any) -> str:
        rel = Path(os.fsdecode(path)).absolute().relative_to(self.root).as_posix()
        return rel.replace(f"-{os.getpid()}", "-PID")


# --- a full disk at every write ---------------------------------------------------------------------


@dataclass(frozen=True)
class Runs:
    previous: Path
    """The minimal edition generated once, plus a file of the user's own (never to be lost)."""
    changed: Path
    """The minimal edition with another unit name: every output differs."""
    recordings: dict[Path, Recording]
    """What generating ``changed`` rendered, replayed for each fault instead of rendering again."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("faults")
    previous = base / "previous" / "out"
    generate.generate(MINIMAL, previous)
    (previous / "我的笔记.txt").write_text("办公室自己放进来的文件", encoding="utf-8")
    changed = copy_edition(base / "changed", ("甲单位工会", "丙单位工会"))
    return Runs(previous, changed, {changed: record(changed, base / "reference" / "out")})


SCENARIOS = {
    "full run, renameat2 exchange": (None, "exchange", True),
    "full run, two renames (no renameat2)": (None, "renames", True),
    "--only report, the rest carried over": (["report"], "exchange", True),
    "first run, no previous folder": (None, "exchange", False),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_full_disk_at_any_write_leaves_the_previous_outputs_byte_identical(
    scenario: str, runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only, swap, previous = SCENARIOS[scenario]
    replay(monkeypatch, runs.recordings)

    def attempt(work: Path, fail: int) -> tuple[Faults, DocgenError | None]:
        faults = Faults(work, fail)
        with pytest.MonkeyPatch.context() as mp:
            faults.install(mp)
            if swap == "renames":
                mp.setattr(disk, "exchange", lambda a, b: False)
            try:
                generate.generate(runs.changed, work / "out", only=only)
            except DocgenError as exc:
                return faults, exc
        return faults, None

    def folder(name: str) -> Path:
        work = tmp_path / name
        if previous:
            shutil.copytree(runs.previous, work / "out")
        work.mkdir(exist_ok=True)
        return work

    # Count the writes of a run that succeeds: the last one must be the swap itself.
    counted, error = attempt(folder("counted"), 0)
    assert error is None
    calls = counted.calls
    assert calls[-1].startswith("exchange" if swap == "exchange" and previous else "rename ")
    assert calls[-1].endswith("-> out"), calls[-1]
    new = tree(tmp_path / "counted")

    work = folder("work")
    before = tree(work)
    message = disk_full(work).text
    for k in range(1, len(calls) + 1):
        faults, error = attempt(work, k)
        where = f"ENOSPC at write {k} of {len(calls)}: {calls[k - 1]}"
        assert faults.calls[:k] == calls[:k], where  # the fault hit the write we meant
        assert error is not None and error.text == message, where
        assert tree(work) == before, where  # outputs byte-identical, no staging or scratch left
    # And the disk, once freed, takes the new set whole.
    _, error = attempt(work, 0)
    assert error is None
    assert tree(work) == new


def test_a_full_disk_is_a_chinese_message_and_exit_1_not_a_traceback(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replay(monkeypatch, runs.recordings)
    out = tmp_path / "out"
    shutil.copytree(runs.previous, out)
    before = tree(tmp_path)
    faults = Faults(tmp_path, lambda call: call == "write .out.staging-PID/manifest.json")
    with pytest.MonkeyPatch.context() as mp:
        faults.install(mp)
        code = cli.main(["generate", str(runs.changed), "-o", str(out)])
    stderr = capsys.readouterr().err
    assert code == 1
    assert "错误：磁盘已满，无法写入" in stderr
    assert "Traceback" not in stderr
    assert tree(tmp_path) == before


def test_the_calibration_sheet_on_a_full_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = Faults(tmp_path, lambda call: call.startswith("write"))
    with pytest.MonkeyPatch.context() as mp:
        faults.install(mp)
        code = cli.main(["calibrate", "-o", str(tmp_path / "calibration.pdf")])
    assert code == 1
    assert "错误：磁盘已满，无法写入" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no half-written temporary file


def test_a_full_disk_the_writer_did_not_see_is_caught_by_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(generate, "generate", full)
    assert cli.main(["generate", str(MINIMAL)]) == 1
    stderr = "".join(capsys.readouterr().err.split())
    assert stderr == (
        "错误：磁盘已满，无法写入文件。之前生成的文件保持原样；"
        "请清理出空间（或用-o把输出放到空间充足的磁盘）后重新运行。"
    )


def test_the_disk_full_message(tmp_path: Path) -> None:
    assert disk_full(tmp_path).text == (
        f"磁盘已满，无法写入 {display_path(tmp_path)}。之前生成的文件保持原样；"
        "请清理出空间（或用 -o 把输出放到空间充足的磁盘）后重新运行。"
    )


# --- kill -9 mid-run --------------------------------------------------------------------------------


def big_edition(folder: Path, winners: int = 150) -> Path:
    """The minimal edition with ``winners`` winners and no photos: a run of a few seconds."""
    path = copy_edition(folder)
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("photos:\n")
    press = rest[rest.index("press:") :]
    lines = ["awards:"]
    for tier, code, first in (("一等奖", "A", 1), ("二等奖", "B", winners // 2 + 1)):
        lines += [f"  - name: {tier}", f"    code: {code}", "    winners:"]
        for n in range(first, first + winners // 2):
            lines += [f"      - unit: 第{n}单位工会", f"        activity: 活动{n}"]
    path.write_text(head + "\n".join(lines) + "\n" + press, encoding="utf-8")
    return path


def staged(work: Path, pattern: str) -> list[Path]:
    """In the staging folder, or in it renamed for the swap (then it holds either set)."""
    return sorted([*work.glob(f".out.staging-*/{pattern}"), *work.glob(f".out.swap-*/{pattern}")])


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "rendering (scratch folder made)": lambda work: any(work.glob(".out.scratch-*")),
    "half the certificates staged": lambda work: len(staged(work, "certificates/*.pdf")) >= 75,
    # The new manifest is staged milliseconds before the swap, and after it the swap folder holds
    # the previous set while it is removed: in practice this kill lands just after the swap, and
    # the next run must remove that set by its manifest (carry.discard), not wholesale.
    "at the swap (a manifest in the staging or swap folder)": lambda work: bool(
        staged(work, "manifest.json")
    ),
}


@pytest.mark.slow
def test_kill_9_mid_run_leaves_the_previous_outputs_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    out = work / "out"
    generate.generate(MINIMAL, out)

    def outputs() -> dict[str, bytes | None]:
        return {k: v for k, v in tree(work).items() if k == "out" or k.startswith("out/")}

    before = outputs()
    edition = big_edition(tmp_path / "big")
    for point, reached in KILL_POINTS.items():
        for _attempt in range(5):
            proc = subprocess.Popen(
                [sys.executable, "-m", "docgen", "generate", str(edition), "-o", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(reached, work, proc, point)
            finally:
                proc.kill()
                proc.wait()
            if proc.returncode == -9:
                break
            # The swap is milliseconds long: on a busy machine the run may finish between two
            # looks. Then its new set must be whole, and the kill is tried again from there.
            assert proc.returncode == 0 and point.startswith("at the swap"), point
            assert_whole_but(out)
            before = outputs()
        else:
            pytest.fail(f"{point}: the run ended before it was killed, five times")
        now = outputs()
        if now != before and point.startswith("at the swap"):
            assert_whole_but(out)  # the previous set, or the new one whole: never a mix
        else:
            assert now == before, point
    assert any(p.name.startswith(".out.") for p in work.iterdir())  # the kills left their folders
    result = run_cli("generate", str(MINIMAL), "-o", str(out), "--only", "report")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in work.iterdir()] == ["out"]  # every leftover removed
    assert_whole_but(out)


def wait_for(
    reached: Callable[[Path], bool], work: Path, proc: subprocess.Popen[bytes], what: str
) -> None:
    """Until ``reached(work)`` or the run ends, looking every 5 ms."""
    deadline = time.monotonic() + 120
    while not reached(work) and proc.poll() is None:
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.005)


def test_a_set_moved_aside_by_a_killed_run_is_put_back_before_anything_else(
    tmp_path: Path,
) -> None:
    """Killed between the two renames of the non-Linux swap: only `.out.old-<pid>` is left. The
    next run restores it first, so the no-clobber checks see it (here: an edited report)."""
    out = tmp_path / "out"
    generate.generate(MINIMAL, out, only=["report"])
    with (out / "report.docx").open("ab") as fh:
        fh.write(b"edited")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    out.rename(tmp_path / f".out.old-{int(dead.stdout)}")
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out, only=["report"])
    assert [p.location.file for p in info.value.problems] == [out / "report.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# --- never clobber the user's work ------------------------------------------------------------------


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first") / "out"
    generate.generate(MINIMAL, out)
    return out


@pytest.fixture
def out(first: Path, tmp_path: Path) -> Path:
    """A fresh copy of a docgen output folder for each test."""
    target = tmp_path / "out"
    shutil.copytree(first, target)
    return target


def refused(out: Path, **kwargs: Any) -> list[str]:
    """Generate into ``out`` expecting a refusal: the located messages, the folder untouched."""
    before = tree(out.parent)
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out, **kwargs)
    assert tree(out.parent) == before
    return [str(p) for p in info.value.problems] or [info.value.text]


def edit(path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(b"\0")


def shown(path: Path) -> str:
    return display_path(path)


EDITED = (
    "上次生成后被修改过（与 manifest.json 记录的不一致），重新生成会覆盖这些修改。"
    "要保留修改：先把它移出这个文件夹，或改个名字；不要这些修改：加 --force 重新运行。"
)


@pytest.mark.usefixtures("no_render")
def test_an_edited_output_is_not_overwritten(out: Path) -> None:
    edit(out / "report.docx")
    assert refused(out) == [f"{shown(out / 'report.docx')}: {EDITED}"]


@pytest.mark.usefixtures("no_render")
@pytest.mark.parametrize(
    "kwargs",
    [{"only": ["report"]}, {"options": Options(winner="QYB-2024-3-B01")}],
    ids=["--only report", "--winner"],
)
def test_edited_files_carried_over_count_too(out: Path, kwargs: dict[str, Any]) -> None:
    """Carried over, the edit would enter the new manifest as docgen's, and be lost next time."""
    edit(out / "certificates" / "2-乙单位工会-二等奖.pdf")
    edit(out / "press-release" / "index.html")
    assert refused(out, **kwargs) == [
        f"{shown(out / 'certificates' / '2-乙单位工会-二等奖.pdf')}: {EDITED}",
        f"{shown(out / 'press-release' / 'index.html')}: {EDITED}",
    ]


@pytest.mark.usefixtures("no_render")
@pytest.mark.parametrize(
    ("document", "lock", "app"),
    [
        ("report.docx", "~$port.docx", "Word"),  # Word's form for longer names
        ("report.docx", "~$report.docx", "Word"),  # short names, and WPS
        ("report.docx", ".~lock.report.docx#", "Word"),  # LibreOffice
        ("certificates-register.xlsx", "~$certificates-register.xlsx", "Excel"),
    ],
)
def test_an_output_open_in_word_is_not_overwritten(
    out: Path, document: str, lock: str, app: str
) -> None:
    (out / lock).write_bytes(b"\x05owner")
    assert refused(out) == [
        f"{shown(out / document)}: 正在 {app} 中打开（旁边有 {app} 的锁文件 {lock}）。"
        f"请在 {app} 中关闭它后重新运行；如果 {app} 已经关闭，这个锁文件是 {app} 异常退出时留下的："
        "删除它，或加 --force 重新运行。"
    ]


def test_a_file_opened_in_word_during_the_run_stops_the_swap(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked again just before the swap: a long run gives the office time to open a file."""
    real = OUTPUTS["report"]

    def render(run: Run) -> Iterator[Artifact]:
        (out / "~$port.docx").write_bytes(b"owner")
        yield from real(run)

    monkeypatch.setitem(OUTPUTS, "report", render)
    before = tree(out)
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out, only=["report"])
    assert [p.location.file for p in info.value.problems] == [out / "report.docx"]
    assert {k: v for k, v in tree(out).items() if k != "~$port.docx"} == before
    assert [p.name for p in out.parent.iterdir()] == ["out"]


IN_USE = (
    "无法替换 {path}：有文件正被其他程序占用（如在 Word、WPS 或 PDF 阅读器中打开着）。"
    "请关闭后重新运行；之前生成的文件保持原样。"
)


@pytest.mark.parametrize("swap", ["exchange", "renames"])
def test_a_folder_that_cannot_be_replaced_is_left_as_it_was(
    out: Path, monkeypatch: pytest.MonkeyPatch, swap: str
) -> None:
    """Windows (and WSL on /mnt/c) refuses to rename a folder while a file in it is open."""

    def denied(a: Path, b: Path) -> bool:
        raise PermissionError(errno.EACCES, "Permission denied", str(b))

    real_rename = os.rename

    def rename(src: Any, dst: Any, *args: Any) -> None:
        if Path(src) == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        real_rename(src, dst, *args)

    if swap == "exchange":
        monkeypatch.setattr(disk, "exchange", denied)
    else:
        monkeypatch.setattr(disk, "exchange", lambda a, b: False)
        monkeypatch.setattr(os, "rename", rename)
    before = tree(out.parent)
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out, only=["report"])
    assert info.value.text == IN_USE.format(path=shown(out))
    assert tree(out.parent) == before


def test_force_overwrites_edited_and_open_files(out: Path, first: Path) -> None:
    edit(out / "report.docx")
    (out / "~$port.docx").write_bytes(b"owner")
    generate.generate(MINIMAL, out, only=["report"], options=Options(force=True))
    assert (out / "report.docx").read_bytes() == (first / "report.docx").read_bytes()
    assert (out / "~$port.docx").read_bytes() == b"owner"  # Word's file, not ours to delete
    assert_whole_but(out, "~$port.docx")


def test_a_renamed_edited_copy_is_kept_as_the_message_advises(out: Path) -> None:
    edit(out / "report.docx")
    (out / "report.docx").rename(out / "report-修改版.docx")
    (out / "我的文件夹").mkdir()
    (out / "我的文件夹" / "笔记.txt").write_text("留着", encoding="utf-8")
    edited = (out / "report-修改版.docx").read_bytes()
    generate.generate(MINIMAL, out)
    assert (out / "report-修改版.docx").read_bytes() == edited
    assert (out / "我的文件夹" / "笔记.txt").read_text(encoding="utf-8") == "留着"
    assert (out / "report.docx").is_file()
    assert_whole_but(out, "report-修改版.docx", "我的文件夹/笔记.txt")


FOREIGN = (
    "这个文件夹里已有文件，但没有 docgen 的 manifest.json，不是 docgen 生成的输出文件夹，"
    "其中同名的文件会被覆盖。请用 -o 指定一个新的或空的文件夹；确定要写在这里，加 --force 重新运行。"
)


def test_a_folder_docgen_did_not_make_is_not_written_into(tmp_path: Path) -> None:
    out = tmp_path / "文档"
    out.mkdir()
    (out / "report.docx").write_bytes(b"the office's own report")
    (out / "其他.txt").write_text("别的东西", encoding="utf-8")
    assert refused(out) == [f"{shown(out)}: {FOREIGN}"]
    generate.generate(MINIMAL, out, only=["report"], options=Options(force=True))
    assert (out / "其他.txt").read_text(encoding="utf-8") == "别的东西"
    assert (out / "report.docx").read_bytes() != b"the office's own report"


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    generate.generate(MINIMAL, out, only=["report"])
    assert (out / "report.docx").is_file()


@pytest.mark.slow
def test_cli_refuses_with_exit_1_and_force_overwrites_with_exit_0(out: Path) -> None:
    edit(out / "report.docx")
    (out / "~$port.docx").write_bytes(b"owner")
    refused_run = run_cli("generate", str(MINIMAL), "-o", str(out), "--only", "report")
    assert refused_run.returncode == 1
    stderr = "".join(refused_run.stderr.split())
    assert "report.docx:上次生成后被修改过" in stderr
    assert "report.docx:正在Word中打开（旁边有Word的锁文件~$port.docx）" in stderr
    assert "发现2个错误；没有生成任何文件。" in stderr
    assert "Traceback" not in stderr
    forced = run_cli("generate", str(MINIMAL), "-o", str(out), "--only", "report", "--force")
    assert forced.returncode == 0, forced.stderr
    assert_whole_but(out, "~$port.docx")


def test_help_lists_force(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["generate", "--help"])
    assert "--force" in capsys.readouterr().out
