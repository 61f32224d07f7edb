"""The set a swap put aside (or a killed run left beside the output folder) removed only as far as
docgen wrote it or carried it: a file the office saved there meanwhile is moved into the output.

Accounted for, and removed: what carry.over saw (same identity), a hard link of a file still in
the output folder, a file docgen's own manifest there lists with its hash, or the same bytes as
the output folder's file of that name. Anything else is the office's, and kept.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from . import guard, manifest
from .carry import Identity, Rel, folder, identity, seal
from .disk import lstat_or_none, open_folders, walk
from .errors import Location, Problem, Severity

RESCUED = (
    "生成即将完成时这个文件被修改或新存入，docgen 没有覆盖它，改名为“{name}”保留在输出文件夹里。"
)


def remove(old: Path, out: Path, seen: Mapping[Rel, Identity | None]) -> list[Problem]:
    """Remove ``old``, the set ``out`` replaced, or a killed run's folder: only what docgen wrote
    or carried. Anything else (saved while the swap ran) moves into ``out``; a name taken there
    gets ``（保留）``, returned as warnings. Never raises: the run has already succeeded."""
    judge = _Judge(old, out, seen)
    with contextlib.suppress(OSError):
        judge.infos = open_folders(old)  # a read-only folder of the office's: emptied all the same
    for rel, info in reversed(list(walk(old))):  # children before their folder
        with contextlib.suppress(OSError):  # left where it is; the next run tries again
            judge.settle(rel, info)
    with contextlib.suppress(OSError):
        old.rmdir()
    with contextlib.suppress(OSError):
        seal(out, judge.made)
    return judge.warnings


class _Judge:
    """Decides, entry by entry of ``old``, whether it is accounted for or must be kept."""

    def __init__(self, old: Path, out: Path, seen: Mapping[Rel, Identity | None]) -> None:
        self.old, self.out, self.seen = old, out, seen
        self.listed = {_rel(e["path"]): e for e in manifest.entries(manifest.read(old))}
        self.current = {_rel(e["path"]) for e in manifest.entries(manifest.read(out))}
        self.infos: dict[Rel, os.stat_result] = {}
        self.made: dict[Rel, os.stat_result] = {}
        self.warnings: list[Problem] = []

    def settle(self, rel: Rel, info: os.stat_result) -> None:
        path = self.old.joinpath(*rel)
        if stat.S_ISDIR(info.st_mode):
            if not self._folder_accounted(rel):
                folder(self.infos, self.out, rel, self.made, adopt=False)  # made at the swap
            with contextlib.suppress(OSError):  # not empty: something in it could not move
                path.rmdir()
        elif self._accounted(rel, path, info):
            path.unlink()
        else:
            self._keep(rel, path, info)

    def _folder_accounted(self, rel: Rel) -> bool:
        docgens = any(r[: len(rel)] == rel for r in self.listed)
        return rel in self.seen or docgens or self.out.joinpath(*rel).is_dir()

    def _accounted(self, rel: Rel, path: Path, info: os.stat_result) -> bool:
        if self.seen.get(rel) == identity(info):
            return True
        there = lstat_or_none(self.out.joinpath(*rel))
        if there is not None and os.path.samestat(info, there):
            return True
        return self._docgens(rel, path, info) or _same_content(path, info, self.out.joinpath(*rel))

    def _docgens(self, rel: Rel, path: Path, info: os.stat_result) -> bool:
        entry = self.listed.get(rel)
        if entry is None or not stat.S_ISREG(info.st_mode) or info.st_size != entry["size"]:
            return rel == (manifest.NAME,) and manifest.read(self.old) is not None
        return bool(guard.digest(path)["sha256"] == entry["sha256"])

    def _keep(self, rel: Rel, path: Path, info: os.stat_result) -> None:
        target = self.out.joinpath(*rel)
        folder(self.infos, self.out, rel[:-1], self.made, adopt=False)
        there = lstat_or_none(target)
        if there is None or (rel not in self.current and _newer(info, there)):
            path.replace(target)  # the office's newer save of a file of theirs
            return
        kept = _free_name(target)
        path.rename(kept)
        self.warnings.append(
            Problem(Location(target), "", RESCUED.format(name=kept.name), Severity.WARNING)
        )


def _newer(info: os.stat_result, there: os.stat_result) -> bool:
    return stat.S_ISREG(there.st_mode) and info.st_mtime_ns > there.st_mtime_ns


def _same_content(path: Path, info: os.stat_result, other: Path) -> bool:
    there = lstat_or_none(other)
    if there is None or stat.S_IFMT(there.st_mode) != stat.S_IFMT(info.st_mode):
        return False
    if stat.S_ISLNK(info.st_mode):
        return path.readlink() == other.readlink()
    regular = stat.S_ISREG(info.st_mode) and there.st_size == info.st_size
    return regular and guard.digest(path) == guard.digest(other)


def _free_name(path: Path) -> Path:
    for n in itertools.count(1):
        mark = "（保留）" if n == 1 else f"（保留{n}）"
        candidate = path.with_name(f"{path.stem}{mark}{path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise AssertionError("unreachable")


def _rel(name: str) -> Rel:
    return tuple(name.split("/"))
