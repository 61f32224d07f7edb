"""docgen init: an office folder made from the packaged defaults (docgen.yaml, config/,
templates/, schema/, the sample edition), and ``--compare``: what changed in those defaults since.

init records each copied file's SHA-256 in docgen.yaml and keeps the text files as copied in
.docgen/copied/, so that --compare shows what docgen changed, never the office's own edits.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from . import __version__, located, schema, source, userfiles
from .errors import DocgenError, Location, Problem
from .home import DEFAULTS, MARKER, SAMPLE, find_home, sample
from .model import Strict, Text

ORIGINALS = ".docgen/copied"
TEXT = frozenset({".yaml", ".yml", ".j2", ".css", ".json", ".md", ".txt", ".html"})
"""Shown as a line diff; every other file (report.docx, images, photos) only as "已更改"."""
MAX_TEXT = userfiles.MB


class OfficeFile(Strict):
    """docgen.yaml: marks the office folder (docgen looks for it from the edition upwards)."""

    office: Text
    """办公室（单位）名称。"""
    docgen: str | None = None
    """docgen init 复制默认文件时的 docgen 版本。"""
    copied: dict[str, str] = Field(default_factory=dict)
    """docgen init 复制的每个文件（相对于办公室文件夹）及其 SHA-256。"""


def defaults() -> dict[str, bytes]:
    """Every file init copies, by its path in the office folder."""
    files = {**_tree(DEFAULTS / "config", "config"), **_tree(DEFAULTS / "templates", "templates")}
    files |= _tree(sample(), SAMPLE)
    files |= {f"schema/{name}.schema.json": schema.text(name).encode() for name in schema.MODELS}
    return files


def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    return {
        f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_text(rel: str) -> bool:
    return Path(rel).suffix.lower() in TEXT


# --- init ----------------------------------------------------------------------------------------


def init(folder: Path, name: str | None = None) -> Path:
    """Create the office folder (or fill an empty one); refuse before writing anything if any
    file it would write is already there. Returns the folder."""
    files = defaults()
    _refuse_existing(folder, [*files, ORIGINALS])
    created = {_first_missing(folder, rel) for rel in [*files, ORIGINALS, MARKER]}
    # Cleaned up on any failure (a full disk), so that init can simply be run again.
    try:
        for rel, data in files.items():
            _write(folder / rel, data)
            if _is_text(rel):
                _write(folder / ORIGINALS / rel, data)
        # Last: a folder whose copying failed half-way is not marked as an office.
        _write(folder / MARKER, marker(name or folder.resolve().name or "办公室", files).encode())
    except BaseException:
        for path in created:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        raise
    return folder


def _refuse_existing(folder: Path, rels: list[str]) -> None:
    if (folder / MARKER).exists():
        message = "这里已经是办公室文件夹，docgen init 不覆盖任何文件；要查看默认文件的更新，运行 docgen init --compare"
        raise DocgenError([Problem(Location(folder / MARKER), "", message)])
    taken = next((path for rel in rels if (path := _in_the_way(folder, rel))), None)
    if taken is not None:
        message = "已经存在；docgen init 不覆盖任何文件，请写一个新文件夹或空文件夹的路径"
        raise DocgenError([Problem(Location(taken), "", message)])


def _in_the_way(folder: Path, rel: str) -> Path | None:
    """What stops ``rel`` from being written: the file itself, or a file where a folder goes."""
    parts = Path(rel).parts
    for i in range(len(parts) + 1):
        path = folder.joinpath(*parts[:i])
        if path.exists() and (i == len(parts) or not path.is_dir()):
            return path
    return None


def _first_missing(folder: Path, rel: str) -> Path:
    """The outermost folder or file that writing ``rel`` creates (what to remove on failure)."""
    path = folder
    for part in Path(rel).parts:
        if not path.exists():
            break
        path = path / part
    return path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def marker(office: str, files: dict[str, bytes]) -> str:
    """docgen.yaml for a new office folder: its name, docgen's version and what was copied."""
    quote = _yaml_string
    lines = [
        "# docgen 的办公室文件夹。docgen 在这里找 config/ 和 templates/：这里有的文件用这里的，",
        "# 没有的（比如删掉的）用 docgen 自带的默认文件。升级 docgen 不会改动这个文件夹。",
        "# 升级后运行 docgen init --compare，可以看到自带的默认文件有哪些变化（它不改动任何文件）。",
        "# 下面的 copied 和 .docgen/copied/ 记录复制时的样子，供比较用，请不要修改。",
        f"office: {quote(office)}",
        f"docgen: {quote(__version__)}  # 复制默认文件时的 docgen 版本",
        "copied:  # 复制的每个文件及其 SHA-256",
        *(f"  {quote(rel)}: {_sha(data)}" for rel, data in sorted(files.items())),
    ]
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


# --- compare -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One packaged default that is not what the office copied."""

    rel: str
    kind: str
    """已更改, 新增 (packaged since the office copied) or 已删除 (no longer packaged)."""
    diff: list[str] = field(default_factory=list)
    note: str = ""


def read_marker(folder: Path) -> OfficeFile:
    return located.validate(OfficeFile, source.read_strict(folder / MARKER))


def office_folder(given: Path | None) -> Path:
    """The office to compare: the folder given, else the one docgen finds from here."""
    folder = given if given is not None else find_home().office
    if folder is None:
        raise DocgenError(
            "当前文件夹及其上级都不是办公室文件夹（没有 docgen.yaml）；"
            "请写出办公室文件夹的路径：docgen init --compare 文件夹"
        )
    if not (folder / MARKER).is_file():
        raise DocgenError(
            [Problem(Location(folder), "", "这不是办公室文件夹：其中没有 docgen.yaml")]
        )
    return folder


def compare(folder: Path) -> tuple[OfficeFile, list[Change]]:
    """What changed in the packaged defaults since ``folder`` copied them; reads, writes nothing."""
    recorded = read_marker(folder)
    if not recorded.copied:  # an office that uses the packaged defaults as they are
        return recorded, []
    current = defaults()
    changes = []
    for rel in sorted(set(recorded.copied) | set(current)):
        if rel not in recorded.copied:
            changes.append(
                Change(rel, "新增", _diff(rel, "", current[rel]), "复制时还没有这个文件")
            )
        elif rel not in current:
            changes.append(Change(rel, "已删除", note="docgen 不再自带这个文件；你的副本照常使用"))
        elif _sha(current[rel]) != recorded.copied[rel]:
            changes.append(_changed(folder, rel, current[rel], recorded.copied[rel]))
    return recorded, changes


def _changed(folder: Path, rel: str, now: bytes, copied_sha: str) -> Change:
    edited = _sha_of(folder / rel) != copied_sha
    note = (
        "你改过自己的副本：请对照差异手工修改"
        if edited
        else "你的副本与复制时相同：删去它，docgen 就改用新的默认文件"
    )
    if not _is_text(rel):
        return Change(rel, "已更改", note="二进制文件，不显示差异；" + note)
    original = folder / ORIGINALS / rel
    if not original.is_file():
        return Change(
            rel, "已更改", note=f"找不到复制时的原样 {ORIGINALS}/{rel}，无法显示差异；" + note
        )
    old = userfiles.read_text(original, MAX_TEXT)
    return Change(rel, "已更改", _diff(rel, old, now), note)


def _sha_of(path: Path) -> str | None:
    """The office's own copy's SHA-256; None when it is gone or cannot be read as a file."""
    try:
        return _sha(userfiles.read(path, 256 * userfiles.MB))
    except DocgenError:
        return None


def _diff(rel: str, old: str, now: bytes) -> list[str]:
    if not _is_text(rel):
        return []
    new = now.decode("utf-8")
    lines = difflib.unified_diff(
        old.splitlines(),
        new.splitlines(),
        f"{rel}（复制时）",
        f"{rel}（docgen {__version__}）",
        lineterm="",
    )
    return list(lines)


def report(recorded: OfficeFile, changes: list[Change]) -> list[str]:
    """The text --compare prints."""
    if not recorded.copied:
        return ["这个办公室文件夹没有复制过默认文件，docgen 直接使用自带的默认文件，不需要比较。"]
    since = f"docgen {recorded.docgen or '（版本未记录）'} 复制时"
    if not changes:
        return [f"自带的默认文件与 {since}相同，没有变化。"]
    lines = [f"docgen {__version__} 自带的默认文件与 {since}相比："]
    for change in changes:
        lines.append(f"{change.kind}：{change.rel}" + (f"（{change.note}）" if change.note else ""))
        lines += change.diff
    lines.append(f"共 {len(changes)} 个文件有变化。以上只是比较，办公室文件夹中的文件都没有改动。")
    return lines
