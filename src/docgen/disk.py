"""The system calls behind writer.py: new files flushed to the disk, moves and links, the atomic
folder swap, and removing what a killed run left beside the output folder.

Every byte goes through os.open/os.write/os.fsync and every move through os.rename (Path.rename)
or renameat2: the calls tests/test_writer_faults.py makes fail one after another.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import glob
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
LEFTOVERS = ("staging", "swap", "scratch", "old", "tmp")
"""staging and scratch hold docgen's files only (and links to the office's); swap and old may
hold a set that was swapped out, with files the office saved during the run."""
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def create(target: Path, blocks: Iterable[bytes]) -> None:
    """A new file, on the disk before this returns: every byte the writer stores goes through here."""
    fd = os.open(target, _NEW_FILE, 0o666)
    try:
        for block in blocks:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        yield from iter(lambda: fh.read(1 << 20), b"")


def move(source: Path, target: Path) -> None:
    try:
        source.rename(target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        create(target, blocks(source))  # the renderer left it on another disk
        return
    _fsync(target)  # renderers write without flushing; the swap must not outrun the data


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def link_or_copy(source: Path, target: Path) -> None:
    if source.is_symlink():
        target.symlink_to(source.readlink())
        return
    try:
        os.link(source, target)  # outputs are never modified in place, so sharing is safe
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise
        create(target, blocks(source))  # no hard links here (FAT, exFAT, some network shares)


def swap(staging: Path, out: Path) -> Path | None:
    """Put ``staging`` where ``out`` is: one atomic exchange on Linux, two renames elsewhere.
    Returns where the previous set now is, for the caller to remove with care (or None).

    Nothing after the swap may fail: the new set is in place, and an error would claim otherwise.
    """
    previous: Path | None = staging
    if not out.exists():
        staging.rename(out)
        previous = None
    elif not exchange(staging, out):
        previous = _swap_by_renames(staging, out)
    fsync_dir(out.parent)
    return previous


def _swap_by_renames(staging: Path, out: Path) -> Path:
    old = beside(out, "old")
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)  # the previous set goes back; a kill right here is undone next run
        raise
    return old


def exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders in one step. False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if os.name != "posix" or not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def beside(out: Path, kind: str) -> Path:
    """This run's ``kind`` of leftover for ``out``: hidden, next to it, named by our process id."""
    return out.parent / f".{out.name}.{kind}-{os.getpid()}"


def remove_leftovers(out: Path, settle: Callable[[Path], object] | None = None) -> None:
    """Clean up after runs that were killed (their process no longer exists).

    Staging, scratch and temporary files are discarded. A previous output set moved aside (killed
    between the two renames of the non-Linux swap) is put back if nothing replaced it; otherwise
    it, and any swap folder, goes to ``settle``, which removes only what docgen wrote or carried.
    """
    prefix = f".{out.name}."
    for path in sorted(out.parent.glob(glob.escape(prefix) + "*-*")):
        kind, _, pid = path.name[len(prefix) :].rpartition("-")
        if kind not in LEFTOVERS or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not out.exists():
            path.rename(out)
        elif not path.is_dir() or path.is_symlink():
            path.unlink(missing_ok=True)
        elif kind in ("staging", "scratch"):
            remove_tree(path)
        elif settle is not None:
            settle(path)


def open_folders(folder: Path) -> dict[tuple[str, ...], os.stat_result]:
    """Make every folder under ``folder`` (and itself) writable by its owner, so what is in it can
    be removed: a read-only folder of the office's is carried with its mode. Returns each folder's
    lstat from before; best effort (a folder of another owner stays as it is)."""
    found: dict[tuple[str, ...], os.stat_result] = {}
    if folder.is_dir() and not folder.is_symlink():
        found[()] = os.lstat(folder)
    found.update((rel, info) for rel, info in walk(folder) if stat.S_ISDIR(info.st_mode))
    for rel, info in found.items():
        with contextlib.suppress(OSError):
            folder.joinpath(*rel).chmod(stat.S_IMODE(info.st_mode) | stat.S_IRWXU)
    return found


def remove_tree(folder: Path) -> None:
    """A folder docgen made (staging, scratch) and all in it, whatever modes it carried over."""
    with contextlib.suppress(OSError):
        open_folders(folder)
    shutil.rmtree(folder, ignore_errors=True)


def walk(folder: Path) -> Iterator[tuple[tuple[str, ...], os.stat_result]]:
    """Every entry under ``folder`` with its lstat, folders before their contents, sorted by name.
    Links are reported, never followed: nothing outside ``folder`` is visited."""
    pending: list[tuple[str, ...]] = [()]
    while pending:
        rel = pending.pop()
        below = []
        for name in _names(folder.joinpath(*rel)):
            info = lstat_or_none(folder.joinpath(*rel, name))
            if info is None:
                continue  # removed by the office while we looked
            yield (*rel, name), info
            if stat.S_ISDIR(info.st_mode):
                below.append((*rel, name))
        pending.extend(reversed(below))


def _names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as scan:
            return sorted(entry.name for entry in scan)
    except (FileNotFoundError, NotADirectoryError):
        return []


def lstat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
