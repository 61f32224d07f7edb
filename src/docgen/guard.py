"""What docgen wrote last time (manifest.json) against what is on disk now: never replace a file
the user changed, has open in Word, or put into the output folder themselves."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import disk, manifest
from .errors import DocgenError, Location, Problem, display_path, raise_if_errors

MANIFEST = manifest.NAME

EDITED = (
    "上次生成后被修改过（与 manifest.json 记录的不一致），重新生成会覆盖这些修改。"
    "要保留修改：先把它移出这个文件夹，或改个名字；不要这些修改：加 --force 重新运行。"
)
OPEN = (
    "正在 {app} 中打开（旁边有 {app} 的锁文件 {lock}）。请在 {app} 中关闭它后重新运行；"
    "如果 {app} 已经关闭，这个锁文件是 {app} 异常退出时留下的：删除它，或加 --force 重新运行。"
)
FOREIGN = (
    "这个文件夹里已有文件，但没有 docgen 的 manifest.json，不是 docgen 生成的输出文件夹，"
    "其中同名的文件会被覆盖。请用 -o 指定一个新的或空的文件夹；确定要写在这里，加 --force 重新运行。"
)
LINKED = (
    "这是一个链接，指向 {target}。docgen 不会顺着输出文件夹里的链接去删改别处的文件，所以没有生成"
    "任何文件。请把它换成普通文件夹，或移出输出文件夹；加 --force 会用一个普通文件夹替换这个链接"
    "（链接指向的文件夹不受影响）。"
)
IN_USE = (
    "无法替换 {path}：有文件正被其他程序占用（如在 Word、WPS 或 PDF 阅读器中打开着）。"
    "请关闭后重新运行；之前生成的文件保持原样。"
)


def check(out: Path, previous: dict[str, Any] | None, force: bool, again: bool = False) -> None:
    """Refuse to replace ``out`` while it holds work of the user's, unless ``force``.

    ``previous`` is docgen's manifest in ``out`` (manifest.read), None for any other folder. Run
    before rendering and ``again`` just before the swap: a file edited, saved and closed in Word
    during a long run must not be swapped away either. Files new since the first check are no
    reason to refuse then: they are carried, and carry.over refuses one the new set would replace.
    """
    if force or not out.is_dir():
        return
    found = dict(disk.walk(out))
    problems = list(_linked_folders(out, found))
    if previous is None:
        problems += [] if again else _foreign(out, found)
    else:
        # Every file counts, carried-over ones too: a carried-over edit would be recorded in the
        # new manifest as docgen's own, and the next full run would overwrite it without a word.
        problems += [*_edited(out, previous, found), *_open_in_word(out, found)]
    raise_if_errors(problems)


Found = Mapping[tuple[str, ...], os.stat_result]


def in_use(exc: OSError) -> DocgenError:
    """Windows (and WSL on /mnt/c) refuses to rename a folder while a file in it is open."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else Path("输出文件夹")
    return DocgenError(IN_USE.format(path=display_path(where)))


def digest(path: Path) -> dict[str, Any]:
    """Size and sha256 of the regular file ``path``; a link or anything else matches no record."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return {"size": -1, "sha256": ""}
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return {"size": -1, "sha256": ""}
        sha = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
        return {"size": fh.tell(), "sha256": sha.hexdigest()}


def _linked_folders(out: Path, found: Found) -> Iterator[Problem]:
    for rel, info in found.items():
        path = out.joinpath(*rel)
        if stat.S_ISLNK(info.st_mode) and path.is_dir():
            yield Problem(Location(path), "", LINKED.format(target=path.readlink()))


def _edited(out: Path, previous: dict[str, Any], found: Found) -> Iterator[Problem]:
    for entry in manifest.entries(previous):
        rel = tuple(entry["path"].split("/"))
        info = found.get(rel)  # None: deleted, nothing left to lose (or behind a refused link)
        if info is not None and _changed(out.joinpath(*rel), info, entry):
            yield Problem(Location(out.joinpath(*rel)), "", EDITED)


def _changed(path: Path, info: os.stat_result, entry: dict[str, Any]) -> bool:
    if not stat.S_ISREG(info.st_mode) or info.st_size != entry["size"]:
        return True  # a link or folder in its place, or a new size: no need to read it
    return bool(digest(path)["sha256"] != entry["sha256"])


def _open_in_word(out: Path, found: Found) -> Iterator[Problem]:
    for rel in found:
        name = rel[-1]
        lock = next((n for n in lock_files(name) if (*rel[:-1], n) in found), None)
        if lock is not None and not _is_lock(name):
            app = "Excel" if name.lower().endswith((".xlsx", ".csv")) else "Word"
            yield Problem(Location(out.joinpath(*rel)), "", OPEN.format(app=app, lock=lock))


def lock_files(name: str) -> list[str]:
    """The owner files Word (and WPS, LibreOffice) create next to a document they have open.

    Word writes ``~$`` + the name, or for longer names ``~$`` in place of its first one or two
    characters (report.docx → ~$port.docx); LibreOffice writes ``.~lock.<name>#``.
    """
    forms = [f"~${name}", f"~${name[1:]}", f"~${name[2:]}", f".~lock.{name}#"]
    return [f for f in forms if f not in ("~$", "~$.")]


def _is_lock(name: str) -> bool:
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _foreign(out: Path, found: Found) -> list[Problem]:
    return [Problem(Location(out), "", FOREIGN)] if found else []  # empty: nothing to lose
