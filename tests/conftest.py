"""Shared fixtures: the three editions (real sample, minimal, awkward) and PDF/DOCX readers."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "editions" / "quanyibei-21" / "edition.yaml"
DATA = Path(__file__).resolve().parent / "data"
MINIMAL = DATA / "minimal" / "edition.yaml"
AWKWARD = DATA / "awkward" / "edition.yaml"
NEWS = DATA / "quanyibei-21-news.txt"


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pdffonts(path: Path) -> list[dict[str, str]]:
    """Rows of `pdffonts`: name, type, emb, sub, uni."""
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    rows = []
    for line in lines.splitlines()[2:]:
        parts = line.split()
        # name, type words…, encoding, emb, sub, uni, object, id
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def squash(text: str) -> str:
    """Text without white space: pdftotext breaks lines (and inserts spaces) where it likes."""
    return "".join(text.split())


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample edition generated once for the whole session (takes seconds)."""
    out = tmp_path_factory.mktemp("sample") / "quanyibei-21"
    generate.generate(SAMPLE, out)
    return out


@pytest.fixture(scope="session")
def awkward_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("awkward") / "out"
    generate.generate(AWKWARD, out)
    return out


@pytest.fixture
def edition_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the minimal edition folder, with text replacements applied to its YAML."""

    def make(*replacements: tuple[str, str], source: Path = MINIMAL) -> Path:
        folder = tmp_path / "edition"
        shutil.copytree(source.parent, folder)
        path = folder / "edition.yaml"
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} not in {source}"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        return path

    return make
