"""The one way docgen reads a file the office gave it: a regular file, opened without blocking,
read up to a cap, every failure a located Chinese message.

A path in an edition or config file may name a FIFO (``open`` would wait forever), a device such
as ``/dev/zero`` (endless), a folder, or a 2 GB file. ``read`` opens with ``O_NONBLOCK`` so a FIFO
cannot hang, checks with ``fstat`` *on the opened descriptor* that it is a regular file (no race
between the check and the read), and reads at most ``cap + 1`` bytes, whatever the file claims.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import DocgenError, Location, Problem

MB = 1024 * 1024
NAME_MAX = 255
"""Longest file or folder name in bytes (ext4, NTFS in UTF-16 units, most others)."""
PATH_MAX = 4096
"""Longest whole path in bytes that Linux accepts (Windows' long-path limit is higher)."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_WHY = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.ELOOP: "路径中的符号链接太多（可能是循环链接）",
}


def problem(path: Path, message: str, where: Location | None = None) -> Problem:
    """A problem about ``path``, located at ``where`` (the YAML line naming it) when given."""
    return Problem(where or Location(path), "", message)


def refuse(path: Path, message: str, where: Location | None = None) -> DocgenError:
    return DocgenError([problem(path, message, where)])


def name_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a file name on disk, judged on its text alone (or None).

    Asking the system about such a path (``exists``, ``is_file``, ``resolve``) raises
    ENAMETOOLONG instead of answering, so callers ask this first."""
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return f"文件名或文件夹名“{_cut(part)}”有 {size} 字节，超过上限 {NAME_MAX} 字节，请改短"
    if (size := len(os.fsencode(path))) >= PATH_MAX:
        return f"路径有 {size} 字节，超过上限 {PATH_MAX - 1} 字节，请把文件放到层级较浅的文件夹中"
    return None


def _cut(text: str, chars: int = 20) -> str:
    return text if len(text) <= chars else text[:chars] + "…"


def read(path: Path, cap: int, where: Location | None = None, what: str = "文件") -> bytes:
    """The bytes of the regular file ``path``; refused when it is anything else or over ``cap``.

    ``where`` locates the message (the line of the YAML or config file that names ``path``);
    without it, the message is located at ``path`` itself.
    """
    if why := name_problem(path):
        raise refuse(path, why, where)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise refuse(path, _os_message(exc, what), where) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse(path, f"{_kind(info.st_mode)}，不是普通文件，已拒绝读取", where)
        if info.st_size > cap:
            raise refuse(path, _too_big(what, info.st_size, cap), where)
        data = _read_fd(fd, cap + 1)
    except OSError as exc:
        raise refuse(path, _os_message(exc, what), where) from None
    finally:
        os.close(fd)
    if len(data) > cap:  # grew while being read, or a file system that lies about sizes
        raise refuse(path, _too_big(what, len(data), cap), where)
    return data


def read_text(path: Path, cap: int, where: Location | None = None, what: str = "文件") -> str:
    """Like ``read``, decoded as UTF-8 (with or without BOM); other encodings are located."""
    data = read(path, cap, where, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "文件不是 UTF-8 编码（可能是 GBK/ANSI），请在编辑器中“另存为”UTF-8 编码"
        raise refuse(path, hint, where or Location(path, line)) from None


def check(path: Path, cap: int, where: Location | None = None, what: str = "文件") -> None:
    """Refuse ``path`` as ``read`` would, without reading its content."""
    if why := name_problem(path):
        raise refuse(path, why, where)
    try:
        info = path.stat()
    except OSError as exc:
        raise refuse(path, _os_message(exc, what), where) from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse(path, f"{_kind(info.st_mode)}，不是普通文件，已拒绝读取", where)
    if info.st_size > cap:
        raise refuse(path, _too_big(what, info.st_size, cap), where)


def _read_fd(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, MB))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "这是一个文件夹"
    if stat.S_ISFIFO(mode):
        return "这是一个管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是一个设备文件"
    if stat.S_ISSOCK(mode):
        return "这是一个套接字"
    return "这是一个特殊文件"


def _too_big(what: str, size: int, cap: int) -> str:
    return f"{what}有 {_size(size)}，超过上限 {_size(cap)}，已拒绝"


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{max(n // 1024, 1)} KB"


def _os_message(exc: OSError, what: str) -> str:
    why = _WHY.get(exc.errno or 0)
    return why if why else f"无法读取{what}：{exc.strerror or exc}"
