"""What docgen wrote last time (manifest.json) against what is on disk now: never replace a file
the user changed, has open in Word, or put into the output folder themselves."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import DocgenError, Location, Problem, display_path, raise_if_errors

MANIFEST = "manifest.json"

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
IN_USE = (
    "无法替换 {path}：有文件正被其他程序占用（如在 Word、WPS 或 PDF 阅读器中打开着）。"
    "请关闭后重新运行；之前生成的文件保持原样。"
)


def check(out: Path, force: bool) -> None:
    """Refuse to replace ``out`` while it holds work of the user's, unless ``force``.

    Run before rendering and again just before the swap: a file edited, saved and closed in
    Word during a long run must not be swapped away either.
    """
    if force or not out.is_dir():
        return
    previous = read_manifest(out)
    if previous is None:
        raise_if_errors(_foreign(out))
        return
    # Every file counts, carried-over ones too: a carried-over edit would be recorded in the new
    # manifest as docgen's own, and the next full run would then overwrite it without a word.
    raise_if_errors([*_edited(out, previous), *_open_in_word(out)])


def in_use(exc: OSError) -> DocgenError:
    """Windows (and WSL on /mnt/c) refuses to rename a folder while a file in it is open."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else Path("输出文件夹")
    return DocgenError(IN_USE.format(path=display_path(where)))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def entries(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The manifest's file entries that are well formed; a hand-edited line is skipped, not trusted."""
    for entry in manifest.get("files", []):
        if isinstance(entry, dict) and _relative(entry.get("path")) is not None:
            yield entry


def inside(folder: Path, name: str) -> Path:
    rel = _relative(name)
    if rel is None:
        raise ValueError(f"artifact name must be a relative path inside the output: {name!r}")
    return folder.joinpath(*rel.parts)


def _relative(name: object) -> PurePosixPath | None:
    if not isinstance(name, str):
        return None
    rel = PurePosixPath(name)
    bad = rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in name
    return None if bad else rel


def digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return {"size": path.stat().st_size, "sha256": sha.hexdigest()}


def _edited(out: Path, previous: dict[str, Any]) -> Iterator[Problem]:
    for entry in entries(previous):
        path = inside(out, entry["path"])
        if path.is_file() and _changed(path, entry):  # a deleted file has nothing left to lose
            yield Problem(Location(path), "", EDITED)


def _changed(path: Path, entry: dict[str, Any]) -> bool:
    if path.stat().st_size != entry.get("size"):
        return True  # no need to read it
    return bool(digest(path)["sha256"] != entry.get("sha256"))


def _open_in_word(out: Path) -> Iterator[Problem]:
    for folder, _, names in os.walk(out):
        present = set(names)
        for name in sorted(present):
            lock = next((n for n in lock_files(name) if n in present), None)
            if lock is not None and not _is_lock(name):
                app = "Excel" if name.lower().endswith((".xlsx", ".csv")) else "Word"
                yield Problem(Location(Path(folder) / name), "", OPEN.format(app=app, lock=lock))


def lock_files(name: str) -> list[str]:
    """The owner files Word (and WPS, LibreOffice) create next to a document they have open.

    Word writes ``~$`` + the name, or for longer names ``~$`` in place of its first one or two
    characters (report.docx → ~$port.docx); LibreOffice writes ``.~lock.<name>#``.
    """
    forms = [f"~${name}", f"~${name[1:]}", f"~${name[2:]}", f".~lock.{name}#"]
    return [f for f in forms if f not in ("~$", "~$.")]


def _is_lock(name: str) -> bool:
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _foreign(out: Path) -> list[Problem]:
    if next(out.iterdir(), None) is None:
        return []  # an empty folder: nothing to lose
    return [Problem(Location(out), "", FOREIGN)]
