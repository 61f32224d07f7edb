"""docgen's manifest.json: what it records, its bytes, and telling it apart from any other file of
that name (a web site's PWA manifest, a hand-edited copy), read without following links or bound.

Only a manifest recognised here makes a folder docgen's: its listed files may then be replaced.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from . import userfiles
from .errors import DocgenError

NAME = "manifest.json"
FORMAT = "docgen-manifest/1"
"""The marker docgen writes first; manifests of docgen 0.1.0 predate it (see ``recognised``)."""
CAP = 64 * userfiles.MB
"""About 300,000 file entries: far beyond any edition, far below what would hurt to read."""

_TOP = {"docgen", "edition", "edition_sha256", "fonts_sha256", "winners", "outputs", "files"}
_ENTRY = {"path", "output", "size", "sha256"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def text(manifest: dict[str, Any], files: list[dict[str, Any]]) -> bytes:
    outputs = sorted({f["output"] for f in files})
    data = {"format": FORMAT, **manifest, "outputs": outputs, "files": files}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read(folder: Path) -> dict[str, Any] | None:
    """docgen's manifest in ``folder``, or None when there is none or it is anything else: a link
    (never followed), a device, a FIFO, over ``CAP``, not JSON, or not exactly docgen's shape."""
    path = folder / NAME
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        data = json.loads(userfiles.read(path, CAP))
    except (OSError, ValueError, DocgenError):
        return None
    return data if recognised(data) else None


def recognised(data: object) -> bool:
    """The marker and exactly the structure docgen writes. A manifest of docgen 0.1.0 (no marker
    yet) is recognised by that structure alone, so folders it made stay docgen's."""
    if not isinstance(data, dict):
        return False
    keys = set(data) - {"format"}
    marked = data.get("format", FORMAT) == FORMAT
    return marked and keys == _TOP and _valid_top(data) and all(map(_valid_entry, data["files"]))


def _valid_top(data: dict[str, Any]) -> bool:
    strings = all(isinstance(data[k], str) for k in ("docgen", "edition", "fonts_sha256"))
    outputs = isinstance(data["outputs"], list) and all(isinstance(o, str) for o in data["outputs"])
    winners = isinstance(data["winners"], dict) and isinstance(data["files"], list)
    return strings and outputs and winners and _is_sha256(data["edition_sha256"])


def _valid_entry(entry: object) -> bool:
    if not isinstance(entry, dict) or set(entry) != _ENTRY:
        return False
    size = entry["size"]
    sized = isinstance(size, int) and not isinstance(size, bool) and size >= 0
    named = relative(entry["path"]) is not None and isinstance(entry["output"], str)
    return sized and named and _is_sha256(entry["sha256"])


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def entries(manifest: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    yield from (manifest or {}).get("files", [])


def relative(name: object) -> PurePosixPath | None:
    """An artifact or manifest name as a path that stays inside the output folder, or None."""
    if not isinstance(name, str):
        return None
    rel = PurePosixPath(name)
    bad = rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in name
    return None if bad else rel


def inside(folder: Path, name: str) -> Path:
    rel = relative(name)
    if rel is None:
        raise ValueError(f"artifact name must be a relative path inside the output: {name!r}")
    return folder.joinpath(*rel.parts)
