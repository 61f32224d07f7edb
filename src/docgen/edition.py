"""Loading one edition folder: read the YAML strictly, validate it, resolve photos and settings,
and cross-check what a schema cannot (duplicate winners, files that must exist, serials)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config, located, paths, photos, serials, source, userfiles
from .config import Settings
from .errors import DocgenError, Problem, quote, raise_if_errors
from .model import Edition
from .source import Document, FieldPath, field_name


@dataclass(frozen=True)
class PhotoFile:
    """A photo named in the edition, resolved inside the edition folder."""

    path: Path
    field: FieldPath


@dataclass(frozen=True)
class Loaded:
    """An edition that passed every check that needs no rendering."""

    edition: Edition
    doc: Document
    folder: Path
    settings: Settings

    @property
    def name(self) -> str:
        """The edition folder's name, used for the default output folder."""
        return self.folder.name

    def photo(self, group: int, index: int) -> PhotoFile:
        rel = self.edition.photos[group].files[index]
        return PhotoFile(self.folder / rel, ("photos", group, "files", index))

    def serials(self) -> list[str]:
        """Certificate serial of every winner, in print order (tiers in order, then rank)."""
        result = []
        for award in self.edition.awards:
            for rank, winner in enumerate(award.winners, start=1):
                result.append(winner.serial or self._serial(award.code, rank))
        return result

    def _serial(self, code: str, rank: int) -> str:
        e = self.edition
        return serials.fill(
            self.settings.serial_pattern, year=e.year, number=e.number, award=code, rank=rank
        )


def load(path: Path) -> Loaded:
    """Read, validate and cross-check an edition; raise DocgenError listing every error found.

    Schema errors and the cross-checks (which read the raw data, so they run even when the schema
    fails elsewhere) are reported together, so one run shows the user everything to fix.
    """
    path = _edition_file(path)
    doc = source.read(path)
    problems = [*doc.problems, *raw_checks(doc, path.parent)]
    try:
        edition = located.validate(Edition, doc)
    except DocgenError as exc:
        both = _ordered([*problems, *exc.problems])
        raise DocgenError(both, doc.omitted + exc.omitted) from None
    if problems:
        raise DocgenError(_ordered(problems), doc.omitted)
    loaded = Loaded(edition, doc, path.parent, config.resolve(edition, doc))
    raise_if_errors(_duplicate_serials(loaded))
    return loaded


def _edition_file(path: Path) -> Path:
    """The edition.yaml named, made absolute when it exists; a folder without one is refused."""
    if why := userfiles.name_problem(path):
        raise userfiles.refuse(path, why)
    try:
        if path.is_dir():
            raise userfiles.refuse(path, "这是一个文件夹，里面没有 edition.yaml")
        return path.resolve() if path.exists() else path
    except OSError:
        return path  # source.read names the reason


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(
        problems, key=lambda p: (str(p.location.file), p.location.line or 0, p.location.column or 0)
    )


def raw_checks(doc: Document, folder: Path) -> Iterator[Problem]:
    """Checks a schema cannot express, on the raw data (tolerant of any shape)."""
    yield from _photo_problems(doc, folder)
    yield from _seal_problems(doc)
    yield from _duplicate_winners(doc)


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _problem(doc: Document, path: FieldPath, message: str) -> Problem:
    return Problem(doc.locate(path), field_name(path), message)


SEAL_PATH = paths.in_config("印章图片", "seal.png")


MAX_PHOTOS = 1000
"""Photos one edition may name: each is looked up on disk here (~30 µs) and decoded later."""


def _photo_problems(doc: Document, folder: Path) -> Iterator[Problem]:
    count = sum(len(_items(group, "files")) for group in _items(doc.data, "photos"))
    if count > MAX_PHOTOS:
        why = f"照片太多：共 {count} 张，上限 {MAX_PHOTOS} 张；请只列出报告和新闻稿要用的照片"
        yield _problem(doc, ("photos",), why)
        return
    seen: dict[Path, FieldPath] = {}
    for g, group in enumerate(_items(doc.data, "photos")):
        for i, rel in enumerate(_items(group, "files")):
            field = ("photos", g, "files", i)
            if not isinstance(rel, str) or not rel:
                continue  # the schema reports it
            message = _photo_path_problem(folder, rel)
            if message:
                yield _problem(doc, field, message)
                continue
            resolved = (folder / rel).resolve()
            if resolved in seen:
                yield _problem(doc, field, f"这张照片已在 {field_name(seen[resolved])} 用过")
            seen.setdefault(resolved, field)


def _photo_path_problem(folder: Path, rel: str) -> str | None:
    """Why a photo is unusable, or None: its path must stay inside the edition folder, and the
    file must be a photo that can be decoded within the memory bound (judged from its header
    here, so a decompression bomb stops the run before anything expensive starts)."""
    message = paths.problem(folder, rel, paths.PHOTO)
    if message:
        return message
    target = folder / rel
    try:
        photos.size(target)
    except photos.PhotoError as exc:
        return _unusable(folder, rel, exc)
    return None


def _unusable(folder: Path, rel: str, exc: photos.PhotoError) -> str:
    if why := paths.unreachable(folder, rel):
        return why
    if not os.path.lexists(folder / rel):
        return f"找不到照片文件 {quote(rel)}（应在 {folder} 中）"
    return f"{quote(Path(rel).name)}：{exc}"


def _seal_problems(doc: Document) -> Iterator[Problem]:
    """certificates.seal may name an image: like a photo, it must stay inside its folder
    (config/), or the certificate would read and print any file the user can read."""
    options = doc.data.get("certificates") if isinstance(doc.data, dict) else None
    seal = options.get("seal") if isinstance(options, dict) else None
    if isinstance(seal, str) and seal and seal not in ("sample", "none"):
        message = paths.problem(config.ROOT / "config", seal, SEAL_PATH)
        if message:
            yield _problem(doc, ("certificates", "seal"), message)


def _duplicate_winners(doc: Document) -> Iterator[Problem]:
    seen: dict[tuple[str, str], FieldPath] = {}
    for a, award in enumerate(_items(doc.data, "awards")):
        for w, winner in enumerate(_items(award, "winners")):
            if not isinstance(winner, dict):
                continue
            key = (_squash(winner.get("unit")), _squash(winner.get("activity")))
            here = ("awards", a, "winners", w)
            if key in seen and all(key):
                first = doc.locate(seen[key])
                msg = f"与第 {first.line} 行的获奖项目重复（同一单位、同一活动名称）"
                yield _problem(doc, here, msg)
            seen.setdefault(key, here)


def _squash(value: Any) -> str:
    """Compare names the way a reader would: ignore surrounding and repeated white space."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _duplicate_serials(loaded: Loaded) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    flat = [
        (("awards", a, "winners", w), winner.serial)
        for a, award in enumerate(loaded.edition.awards)
        for w, winner in enumerate(award.winners)
    ]
    for (here, pinned), serial in zip(flat, loaded.serials(), strict=True):
        if serial in seen:
            field = (*here, "serial") if pinned else here
            yield _problem(
                loaded.doc,
                field,
                f"证书编号 {quote(serial)} 重复；请在 serial 中为其中一个指定不同的编号",
            )
        seen.setdefault(serial, 0)
