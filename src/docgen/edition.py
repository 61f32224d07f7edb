"""Loading one edition folder: read the YAML strictly, validate it, resolve photos and settings,
and cross-check what a schema cannot (duplicate winners, files that must exist, serials)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from . import config, located, source
from .config import Settings
from .errors import DocgenError, Problem, raise_if_errors
from .home import Home, find_home
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
        return config.format_serial(
            self.settings.serial_pattern, year=e.year, number=e.number, award=code, rank=rank
        )


def load(path: Path) -> Loaded:
    """Read, validate and cross-check an edition; raise DocgenError listing every error found.

    Schema errors and the cross-checks (which read the raw data, so they run even when the schema
    fails elsewhere) are reported together, so one run shows the user everything to fix.
    """
    path = path.resolve() if path.exists() else path
    doc = source.read(path)
    home = find_home(path.parent)
    problems = [*doc.problems, *raw_checks(doc, path.parent, home)]
    try:
        edition = located.validate(Edition, doc)
    except DocgenError as exc:
        raise DocgenError(_ordered([*problems, *exc.problems])) from None
    if problems:
        raise DocgenError(_ordered(problems))
    loaded = Loaded(edition, doc, path.parent, config.resolve(edition, doc, home))
    raise_if_errors(_duplicate_serials(loaded))
    return loaded


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(
        problems, key=lambda p: (str(p.location.file), p.location.line or 0, p.location.column or 0)
    )


def raw_checks(doc: Document, folder: Path, home: Home) -> Iterator[Problem]:
    """Checks a schema cannot express, on the raw data (tolerant of any shape)."""
    yield from _photo_problems(doc, folder)
    yield from _seal_problems(doc, home)
    yield from _duplicate_winners(doc)


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _problem(doc: Document, path: FieldPath, message: str) -> Problem:
    return Problem(doc.locate(path), field_name(path), message)


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+:")
# Windows opens these as devices, in any folder and with any extension (CON.jpg is the console).
_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.[^.]*)?$", re.IGNORECASE)
PHOTO_PATH = {
    "url": "照片只能是本届文件夹中的文件，不能是网址",
    "absolute": "请写相对于本届文件夹的路径（如 photos/01.jpg），不能写绝对路径",
    "dotdot": "路径不能包含“..”：照片必须放在本届文件夹之内",
    "outside": "这个文件（或它的链接目标）在本届文件夹之外，不能使用",
}
SEAL_PATH = {
    "url": "印章图片只能是 config 文件夹中的文件，不能是网址",
    "absolute": "请写相对于 config 文件夹的路径（如 seal.png），不能写绝对路径",
    "dotdot": "路径不能包含“..”：印章图片必须放在 config 文件夹之内",
    "outside": "这个文件（或它的链接目标）在 config 文件夹之外，不能使用",
}


def _photo_problems(doc: Document, folder: Path) -> Iterator[Problem]:
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
    """Why a photo path is unusable, or None. Paths must stay inside the edition folder."""
    message = _path_problem(folder, rel, PHOTO_PATH)
    if message:
        return message
    target = folder / rel
    if not target.exists():
        return f"找不到照片文件 {rel}（应在 {folder} 中）"
    if not target.is_file():
        return f"{rel} 不是文件"
    return None


def _seal_problems(doc: Document, home: Home) -> Iterator[Problem]:
    """certificates.seal may name an image: like a photo, it must stay inside its folder
    (config/), or the certificate would read and print any file the user can read. The folder is
    the office's config/, or the packaged one for a file the office has not copied."""
    options = doc.data.get("certificates") if isinstance(doc.data, dict) else None
    seal = options.get("seal") if isinstance(options, dict) else None
    if isinstance(seal, str) and seal and seal not in ("sample", "none"):
        # The text is judged first, against the office's folder: nothing is looked up before.
        message = _path_problem(home.layers("config")[0], seal, SEAL_PATH)
        message = message or _path_problem(home.layer_for("config", seal), seal, SEAL_PATH)
        if message:
            yield _problem(doc, ("certificates", "seal"), message)


def _path_problem(folder: Path, rel: str, messages: dict[str, str]) -> str | None:
    """Why ``rel`` may lead outside ``folder`` (judged on the text first: nothing is opened)."""
    if _URL.match(rel) and not PureWindowsPath(rel).drive:
        return messages["url"]
    if (
        PureWindowsPath(rel).is_absolute()
        or PurePosixPath(rel).is_absolute()
        or PureWindowsPath(rel).drive
    ):
        return messages["absolute"]
    parts = re.split(r"[\\/]", rel)
    if ".." in parts:
        return messages["dotdot"]
    if ":" in rel:
        return "文件名中不能有冒号“:”"
    if device := next((part for part in parts if _DEVICE.match(part.rstrip(" ."))), None):
        return f"“{device}”是 Windows 保留的设备名，不能用作文件名，请改名"
    target = folder / rel
    if target.exists() and not target.resolve().is_relative_to(folder.resolve()):
        return messages["outside"]
    return None


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
                loaded.doc, field, f"证书编号 {serial} 重复；请在 serial 中为其中一个指定不同的编号"
            )
        seen.setdefault(serial, 0)
