"""The only module that writes outputs: artifacts stream into a staging folder next to the output
folder, and the staging folder replaces it only when every artifact succeeded (manifest last).

A failure, a full disk or a killed process therefore never leaves half an output folder and never
destroys the previous one; leftovers of a killed run are removed by the next one. Files the user
changed or has open are not replaced (guard.py); the system calls themselves are in disk.py.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import aside, carry, disk, guard, manifest, outdir
from .artifacts import Artifact
from .errors import DocgenError, Problem, display_path, raise_if_errors

MANIFEST = manifest.NAME
DISK_FULL_MESSAGE = (
    "磁盘已满，无法写入{where}。之前生成的文件保持原样；"
    "请清理出空间（或用 -o 把输出放到空间充足的磁盘）后重新运行。"
)


@dataclass
class Written:
    """What one run wrote: each file with its output, size and sha256."""

    folder: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    kept: list[Problem] = field(default_factory=list)
    """Files the office saved while the swap ran, kept under another name (warnings)."""

    def by_output(self) -> dict[str, tuple[int, int]]:
        """output → (file count, total bytes)."""
        totals: dict[str, tuple[int, int]] = {}
        for f in self.files:
            count, size = totals.get(f["output"], (0, 0))
            totals[f["output"]] = (count + 1, size + f["size"])
        return totals


@contextlib.contextmanager
def session(out: Path, force: bool) -> Iterator[Path]:
    """The run's hold on its output folder, taken before rendering: the folder as it really is
    (outdir.resolve), locked against a second run, a killed run's leftovers gone (a set it had
    moved aside is back), and no file the user changed or has open about to be replaced."""
    folder = outdir.resolve(out)
    check_writable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with outdir.locked(folder):
        disk.remove_leftovers(folder, lambda leftover: aside.remove(leftover, folder, {}))
        outdir.check_group(folder)
        guard.check(folder, manifest.read(folder), force)
        yield folder


@contextlib.contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A private folder beside ``out`` for renderers' intermediate files: on the output's disk, so
    finished files move into staging by a rename, and removed like staging after a killed run."""
    folder = disk.beside(out.absolute(), "scratch")
    _make_beside(out, folder)  # big files are finished here: they take the folder's group too
    try:
        yield folder
    finally:
        disk.remove_tree(folder)


@contextlib.contextmanager
def disk_full_explained(out: Path) -> Iterator[None]:
    """A full disk reaches the user as a message saying so, not as a traceback."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in disk.DISK_FULL:
            raise
        raise disk_full(out.absolute().parent) from exc


def disk_full(folder: Path | None) -> DocgenError:
    where = f" {display_path(folder)}" if folder is not None else "文件"
    return DocgenError(DISK_FULL_MESSAGE.format(where=where))


def write(
    artifacts: Iterable[tuple[str, Artifact]],
    out: Path,
    replaced: set[str],
    metadata: dict[str, Any],
    force: bool = False,
) -> Written:
    """Write every (output, artifact) into ``out`` (a folder ``session`` holds) atomically.

    Files of outputs not in ``replaced`` (a ``--only`` run) are carried over from the previous
    folder unchanged, so regenerating the report keeps the certificates; so is every file and
    folder the user put into the folder, up to the swap.
    """
    staging, swapping = disk.beside(out, "staging"), disk.beside(out, "swap")
    seen: dict[carry.Rel, carry.Identity | None] = {}
    try:
        _make_beside(out, staging)
        files = {a.name: _store(staging, output, a) for output, a in artifacts}
        written, seen = _complete(out, staging, files, replaced, metadata, force)
        staging.rename(swapping)  # from here on it holds the office's files too: see aside.remove
        previous = _swap(swapping, out)
    except BaseException:
        disk.remove_tree(staging)
        aside.remove(swapping, out, seen)
        raise
    if previous is not None:
        written.kept = aside.remove(previous, out, seen)
    return written


def _make_beside(out: Path, folder: Path) -> None:
    """Made with the output folder's group (and mode, open to its owner until carry.seal) before
    any file, so every file docgen writes takes the group, as the office's files there do."""
    folder.mkdir()
    if out.is_dir():
        outdir.copy_attributes(out.stat(), folder, writable=True)


def _complete(
    out: Path,
    staging: Path,
    files: dict[str, dict[str, Any]],
    replaced: set[str],
    metadata: dict[str, Any],
    force: bool,
) -> tuple[Written, dict[carry.Rel, carry.Identity | None]]:
    """After rendering, what the office did to the folder meanwhile counts: checked again (a file
    edited or opened in Word), then carried in, then the manifest, last."""
    previous = manifest.read(out)
    guard.check(out, previous, force, again=True)
    carried = carry.over(out, staging, previous, replaced, force)
    raise_if_errors(carried.problems)
    written = Written(out, sorted({**carried.kept, **files}.values(), key=lambda f: f["path"]))
    disk.create(staging / MANIFEST, [manifest.text(metadata, written.files)])
    disk.fsync_dir(staging)
    carry.seal(staging, {**carried.folders, **({(): out.stat()} if out.is_dir() else {})})
    return written, carried.seen


def _store(staging: Path, output: str, artifact: Artifact) -> dict[str, Any]:
    target = manifest.inside(staging, artifact.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    if artifact.source is not None:
        disk.move(artifact.source, target)
    else:
        assert artifact.data is not None  # noqa: S101 - Artifact guarantees one of the two
        disk.create(target, [artifact.data])
    return {"path": artifact.name, "output": output, **guard.digest(target)}


def _swap(swapping: Path, out: Path) -> Path | None:
    try:
        return disk.swap(swapping, out)
    except PermissionError as exc:  # Windows, or WSL on /mnt/c: a file in the folder is open
        raise guard.in_use(exc) from exc
    except OSError as exc:
        if exc.errno == errno.EBUSY:  # a mount point resolve() could not see (a bind mount)
            raise outdir.mount_refusal(out) from exc
        raise


def check_writable(out: Path) -> None:
    """Fail early, before any rendering, when the output folder's parent cannot be written."""
    parent = out.absolute().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():  # -o under a file: mkdir would fail with a traceback
        raise DocgenError(f"无法写入输出文件夹 {parent}：{probe} 是文件，不是文件夹")
    if not os.access(probe, os.W_OK):
        raise DocgenError(f"无法写入输出文件夹 {parent}：没有写权限")


def write_file(target: Path, data: bytes) -> Path:
    """One file, written whole or not at all (a temporary file beside it, then renamed)."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    disk.remove_leftovers(target)
    temp = disk.beside(target, "tmp")
    try:
        with disk_full_explained(target):
            disk.create(temp, [data])
            temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
