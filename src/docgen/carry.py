"""The office's files and folders carried into the new set, after rendering and just before the
swap, so that what they saved while docgen rendered is in it; docgen's own files carried by output.

A run takes seconds to minutes and the office keeps working meanwhile ("Save As" into the output
folder, a new sub-folder). Carrying at the end, under the run's lock, sees all of it; what the
swap puts aside is then removed by aside.py only as far as it was carried or docgen's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import disk, guard, manifest, outdir
from .errors import Location, Problem

Rel = tuple[str, ...]
Identity = tuple[int, int, int, int]

COLLISION = (
    "这次生成的文件与它同名，但它不是 docgen 生成的（manifest.json 里没有它），重新生成会覆盖它。"
    "要保留它：先把它移出这个文件夹，或改个名字；不要它：加 --force 重新运行。"
)


@dataclass
class Carried:
    """What ``over`` did: docgen's files kept, everything it accounted for, what it refused."""

    kept: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[Rel, Identity | None] = field(default_factory=dict)
    """Every entry of the output folder carried or replaced: files by identity, folders as None."""
    folders: dict[Rel, os.stat_result] = field(default_factory=dict)
    """Folders of the new set with a counterpart in the output folder: its mode, for ``seal``."""
    problems: list[Problem] = field(default_factory=list)


def identity(info: os.stat_result) -> Identity:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def over(
    out: Path, staging: Path, previous: dict[str, Any] | None, replaced: set[str], force: bool
) -> Carried:
    """Into ``staging`` (the rendered set): every file and folder of ``out`` this run does not
    replace, by hard link (or copy), links as links. A file of the office's where the new set has
    one is refused (replaced with ``force``); docgen's files are carried only for outputs not
    in ``replaced``. Entries that are neither file, folder nor link stay for aside.remove."""
    carrier = _Carrier(out, staging, {_rel(e["path"]): e for e in manifest.entries(previous)})
    skipped: list[Rel] = []
    for rel, info in disk.walk(out):
        if any(rel[: len(s)] == s for s in skipped):
            carrier.done.seen[rel] = identity(info)  # inside a folder this run replaces
        elif carrier.collides(rel, info):
            if not (rel in carrier.ours or force):
                carrier.done.problems.append(Problem(Location(out.joinpath(*rel)), "", COLLISION))
            skipped.append(rel)
            carrier.done.seen[rel] = identity(info)
        else:
            carrier.carry(rel, info, replaced)
    return carrier.done


class _Carrier:
    def __init__(self, out: Path, staging: Path, ours: dict[Rel, dict[str, Any]]) -> None:
        self.out, self.staging, self.ours = out, staging, ours
        self.done = Carried()
        self.infos: dict[Rel, os.stat_result] = {}

    def collides(self, rel: Rel, info: os.stat_result) -> bool:
        """The new set has something here, and not a folder to merge this folder into."""
        target = self.staging.joinpath(*rel)
        return os.path.lexists(target) and not (stat.S_ISDIR(info.st_mode) and target.is_dir())

    def carry(self, rel: Rel, info: os.stat_result, replaced: set[str]) -> None:
        entry = self.ours.get(rel)
        if rel == (manifest.NAME,) or (entry is not None and entry["output"] in replaced):
            self.done.seen[rel] = identity(info)  # docgen's, and re-made (or dropped) by this run
        elif stat.S_ISDIR(info.st_mode):
            self.infos[rel] = info
            self.done.seen[rel] = None
            if self.staging.joinpath(*rel).is_dir() or _empty(self.out.joinpath(*rel)):
                folder(self.infos, self.staging, rel, self.done.folders)
        elif self._file(rel, info):
            self.done.seen[rel] = identity(info)
            if entry is not None and stat.S_ISREG(info.st_mode):
                target = self.staging.joinpath(*rel)
                self.done.kept[entry["path"]] = {**entry, **guard.digest(target)}

    def _file(self, rel: Rel, info: os.stat_result) -> bool:
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            return False  # a FIFO or socket: never opened, moved along by aside.remove
        folder(self.infos, self.staging, rel[:-1], self.done.folders)
        try:
            disk.link_or_copy(self.out.joinpath(*rel), self.staging.joinpath(*rel))
        except FileNotFoundError:
            return False  # removed by the office while we carried
        return True


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def folder(
    infos: Mapping[Rel, os.stat_result],
    target: Path,
    rel: Rel,
    made: dict[Rel, os.stat_result],
    adopt: bool = True,
) -> None:
    """The folder ``rel`` under ``target`` and its parents, each with the group of its counterpart
    (``infos``) and, for ``seal`` to set last, its mode: a private group folder stays private. A
    folder already there takes them too if ``adopt`` (the new set's own, made by its files)."""
    for depth in range(1, len(rel) + 1):
        part = rel[:depth]
        path = target.joinpath(*part)
        if part in made or (path.is_dir() and not adopt):
            continue
        if not path.is_dir():
            path.mkdir()
        outdir.copy_attributes(infos[part], path, writable=True)
        made[part] = infos[part]


def seal(target: Path, folders: Mapping[Rel, os.stat_result]) -> None:
    """Each folder's own mode, last: until then its owner could always write in it, so a
    read-only folder of the office's can still be carried and filled."""
    for rel, info in folders.items():
        outdir.copy_attributes(info, target.joinpath(*rel))


def _rel(name: str) -> Rel:
    return tuple(name.split("/"))
