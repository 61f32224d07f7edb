"""The only module that writes outputs: artifacts stream into a staging folder next to the output
folder, and the staging folder replaces it only when every artifact succeeded (manifest last).

A failure, a full disk or a killed process therefore never leaves half an output folder and never
destroys the previous one; leftovers of a killed run are removed by the next one. Files the user
changed or has open are not replaced (guard.py); the system calls themselves are in disk.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import disk, guard
from .artifacts import Artifact
from .errors import DocgenError, display_path

MANIFEST = guard.MANIFEST
DISK_FULL_MESSAGE = (
    "磁盘已满，无法写入{where}。之前生成的文件保持原样；"
    "请清理出空间（或用 -o 把输出放到空间充足的磁盘）后重新运行。"
)


@dataclass
class Written:
    """What one run wrote: each file with its output, size and sha256."""

    folder: Path
    files: list[dict[str, Any]] = field(default_factory=list)

    def by_output(self) -> dict[str, tuple[int, int]]:
        """output → (file count, total bytes)."""
        totals: dict[str, tuple[int, int]] = {}
        for f in self.files:
            count, size = totals.get(f["output"], (0, 0))
            totals[f["output"]] = (count + 1, size + f["size"])
        return totals


def prepare(out: Path, force: bool) -> None:
    """Before rendering: ``out`` can be written, a killed run's leftovers are gone (a set it had
    moved aside is back), and no file the user changed or has open would be replaced."""
    check_writable(out)
    disk.remove_leftovers(out.absolute())
    guard.check(out.absolute(), force)


@contextlib.contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A private folder beside ``out`` for renderers' intermediate files: on the output's disk, so
    finished files move into staging by a rename, and removed like staging after a killed run."""
    folder = disk.beside(out.absolute(), "scratch")
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    manifest: dict[str, Any],
    force: bool = False,
) -> Written:
    """Write every (output, artifact) into ``out`` atomically.

    Files of outputs not in ``replaced`` (a ``--only`` run) are carried over from the previous
    folder unchanged, so regenerating the report keeps the certificates; so is every file the
    user put into the folder.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    disk.remove_leftovers(out)
    staging = disk.beside(out, "staging")
    try:
        files = _carry_over(out, staging, replaced)
        for output, artifact in artifacts:
            files[artifact.name] = _store(staging, output, artifact)
        written = Written(out, sorted(files.values(), key=lambda f: str(f["path"])))
        _write_manifest(staging, written.files, manifest)
        guard.check(out, force)  # again: a file may have been opened or edited while we rendered
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _store(staging: Path, output: str, artifact: Artifact) -> dict[str, Any]:
    target = guard.inside(staging, artifact.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # a file carried over from the previous run, now re-made
    if artifact.source is not None:
        disk.move(artifact.source, target)
    else:
        assert artifact.data is not None  # noqa: S101 - Artifact guarantees one of the two
        disk.create(target, [artifact.data])
    return {"path": artifact.name, "output": output, **guard.digest(target)}


def _carry_over(out: Path, staging: Path, replaced: set[str]) -> dict[str, dict[str, Any]]:
    """Into a new staging folder: docgen's files of the outputs this run does not re-make, and
    every file the user put into the output folder (kept, but not listed: they are not ours)."""
    staging.mkdir()
    ours = {e["path"]: e for e in guard.entries(guard.read_manifest(out) or {})}
    kept = {}
    for rel in _files(out):
        entry = ours.get(rel)
        if rel == MANIFEST or (entry is not None and entry.get("output") in replaced):
            continue
        target = guard.inside(staging, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        disk.link_or_copy(guard.inside(out, rel), target)
        if entry is not None:
            kept[rel] = {**entry, **guard.digest(target)}
    return kept


def _files(folder: Path) -> Iterator[str]:
    """Every file under ``folder`` as a relative posix path; symbolic links are not followed."""
    for root, dirs, names in os.walk(folder):
        links = [d for d in dirs if Path(root, d).is_symlink()]
        for name in sorted(names + links):
            yield PurePosixPath(Path(root, name).relative_to(folder)).as_posix()


def _write_manifest(staging: Path, files: list[dict[str, Any]], manifest: dict[str, Any]) -> None:
    outputs = sorted({f["output"] for f in files})
    data = {**manifest, "outputs": outputs, "files": files}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    disk.create(staging / MANIFEST, [text.encode("utf-8")])
    disk.fsync_dir(staging)


def _swap(staging: Path, out: Path) -> None:
    try:
        disk.swap(staging, out)
    except PermissionError as exc:  # Windows, or WSL on /mnt/c: a file in the folder is open
        raise guard.in_use(exc) from exc


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
