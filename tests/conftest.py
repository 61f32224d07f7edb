"""Shared fixtures: the three editions (real sample, minimal, awkward) and PDF/DOCX readers."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refusals must come before anything is rendered: any output's render fails the test."""
    from docgen.outputs import OUTPUTS

    def render(run: object) -> None:
        raise AssertionError("rendered before refusing")

    for name in OUTPUTS:
        monkeypatch.setitem(OUTPUTS, name, render)


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


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("DOCGEN_UPDATE_SNAPSHOTS") == "1"
UPDATE_HINT = (
    "run `DOCGEN_UPDATE_SNAPSHOTS=1 make test`, look at the change (git diff tests/snapshots; "
    "open the PNGs), and commit it if it is what you meant"
)


def assert_text_snapshot(name: str, text: str) -> None:
    """``text`` equals tests/snapshots/<name> (the file is rewritten when updating)."""
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.name}: {UPDATE_HINT}"
    assert text == path.read_text(encoding="utf-8"), f"snapshot {path.name} changed: {UPDATE_HINT}"


def assert_page_snapshots(pdf: Path, name: str, dpi: int = 30, tolerance: float = 0.01) -> None:
    """Every page of ``pdf``, rasterised, matches tests/snapshots/<name>-<n>.png within
    ``tolerance`` (the share of pixels whose grey level moved by more than a quarter)."""
    from PIL import Image, ImageChops

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True
        )
        pages = sorted(Path(tmp).glob("p-*.png"))
        if UPDATE_SNAPSHOTS:
            for old in SNAPSHOTS.glob(f"{name}-*.png"):
                old.unlink()
            for i, page in enumerate(pages, start=1):
                shutil.copyfile(page, SNAPSHOTS / f"{name}-{i}.png")
            return
        committed = sorted(
            SNAPSHOTS.glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
        )
        assert len(pages) == len(committed), (
            f"{name}: {len(pages)} pages, snapshot has {len(committed)}: {UPDATE_HINT}"
        )
        for i, (page, ref) in enumerate(zip(pages, committed, strict=True), start=1):
            now, before = Image.open(page).convert("L"), Image.open(ref).convert("L")
            assert now.size == before.size, f"{name} page {i} changed size: {UPDATE_HINT}"
            moved = ImageChops.difference(now, before).point(lambda v: 255 if v > 64 else 0)
            share = moved.histogram()[255] / (now.width * now.height)
            assert share <= tolerance, (
                f"{name} page {i}: {share:.1%} of the page changed: {UPDATE_HINT}"
            )
