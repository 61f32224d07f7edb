"""The wheel (issue 11): built, installed into a fresh venv outside the repository, `docgen init`
in an empty folder and `docgen generate` there make the same bytes as the checkout, reading
nothing from it. The wheel pins exactly what CI tests; `docgen --help` loads no renderer."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from docgen.artifacts import LABELS
from docgen.outputs import OUTPUTS

from .conftest import ROOT

WHEEL_BUDGET_MB = 50
"""Fonts (~32 MB compressed) and the sample's photos (~14 MB) are nearly all of it."""
RENDERERS = ("weasyprint", "docxtpl", "docx", "pikepdf", "pypdfium2", "uharfbuzz", "PIL")


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    """{normalised name: version} of ``name==version`` lines; other lines are left out."""
    pairs = (line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))
    return {_name(name.strip()): version.strip() for name, version in pairs}


def wheel_pins() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        dependencies: list[str] = tomllib.load(fh)["project"]["dependencies"]
    unpinned = [d for d in dependencies if not re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", d)]
    assert unpinned == [], "every dependency of the wheel is pinned to one version"
    return _pins(dependencies)


def test_the_wheel_pins_the_versions_ci_tests() -> None:
    constraints = _pins((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines())
    pins = wheel_pins()
    assert {name: constraints.get(name) for name in pins} == pins
    assert pins["weasyprint"] == "70.0"  # justify.py patches one of its private functions


def test_help_imports_no_renderer() -> None:
    """`docgen --help` and `docgen init` start without WeasyPrint or any renderer."""
    for args in (["--help"], ["init", "--help"]):
        run = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "docgen", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        modules = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
        assert "docgen.cli" in modules
        loaded = [
            m
            for m in modules
            if m.split(".")[0] in RENDERERS or m.startswith(("docgen.outputs", "docgen.pdf"))
        ]
        assert loaded == [], args


def test_only_offers_exactly_the_registered_outputs() -> None:
    assert list(LABELS) == list(OUTPUTS)


# --- the distribution check ----------------------------------------------------------------------

# Runs docgen with an audit hook that notes every file opened inside the repository.
LAUNCHER = """
import atexit, os, runpy, sys
repo = sys.argv.pop(1)
opened = []
def note(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path == repo or path.startswith(repo + os.sep):
            opened.append(path)
sys.addaudithook(note)
atexit.register(lambda: print("OPENED IN THE REPOSITORY:", sorted(set(opened)), file=sys.stderr))
import docgen
print("DOCGEN FROM:", docgen.__file__, file=sys.stderr)
sys.argv = ["docgen", *sys.argv[1:]]
runpy.run_module("docgen", run_name="__main__", alter_sys=True)
"""


def run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A child with nothing of the checkout on its path and no office named for it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "DOCGEN_HOME", "VIRTUAL_ENV", "PYTHONHOME")
    }
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the bin/ folder of a fresh venv it was installed into, without constraints)."""
    tmp = tmp_path_factory.mktemp("distribution")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", ROOT, "-w", tmp / "dist"], tmp)
    [wheel] = (tmp / "dist").glob("docgen-*.whl")
    run([sys.executable, "-m", "venv", tmp / "venv"], tmp)
    run([tmp / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp)
    return wheel, tmp / "venv" / "bin"


@pytest.mark.dist
@pytest.mark.slow
def test_the_wheel_holds_code_and_defaults_with_their_licences(
    installed: tuple[Path, Path],
) -> None:
    wheel, _ = installed
    print(f"wheel: {wheel.name}, {wheel.stat().st_size / 1024 / 1024:.1f} MB")
    assert wheel.stat().st_size < WHEEL_BUDGET_MB * 1024 * 1024
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for name in (
        "docgen/cli.py",
        "docgen/defaults/fonts/LICENSE-NotoCJK.txt",
        "docgen/defaults/fonts/LICENSE-LXGWWenKai.txt",
        "docgen/defaults/fonts/NotoSerifCJKsc-Regular.otf",
        "docgen/defaults/fonts/LXGWWenKai-Regular.ttf",
        "docgen/defaults/config/branding.yaml",
        "docgen/defaults/config/assets/seal-sample.svg",
        "docgen/defaults/templates/docx/report.docx",
        "docgen/defaults/templates/html/press.html.j2",
        "docgen/defaults/editions/quanyibei-21/edition.yaml",
        "docgen/defaults/editions/quanyibei-21/photos/01-meeting.jpg",
    ):
        assert name in names, name
    assert not [n for n in names if n.endswith(".pyc") or n.startswith(("tests/", "src/"))]


@pytest.mark.dist
@pytest.mark.slow
def test_pip_installs_exactly_the_pinned_versions(installed: tuple[Path, Path]) -> None:
    """No -c constraints.txt needed: the wheel's metadata alone gives the tested versions."""
    _, bin_dir = installed
    freeze = run([bin_dir / "python", "-m", "pip", "freeze"], bin_dir).stdout.splitlines()
    assert _pins(freeze) == wheel_pins()


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.dist
@pytest.mark.slow
def test_init_and_generate_from_the_wheel_match_the_checkout_byte_for_byte(
    installed: tuple[Path, Path], sample_out: Path, tmp_path: Path
) -> None:
    _, bin_dir = installed
    folder = tmp_path / "空文件夹"
    folder.mkdir()
    run([bin_dir / "docgen", "init", "."], folder)
    copied = digests(folder)
    repo = str(ROOT.resolve())
    python = bin_dir / "python"
    generated = run([python, "-c", LAUNCHER, repo, "generate", "editions/quanyibei-21"], folder)
    assert f"DOCGEN FROM: {bin_dir.parent}" in generated.stderr
    assert "OPENED IN THE REPOSITORY: []" in generated.stderr
    # Every file, as test_reproducible requires of two runs of the checkout.
    assert digests(folder / "out" / "quanyibei-21") == digests(sample_out)
    assert {k: v for k, v in digests(folder).items() if not k.startswith("out/")} == copied
    compared = run([python, "-c", LAUNCHER, repo, "init", "--compare"], folder)
    assert "没有变化" in compared.stdout
    assert "OPENED IN THE REPOSITORY: []" in compared.stderr
