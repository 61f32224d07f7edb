"""The output folder itself: where it really is (a link to it resolved once), what it may not be
(a file, below a file, a mount point), its mode and group, and the lock that keeps one run at a time.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from . import userfiles
from .errors import DocgenError, Location, Problem

IS_FILE = (
    "这是一个文件，不是文件夹。-o 要指定一个文件夹，docgen 在里面生成报告、新闻稿和证书；"
    "这个文件没有改动。请换一个文件夹名。"
)
BELOW_FILE = "这是一个文件，不是文件夹，不能在它下面建立输出文件夹 {name}。请用 -o 指定一个文件夹。"
BROKEN_LINK = "这是一个失效的链接（指向的位置不存在）。请用 -o 指定一个文件夹。"
MOUNT = (
    "这是一个挂载点（另一块磁盘或网络共享的根），docgen 无法整体替换它，什么也没有生成。"
    "请用 -o 指定它里面的一个子文件夹，例如 {example}"
)
BUSY = (
    "另一个 docgen 正在生成到这个文件夹（可能是同事，或另一个窗口），这次没有生成任何文件。"
    "请等它结束后重新运行。"
)
GROUP = (
    "这个文件夹属于用户组 {gid}，而当前用户不在这个组里：重新生成后它会换成别的用户组，"
    "组里的同事可能无法再访问。请让管理员把你加入这个组，或用 -o 另选一个文件夹。"
)


def resolve(out: Path) -> Path:
    """``out`` as docgen writes it: absolute and, when ``out`` itself is a link, its target (once,
    now: the staging folder then sits beside the target, on its disk). Refused when unusable."""
    path = out.absolute()
    if path.is_symlink() and path.exists():
        path = Path(os.path.realpath(path))
    if found := problem(path):
        raise DocgenError([found])
    return path


def problem(path: Path) -> Problem | None:
    """Why ``path`` cannot be an output folder (a file, below a file, a mount point), or None."""
    for at in (path, *path.parents):
        if not os.path.lexists(at):
            continue
        if not at.is_dir():
            why = IS_FILE if at == path else BELOW_FILE.format(name=path.name)
            return Problem(Location(at), "", BROKEN_LINK if not at.exists() else why)
        if at == path and _is_mount(path):
            return Problem(Location(path), "", MOUNT.format(example=path / "docgen"))
        return None
    return None


def _is_mount(path: Path) -> bool:
    return os.path.ismount(path) or os.path.realpath(path) in _mount_points()


def _mount_points() -> set[str]:
    """Linux's list, which also has bind mounts (``ismount`` sees only a change of device)."""
    try:
        table = userfiles.read(Path("/proc/self/mountinfo"), 16 * userfiles.MB)
    except DocgenError:
        return set()
    fields = (line.split() for line in os.fsdecode(table).splitlines())
    return {_unescape(f[4]) for f in fields if len(f) > 4}


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    for code in ("\\040", "\\011", "\\012", "\\134"):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field


def mount_refusal(out: Path) -> DocgenError:
    """The swap found ``out`` busy: a mount point (a bind mount) that ``problem`` could not see."""
    return DocgenError([Problem(Location(out), "", MOUNT.format(example=out / "docgen"))])


def check_group(out: Path) -> None:
    """The new folder can carry ``out``'s group only if this user may give it that group."""
    gid = out.stat().st_gid if out.is_dir() else None
    if gid is None or not hasattr(os, "getgroups") or os.geteuid() == 0:
        return
    if gid not in {os.getegid(), *os.getgroups()}:
        raise DocgenError([Problem(Location(out), "", GROUP.format(gid=gid))])


def copy_attributes(info: os.stat_result, target: Path, writable: bool = False) -> None:
    """The mode (setgid too) and group of the folder ``target`` stands in for (``info``); while
    docgen still fills ``target``, ``writable`` keeps it open to its owner. Group first: changing
    it may clear the setgid bit."""
    if hasattr(os, "chown") and info.st_gid != target.stat().st_gid:
        os.chown(target, -1, info.st_gid)
    target.chmod(stat.S_IMODE(info.st_mode) | (stat.S_IRWXU if writable else 0))


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``.<out>.lock`` beside ``out`` for the whole run; a second run stops at once.

    The file is removed at the end, while still locked; a run that locked a file removed that way
    sees it is no longer the one at that path and tries again (at most a few times).
    """
    path = out.parent / f".{out.name}.lock"
    fd = _acquire(path, out)
    try:
        yield
    finally:
        _release(fd, path)


def _release(fd: int, path: Path) -> None:
    """Removed while still held on POSIX; Windows removes no open file, so there it is closed
    (unlocked) first, and a run that opened it meanwhile keeps it."""
    if sys.platform == "win32":
        os.close(fd)
    with contextlib.suppress(OSError):
        path.unlink()
    if sys.platform != "win32":
        os.close(fd)  # closing releases the lock


def _acquire(path: Path, out: Path) -> int:
    for _ in range(5):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        if _lock(fd) and _same_file(fd, path):
            return fd
        os.close(fd)
        if path.exists():  # locked by a run in progress, not just removed by one that ended
            break
    raise DocgenError([Problem(Location(out), "", BUSY)])


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


def _lock(fd: int) -> bool:
    """A non-blocking exclusive lock: flock on POSIX (per open file, so threads conflict too);
    msvcrt's byte lock on Windows."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
