"""Runs and the office at the same time: files saved while docgen renders or swaps, a second run on
the same folder, and a randomised interleaving of both.

Each run is a thread the test moves on one pause point at a time (before each artifact, and at
the swap), so exactly one thing happens at a time, in an order the test chose: no sleeps, no luck.
Runs replay recorded artifacts (writer_replay), so an interleaving costs milliseconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from docgen import cli, disk, generate, guard, outdir
from docgen.errors import DocgenError, display_path
from docgen.writer import Written

from .conftest import MINIMAL
from .writer_replay import Recording, assert_whole_but, copy_edition, record, replay, tree

_here = threading.local()


class Actor:
    """One generate run in its own thread, moved on by ``step`` to its next pause point."""

    def __init__(self, call: Callable[[], Any], job: Job | None = None) -> None:
        self.job = job
        self._go = threading.Semaphore(0)
        self._parked = threading.Semaphore(0)
        self.outcome: Any = None
        self.done = False
        self.steps = 0
        self.where = "not started"
        self.at_swap: dict[str, bytes | None] = {}
        threading.Thread(target=self._main, args=(call,), daemon=True).start()

    def _main(self, call: Callable[[], Any]) -> None:
        _here.actor = self
        self._go.acquire()
        try:
            self.outcome = call()
        except BaseException as exc:  # judged by the test, in the test's thread
            self.outcome = exc
        self.done = True
        self._parked.release()

    def pause(self, where: str) -> None:
        self.where = where
        self._parked.release()
        self._go.acquire()

    def step(self) -> None:
        assert not self.done
        self.steps += 1
        self._go.release()
        assert self._parked.acquire(timeout=60), f"a run stuck after {self.where}"

    def until(self, where: str) -> None:
        while not self.done and self.where != where:
            self.step()

    def finish(self) -> Any:
        while not self.done:
            self.step()
        return self.outcome


def pause(where: str) -> None:
    actor = getattr(_here, "actor", None)
    if actor is not None:
        actor.pause(where)


class Editions:
    """The old and the new edition, what rendering each gave, and the old one's output folder,
    which each test starts from a copy of. (Not a dataclass: Hypothesis would print its bytes.)"""

    def __init__(self, old: Path, new: Path, recordings: dict[Path, Recording], first: Path):
        self.old, self.new, self.recordings, self.first = old, new, recordings, first

    def __repr__(self) -> str:
        return f"Editions({self.old}, {self.new})"


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Editions:
    base = tmp_path_factory.mktemp("editions")
    new = copy_edition(base / "new", ("甲单位工会", "丙单位工会"))
    first = base / "first"
    old_recording = record(MINIMAL, first)
    return Editions(MINIMAL, new, {MINIMAL: old_recording, new: record(new, base / "n")}, first)


@pytest.fixture
def paused(editions: Editions, monkeypatch: pytest.MonkeyPatch) -> Editions:
    """Runs replay, pausing before each artifact and at the swap."""
    install_pauses(monkeypatch, editions)
    return editions


def install_pauses(mp: pytest.MonkeyPatch, editions: Editions) -> None:
    replay(mp, editions.recordings, before_each=pause)
    real_swap = disk.swap

    def swap(staging: Path, out: Path) -> Any:
        actor = getattr(_here, "actor", None)
        if actor is not None:
            actor.at_swap = tree(out)
        pause("swap")
        return real_swap(staging, out)

    mp.setattr(disk, "swap", swap)


def start(
    editions: Editions, out: Path, edition: Path | None = None, job: Job | None = None, **kw: Any
) -> Actor:
    return Actor(lambda: generate.generate(edition or editions.old, out, **kw)[0], job)


def artifacts(editions: Editions, edition: Path, outputs: set[str]) -> dict[str, bytes]:
    rendered = editions.recordings[edition].rendered
    return {r.name: r.data for r in rendered if r.output in outputs}


def assert_holds(out: Path, files: dict[str, bytes]) -> None:
    assert {name: (out / name).read_bytes() for name in files} == files


# --- the office saves into the folder while a run renders or swaps ----------------------------------


def save_as(out: Path) -> tuple[str, bytes]:
    (out / "会议纪要-另存.docx").write_bytes(b"saved while docgen ran")
    return "会议纪要-另存.docx", b"saved while docgen ran"


def word_save(out: Path) -> tuple[str, bytes]:
    """Word saves to a temporary file and renames it over the document: a new file (inode)."""
    (out / "~WRL0001.tmp").write_bytes(b"version 2")
    (out / "~WRL0001.tmp").replace(out / "我的笔记.docx")
    return "我的笔记.docx", b"version 2"


def new_folder(out: Path) -> tuple[str, bytes]:
    (out / "新建文件夹" / "照片").mkdir(parents=True)
    (out / "新建文件夹" / "说明.txt").write_bytes(b"in a folder made during the run")
    return "新建文件夹/说明.txt", b"in a folder made during the run"


EDITS = {"Save As a new file": save_as, "Word saves the office's own file": word_save}
EDITS["a new folder, a file in it and an empty one"] = new_folder


@pytest.mark.parametrize("moment", ["rendering", "swap"])
@pytest.mark.parametrize("edit", EDITS)
def test_a_file_saved_during_the_run_is_kept(
    paused: Editions, tmp_path: Path, edit: str, moment: str
) -> None:
    """A "Save As" 3 s into a 6 s run was deleted: the office's files were carried into staging
    before rendering, and the folder swapped out was deleted whole."""
    out = tmp_path / "out"
    shutil.copytree(paused.first, out)
    (out / "我的笔记.docx").write_bytes(b"version 1")
    run = start(paused, out, paused.new)
    run.until("report.docx" if moment == "rendering" else "swap")
    name, data = EDITS[edit](out)
    assert isinstance(run.finish(), Written), run.outcome
    assert (out / name).read_bytes() == data
    assert_holds(out, artifacts(paused, paused.new, {"report", "press", "certificates"}))
    extra = {"我的笔记.docx", name} | ({"新建文件夹/照片"} if "folder" in edit else set())
    assert_whole_but(out, *(extra - {"新建文件夹/照片"}))
    assert (out / "新建文件夹" / "照片").is_dir() or "folder" not in edit
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_docgen_file_edited_at_the_swap_is_kept_under_another_name(
    paused: Editions, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Edited after the last check, just as the new set went in: not lost, not in its place, and
    the CLI says where it is."""
    out = tmp_path / "out"
    shutil.copytree(paused.first, out)
    run = Actor(lambda: cli.main(["generate", str(paused.new), "-o", str(out)]))
    run.until("swap")
    with (out / "report.docx").open("ab") as fh:
        fh.write(b"edited")
    edited = (out / "report.docx").read_bytes()
    assert run.finish() == 0
    assert (out / "report（保留）.docx").read_bytes() == edited
    assert_holds(out, artifacts(paused, paused.new, {"report"}))
    assert "".join(capsys.readouterr().err.split()) == (
        f"{display_path(out / 'report.docx')}:警告：生成即将完成时这个文件被修改或新存入，"
        "docgen没有覆盖它，改名为“report（保留）.docx”保留在输出文件夹里。"
    )


def test_a_file_saved_under_an_outputs_name_during_the_first_run_is_refused(
    paused: Editions, tmp_path: Path
) -> None:
    """An empty folder at the start, a report.docx of the office's at the end: not overwritten."""
    out = tmp_path / "out"
    out.mkdir()
    run = start(paused, out)
    run.until("certificates.pdf")
    (out / "report.docx").write_bytes(b"the office's report")
    error = run.finish()
    assert isinstance(error, DocgenError), error
    from docgen.carry import COLLISION

    assert [str(p) for p in error.problems] == [f"{display_path(out / 'report.docx')}: {COLLISION}"]
    assert tree(tmp_path) == {"out": None, "out/report.docx": b"the office's report"}


@pytest.mark.parametrize("kind", ["swap", "old"])
def test_a_killed_runs_swapped_out_set_keeps_the_offices_late_files(
    editions: Editions, tmp_path: Path, kind: str
) -> None:
    """Killed after the swap, before removing the previous set: the next run removes only what
    docgen wrote there (by its manifest) and moves a file saved during that run into the folder."""
    out = tmp_path / "out"
    shutil.copytree(editions.first, out)
    leftover = tmp_path / f".out.{kind}-{dead_pid()}"
    shutil.copytree(editions.first, leftover)
    (leftover / "certificates" / "迟到的文件.txt").write_bytes(b"saved during the killed run")
    generate.generate(MINIMAL, out, only=["report"])
    assert (out / "certificates" / "迟到的文件.txt").read_bytes() == b"saved during the killed run"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert_whole_but(out, "certificates/迟到的文件.txt")


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    return int(done.stdout)


# --- one run at a time ---------------------------------------------------------------------------------


def busy(out: Path) -> str:
    return f"{display_path(out)}: {outdir.BUSY}"


def test_a_second_run_on_the_same_folder_stops_with_a_message(
    paused: Editions, tmp_path: Path
) -> None:
    """A full run and an overlapping --only run left the old certificates under a manifest naming
    the new edition, and both exited 0. Now the second stops; the first finishes whole."""
    out = tmp_path / "out"
    shutil.copytree(paused.first, out)
    only = start(paused, out, paused.new, only=["report"])
    only.until("report.docx")  # it holds the folder, rendering
    full = start(paused, out, paused.new)
    error = full.finish()
    assert isinstance(error, DocgenError) and error.text == busy(out), error
    assert isinstance(only.finish(), Written)
    assert_holds(out, artifacts(paused, paused.new, {"report"}))
    assert_holds(out, artifacts(paused, paused.old, {"certificates", "press"}))
    assert isinstance(start(paused, out, paused.new).finish(), Written)  # free again
    assert_holds(out, artifacts(paused, paused.new, {"report", "press", "certificates"}))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@contextlib.contextmanager
def held_lock(out: Path) -> Iterator[None]:
    """The lock as another docgen process holds it: flock on .<out>.lock beside the folder."""
    with (out.parent / f".{out.name}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def test_the_cli_stops_with_exit_1_while_another_run_holds_the_folder(
    editions: Editions, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(editions.first, out)
    before = tree(out)
    with held_lock(out):
        assert cli.main(["generate", str(MINIMAL), "-o", str(out), "--only", "report"]) == 1
        assert cli.main(["check", str(MINIMAL)]) == 0  # check writes nothing: no lock needed
    stderr = "".join(capsys.readouterr().err.split())
    assert "".join(busy(out).split()) in stderr and "Traceback" not in stderr
    assert tree(out) == before
    # A lock file left behind (a killed run; or Windows, which cannot remove an open file) is free.
    assert cli.main(["generate", str(MINIMAL), "-o", str(out), "--only", "report"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# --- a randomised interleaving of runs and the office's edits ---------------------------------------


@dataclass(frozen=True)
class Job:
    edition: str
    only: tuple[str, ...] | None


JOBS = [Job("new", None), Job("old", ("report",)), Job("new", ("certificates",)), Job("old", None)]
ALL = ("report", "press", "certificates")
USER_FILES = ["笔记.txt", "资料/记录.docx", "另存为.docx"]


@dataclass
class Office:
    """What the office did, to check nothing of it was lost: files with their last content,
    folders, Word's lock file, and docgen's files it edited (runs must then refuse)."""

    out: Path
    files: dict[str, bytes] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)
    edited: dict[str, bytes] = field(default_factory=dict)
    word: bool = False
    saves: int = 0

    def act(self, op: str, n: int) -> None:
        name = USER_FILES[n % len(USER_FILES)]
        path = self.out / name
        self.saves += 1
        if op == "save":  # as Word does: a temporary file renamed over the document
            path.parent.mkdir(exist_ok=True)
            (path.parent / "~WRL.tmp").write_bytes(b"save %d" % self.saves)
            (path.parent / "~WRL.tmp").replace(path)
            self.files[name] = b"save %d" % self.saves
        elif op == "append" and name in self.files:
            with path.open("ab") as fh:
                fh.write(b"+")
            self.files[name] += b"+"
        elif op == "delete" and name in self.files:
            path.unlink()
            del self.files[name]
        elif op == "mkdir":
            (self.out / f"空文件夹{n}").mkdir(exist_ok=True)
            self.folders.add(f"空文件夹{n}")
        else:
            self.docgen_side(op)

    def docgen_side(self, op: str) -> None:
        if op == "word" and not self.word:
            (self.out / "~$port.docx").write_bytes(b"owner")
            self.word = True
        elif op == "unword" and self.word:
            (self.out / "~$port.docx").unlink()
            self.word = False
        elif op == "edit" and (self.out / "report.docx").exists():
            with (self.out / "report.docx").open("ab") as fh:
                fh.write(b"edited")
            self.edited["report.docx"] = (self.out / "report.docx").read_bytes()
        elif op == "rename edited" and "report.docx" in self.edited:  # as the refusal advises
            (self.out / "report.docx").rename(self.out / "report-修改版.docx")
            self.files["report-修改版.docx"] = self.edited.pop("report.docx")

    def assert_nothing_lost(self) -> None:
        for name, data in {**self.files, **self.edited}.items():
            stem, dot, suffix = Path(name).name.partition(".")
            versions = [
                self.out / name,
                *(self.out / name).parent.glob(f"{stem}（保留*）{dot}{suffix}"),
            ]
            assert data in [p.read_bytes() for p in versions if p.is_file()], name
        assert all((self.out / f).is_dir() for f in self.folders)
        assert (self.out / "~$port.docx").exists() == self.word


MESSAGES = (outdir.BUSY, guard.EDITED, "锁文件")


def judge(actor: Actor, office: Office, editions: Editions, others_running: bool) -> None:
    """A run that ended: refused for a reason of the office's (or the lock), or whole."""
    assert actor.job is not None
    outcome = actor.outcome
    event(f"a run ended: {type(outcome).__name__} {_reason(outcome)}")
    if isinstance(outcome, DocgenError):
        assert any(m in outcome.text for m in MESSAGES), outcome.text
        assert (outdir.BUSY in outcome.text) == others_running, outcome.text
        return
    assert isinstance(outcome, Written) and not others_running, outcome
    out, only = office.out, set(actor.job.only or ALL)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == getattr(editions, actor.job.edition).parent.name
    made = artifacts(editions, getattr(editions, actor.job.edition), only)
    assert_holds(out, {k: v for k, v in made.items() if k not in office.edited})
    for entry in manifest["files"]:  # what it carried is what the folder held at its swap
        if entry["output"] not in only and entry["path"] not in office.edited:
            assert (out / entry["path"]).read_bytes() == actor.at_swap[entry["path"]]


def _reason(outcome: object) -> str:
    if isinstance(outcome, Written):
        return "with files kept under another name" if getattr(outcome, "kept", ()) else ""
    text = str(outcome)
    return next((m[:12] for m in MESSAGES if m in text), text[:80])


OPS = ["start"] * 3 + ["step"] * 5 + ["save", "append", "delete", "mkdir", "word", "unword"]
OPS += ["unword", "edit", "rename edited", "rename edited"]


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 5)), min_size=10, max_size=40))
def test_runs_and_the_offices_edits_interleaved_at_random(
    editions: Editions, tmp_path_factory: pytest.TempPathFactory, program: list[tuple[str, int]]
) -> None:
    """Up to two runs (full and --only, old and new edition) and the office saving, appending,
    deleting, making folders, opening report.docx in Word and editing it, in any order. Each run
    ends refused for a reason the office can act on, or whole; nothing of the office's is lost;
    nothing but the output folder is left."""
    work = tmp_path_factory.mktemp("race")
    office = Office(work / "out")
    shutil.copytree(editions.first, office.out)
    actors: list[Actor] = []
    with pytest.MonkeyPatch.context() as mp:
        install_pauses(mp, editions)
        try:
            for op, n in program:
                interpret(op, n, actors, office, editions)
            for actor in actors:
                move(actor, actors, office, editions, to_the_end=True)
        finally:
            for actor in actors:  # no thread left waiting, even when the example failed
                with contextlib.suppress(AssertionError):
                    actor.finish()
    office.assert_nothing_lost()
    assert [p.name for p in work.iterdir()] == ["out"]


def interpret(op: str, n: int, actors: list[Actor], office: Office, editions: Editions) -> None:
    running = [a for a in actors if not a.done]
    if op == "start" and len(running) < 2:
        job = JOBS[n % len(JOBS)]
        only = list(job.only) if job.only else None
        edition = getattr(editions, job.edition)
        actors.append(start(editions, office.out, edition, job, only=only))
    elif op == "step" and running:
        for _ in range(1 + 3 * n):  # a run has about 17 pause points
            move(running[n % len(running)], actors, office, editions)
    elif op not in ("start", "step"):
        office.act(op, n)


def move(
    actor: Actor, actors: list[Actor], office: Office, editions: Editions, to_the_end: bool = False
) -> None:
    if actor.done:
        return
    others = any(a is not actor and a.steps and not a.done for a in actors)
    first = actor.steps == 0
    if to_the_end:
        actor.finish()
    else:
        actor.step()
    if actor.done:
        judge(actor, office, editions, others and first)
