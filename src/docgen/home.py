"""Where docgen's files come from: the office folder (marked by docgen.yaml, found the way git
finds a repository) over the defaults packaged with docgen, file by file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from .errors import DocgenError

MARKER = "docgen.yaml"
DEFAULTS = Path(__file__).resolve().parent / "defaults"
"""The packaged defaults: config/, templates/, fonts/ (and, in the wheel, the sample edition)."""
SAMPLE = "editions/quanyibei-21"


@dataclass(frozen=True)
class Home:
    """One office's view of docgen's files: its own copy of a file wins, the packaged default
    fills in for a file it has not copied. ``office`` is None when no office folder was found."""

    office: Path | None

    def layers(self, rel: str | PurePath, default: Path | None = None) -> list[Path]:
        """``rel`` (a folder or file, e.g. "templates/html") in the office, then in the defaults.

        ``default`` replaces the packaged default's path (each module keeps its own, so a test
        can point it at a copy)."""
        packaged = default if default is not None else DEFAULTS / rel
        return [self.office / rel, packaged] if self.office is not None else [packaged]

    def layer_for(self, folder: str, name: str | PurePath) -> Path:
        """The layer of ``folder`` that holds ``name``; if none does, the office's (where the
        file is missing, which is what a message should name)."""
        layers = self.layers(folder)
        return next((layer for layer in layers if (layer / name).exists()), layers[0])

    def config_file(self, name: str) -> Path:
        """A file named in a config/ file (relative to config/): the office's, else the default."""
        return self.layer_for("config", name) / name

    def file(self, rel: str | PurePath, default: Path | None = None) -> Path:
        """The office's copy of ``rel`` if it has one, else the packaged default."""
        layers = self.layers(rel, default)
        return next((path for path in layers if path.exists()), layers[0])

    def files(self, folder: str, default: Path | None = None) -> list[Path]:
        """Every file directly in ``folder``, by name: the office's copy where it has one."""
        found: dict[str, Path] = {}
        for layer in reversed(self.layers(folder, default)):
            if layer.is_dir():
                found |= {p.name: p for p in layer.iterdir() if p.is_file()}
        return [found[name] for name in sorted(found)]


def find_home(start: Path | None = None) -> Home:
    """DOCGEN_HOME if set; else the nearest folder holding docgen.yaml from ``start`` (an edition
    file or folder) upwards; else from the current folder upwards; else the defaults alone."""
    if named := os.environ.get("DOCGEN_HOME"):
        return Home(_named_home(Path(named)))
    starts = [start.resolve().parent if start.is_file() else start.resolve()] if start else []
    for begin in [*starts, Path.cwd()]:
        found = next((d for d in (begin, *begin.parents) if (d / MARKER).is_file()), None)
        if found is not None:
            return Home(found)
    return Home(None)


def _named_home(folder: Path) -> Path:
    if not folder.is_dir():
        raise DocgenError(
            f"环境变量 DOCGEN_HOME 指向的 {folder} 不是文件夹；请改为办公室文件夹的路径，或删去这个变量"
        )
    return folder.resolve()


def sample() -> Path:
    """The sample edition: packaged in the wheel; in a checkout, the repository's own (its root is
    an office folder, and the wheel takes the sample from there)."""
    packaged = DEFAULTS / SAMPLE
    return packaged if packaged.is_dir() else DEFAULTS.parents[2] / SAMPLE
