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
from collections.abc import Iterable, Iterator
from pathlib import Path

DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
LEFTOVERS = ("staging", "scratch", "old", "tmp")
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


def swap(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is: one atomic exchange on Linux, two renames elsewhere.

    Nothing after the swap may fail: the new set is in place, and an error would claim otherwise.
    """
    if not out.exists():
        staging.rename(out)
    elif exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now the previous set; or the next run's
    else:
        _swap_by_renames(staging, out)
    fsync_dir(out.parent)


def _swap_by_renames(staging: Path, out: Path) -> None:
    old = beside(out, "old")
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)  # the previous set goes back; a kill right here is undone next run
        raise
    shutil.rmtree(old, ignore_errors=True)


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


def remove_leftovers(out: Path) -> None:
    """Clean up after runs that were killed (their process no longer exists).

    Staging, scratch and temporary files are discarded. A previous output set moved aside (killed
    between the two renames of the non-Linux swap) is put back if nothing replaced it.
    """
    prefix = f".{out.name}."
    for path in sorted(out.parent.glob(glob.escape(prefix) + "*-*")):
        kind, _, pid = path.name[len(prefix) :].rpartition("-")
        if kind not in LEFTOVERS or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not out.exists():
            path.rename(out)
        elif path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


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
