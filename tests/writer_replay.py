"""Helpers for the writer's tests: record what a real run rendered once, replay it into the real
recipe and writer as often as a test needs, and compare folders byte for byte."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docgen import generate, guard
from docgen.artifacts import Artifact, Run
from docgen.outputs import OUTPUTS

from .conftest import MINIMAL


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (folders as None, files with their bytes, links as their
    target, a FIFO as such): equal trees mean byte-identical outputs and nothing left beside."""
    found: dict[str, bytes | None] = {}
    for p in sorted(folder.rglob("*")):
        key = p.relative_to(folder).as_posix()
        if p.is_symlink():
            found[key] = b"-> " + str(p.readlink()).encode()
        elif p.is_fifo():
            found[key] = b"FIFO"
        else:
            found[key] = None if p.is_dir() else p.read_bytes()
    return found


def copy_edition(folder: Path, *replacements: tuple[str, str]) -> Path:
    shutil.copytree(MINIMAL.parent, folder)
    path = folder / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Recorded:
    output: str
    name: str
    data: bytes
    from_file: bool


@dataclass(frozen=True)
class Recording:
    """What checking and rendering one edition gave, to replay instead of rendering again."""

    checked: Any
    rendered: list[Recorded]


def record(edition: Path, out: Path) -> Recording:
    """Generate ``edition`` into ``out`` for real, keeping every artifact."""
    rendered: list[Recorded] = []
    with pytest.MonkeyPatch.context() as mp:
        for name, render in list(OUTPUTS.items()):
            mp.setitem(OUTPUTS, name, _recording(name, render, rendered))
        generate.generate(edition, out)
    return Recording(generate.check(edition), rendered)


def _recording(name: str, render: Any, into: list[Recorded]) -> Any:
    def record(run: Run) -> Iterator[Artifact]:
        for a in render(run):
            data = a.data if a.data is not None else a.source.read_bytes()
            into.append(Recorded(name, a.name, data, a.source is not None))
            yield a

    return record


def replay(
    mp: pytest.MonkeyPatch,
    recordings: dict[Path, Recording],
    before_each: Callable[[str], None] = lambda name: None,
) -> None:
    """Generate goes through its whole recipe, but checks and renders from ``recordings`` (by
    edition path): the writer is under test, and rendering again and again would take minutes.
    ``before_each(artifact name)`` runs before each artifact is handed to the writer."""
    mp.setattr(generate, "check", lambda path: recordings[Path(path)].checked)
    for name in OUTPUTS:
        mp.setitem(OUTPUTS, name, _replayer(name, recordings, before_each))


def _replayer(
    name: str, recordings: dict[Path, Recording], before_each: Callable[[str], None]
) -> Any:
    def render(run: Run) -> Iterator[Artifact]:
        rendered = recordings[run.loaded.doc.path].rendered
        for i, r in enumerate(x for x in rendered if x.output == name):
            before_each(r.name)
            if r.from_file:  # a big file a renderer finished in scratch: the writer moves it
                source = run.scratch / f"{name}-{i}"
                source.write_bytes(r.data)
                yield Artifact(r.name, source=source)
            else:
                yield Artifact(r.name, r.data)

    return render


def assert_whole_but(out: Path, *extra: str) -> None:
    """Every file the manifest lists is there with its hash; nothing else but ``extra``."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"] for e in manifest["files"]}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()}
    assert files == listed | {"manifest.json", *extra}
    for entry in manifest["files"]:
        assert guard.digest(out / entry["path"])["sha256"] == entry["sha256"], entry["path"]
